package io.github.crmsync.history;

import io.github.crmsync.mapping.Direction;
import io.github.crmsync.mapping.ObjectType;
import io.github.crmsync.requests.InvalidInput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** GET /api/history's parameters: exactly one key, a bounded limit, a cursor; 400 naming what is wrong. */
class HistoryApiTest {

    /** The store as a list of rows with ids 1..10, newest (10) first. */
    private final List<Object[]> asked = new ArrayList<>();
    private final HistoryApi api = new HistoryApi(new ChangeHistory(null) {
        @Override
        public List<Row> page(Key key, String value, Long before, int limit) {
            asked.add(new Object[] {key, value, before, limit});
            return LongStream.rangeClosed(1, 10).map(i -> 11 - i).filter(id -> before == null || id < before).limit(limit)
                    .mapToObj(id -> new Row(id, Instant.EPOCH, "EVENT", Direction.SALESFORCE_TO_INTERCOM, ObjectType.LEAD,
                            "00Q000000000001AAA", "ic-1", "a@example.com", "phone", "Phone", null, "1", null)).toList();
        }
    });

    @Test
    void pagesNewestFirstWithACursorToTheNextOlderPage() {
        HistoryApi.Page first = api.page("email=A%40Example.com&limit=4");
        assertThat(first.changes()).extracting(HistoryApi.Change::id).containsExactly(10L, 9L, 8L, 7L);
        assertThat(first.nextBefore()).isEqualTo(7L);
        assertThat(asked.get(0)).containsExactly(ChangeHistory.Key.EMAIL, "A@Example.com", null, 5);

        HistoryApi.Page last = api.page("email=a%40example.com&limit=4&before=3");
        assertThat(last.changes()).extracting(HistoryApi.Change::id).containsExactly(2L, 1L);
        assertThat(last.nextBefore()).isNull();
        assertThat(api.page("salesforceId=00Q000000000001AAA").changes()).hasSize(10);
        assertThat(asked.get(2)).containsExactly(ChangeHistory.Key.SALESFORCE_ID, "00Q000000000001AAA", null, 51);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "'' | salesforceId, intercomId or email is required",
            "limit=5 | salesforceId, intercomId or email is required",
            "email=a%40b.c&intercomId=x | only one of salesforceId, intercomId and email may be given, not email and intercomId",
            "intercomId=x&limit=0 | limit must be a whole number from 1 to 500, not '0'",
            "intercomId=x&limit=501 | limit must be a whole number from 1 to 500, not '501'",
            "intercomId=x&limit=ten | limit must be a whole number from 1 to 500, not 'ten'",
            "intercomId=x&before=-1 | before must be a whole number from 1 up, not '-1'",
            "intercomId=x&before=abc | before must be a whole number from 1 up, not 'abc'"})
    void badParametersAreRefusedNamingTheParameter(String query, String problem) {
        assertThatThrownBy(() -> api.page(query)).isInstanceOfSatisfying(InvalidInput.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.body().get("problems")).asList().containsExactly(problem);
        });
        assertThat(asked).as("nothing read").isEmpty();
    }
}

package io.github.crmsync.admin;

import io.github.crmsync.errors.SyncErrorFilter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The sync-errors list's query parameters: defaults, accepted spellings, and one problem per bad value. */
class SyncErrorsFilterTest {

    private static SyncErrorFilter parse(Map<String, String> query, List<String> problems) {
        return SyncErrorsApi.filter(query, problems);
    }

    @Test
    void intercomToSalesforceUnlessAskedOtherwise() {
        List<String> problems = new ArrayList<>();
        assertThat(parse(Map.of(), problems)).isEqualTo(new SyncErrorFilter("INTERCOM_TO_SALESFORCE", null, null, null, null));
        assertThat(parse(Map.of("direction", "all"), problems).direction()).as("ALL is every direction").isNull();
        assertThat(parse(Map.of("direction", "salesforce_to_intercom", "syncType", "retry", "objectType", "lead",
                "code", "STRING_TOO_LONG", "text", "50%"), problems))
                .isEqualTo(new SyncErrorFilter("SALESFORCE_TO_INTERCOM", "RETRY", "LEAD", "STRING_TOO_LONG", "50%"));
        assertThat(problems).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({
            "direction, BOTH",
            "syncType, NIGHTLY",
            "objectType, ACCOUNT",
            "code, 'STRING TOO LONG'",
            "code, 'x'';--'",
            "text, ' '",
    })
    void aBadValueIsAProblemNamingItsParameter(String parameter, String value) {
        Map<String, String> query = new HashMap<>();
        query.put(parameter, value);
        List<String> problems = new ArrayList<>();
        parse(query, problems);
        assertThat(problems).singleElement().asString().startsWith(parameter);
    }
}

package io.github.crmsync.salesforce;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QueryPageTest {

    @Test
    void readsRecordsWithoutAttributesAndTheNextPage() {
        QueryPage page = QueryPage.parse("""
                {"totalSize":3,"done":false,"nextRecordsUrl":"/services/data/v60.0/query/01gRO0000016PIAYA2-2",
                 "records":[{"attributes":{"type":"Contact","url":"/x"},"Id":"003A","Email":"a@x.com","Seats__c":12.0,"Phone":null}]}
                """);
        assertThat(page.totalSize()).isEqualTo(3);
        assertThat(page.nextRecordsUrl()).isEqualTo("/services/data/v60.0/query/01gRO0000016PIAYA2-2");
        assertThat(page.records()).singleElement().satisfies(r -> {
            assertThat(r).doesNotContainKey("attributes").containsEntry("Id", "003A").containsEntry("Seats__c", 12.0);
            assertThat(r).containsKey("Phone");
        });
    }

    @Test
    void theLastPageHasNoNextAndCountQueriesNoRecords() {
        assertThat(QueryPage.parse("{\"totalSize\":42,\"done\":true,\"records\":[]}").nextRecordsUrl()).isNull();
        assertThat(QueryPage.parse("{\"totalSize\":42,\"done\":true,\"records\":[]}").records()).isEmpty();
    }

    @Test
    void anAnswerThatIsNotJsonIsAClearError() {
        assertThatThrownBy(() -> QueryPage.parse("<html>")).hasMessageContaining("not JSON");
    }
}

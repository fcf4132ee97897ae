package io.github.crmsync.eventsync;

import org.apache.camel.component.salesforce.api.SalesforceException;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which pages of a poll's Composite answer are taken, without Camel: the ones up to the query's last. */
class PollPagesTest {

    private final SalesforceToIntercom poll = new SalesforceToIntercom(null, null, null, null, null, null,
            Clock.systemUTC(), Duration.ZERO, 3);

    private static String page(String id, boolean done, String next) {
        return "{\"body\":{\"totalSize\":3,\"done\":" + done + (next == null ? "" : ",\"nextRecordsUrl\":\"" + next + "\"")
                + ",\"records\":[{\"Id\":\"" + id + "\"}]},\"httpHeaders\":{},\"httpStatusCode\":200,\"referenceId\":\"p\"}";
    }

    private static String failed(String code) {
        return "{\"body\":[{\"errorCode\":\"" + code + "\",\"message\":\"m\"}],\"httpHeaders\":{},\"httpStatusCode\":400,"
                + "\"referenceId\":\"p\"}";
    }

    private static String answer(String... results) {
        return "{\"compositeResponse\":[" + String.join(",", results) + "]}";
    }

    @Test
    void theReferencePastTheLastPageIsTheEndOfTheQueryNotAFailure() {
        List<String> pages = poll.pages(answer(page("a", false, "/services/data/v60.0/query/01g-1"),
                page("b", true, null), failed("PROCESSING_HALTED"), failed("PROCESSING_HALTED")));

        assertThat(pages).hasSize(2);
        assertThat(pages.get(1)).contains("\"b\"");
        assertThat(poll.nextPagesRequest(pages)).isNull();
    }

    @Test
    void aLaterPageThatFailedEndsTheCallsPagesAndOnlyAFailedFirstPageFailsTheCall() {
        List<String> pages = poll.pages(answer(page("a", false, "/services/data/v60.0/query/01g-1"),
                failed("INVALID_QUERY_LOCATOR")));
        assertThat(pages).hasSize(1);

        assertThatThrownBy(() -> poll.pages(answer(failed("MALFORMED_QUERY")))).rootCause()
                .isInstanceOfSatisfying(SalesforceException.class, e -> {
                    assertThat(e.getStatusCode()).isEqualTo(400);
                    assertThat(e.getErrors().get(0).getErrorCode()).isEqualTo("MALFORMED_QUERY");
                });
    }
}

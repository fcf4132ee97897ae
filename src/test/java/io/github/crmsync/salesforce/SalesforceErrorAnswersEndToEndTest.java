package io.github.crmsync.salesforce;

import io.github.crmsync.testing.WholeService;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.salesforce.api.SalesforceException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A Composite call that Salesforce answers with an HTTP error fails with Salesforce's status, code
 * and message, as any other call does. camel-salesforce (rawPayload Composite) hands such an answer
 * back as if it were the answer (its error array as the body): before the salesforce-call template
 * checked the status, the Composite answer of a 503 or 403 read as one without results.
 */
class SalesforceErrorAnswersEndToEndTest {

    @RegisterExtension
    static final WholeService whole = WholeService.inWorld(100).withSandboxMappings();

    private final String request = new CompositeRequest("60.0").query("query0", "SELECT Id FROM Contact LIMIT 1").json();

    @AfterEach
    void noFaults() {
        whole.world().salesforce.faults().update(Map.of("serverErrorRate", 0, "tooManyRequestsRate", 0, "dropConnectionRate", 0));
    }

    private String call(String route) {
        ProducerTemplate template = whole.service().context().createProducerTemplate();
        return template.requestBody(route, request, String.class);
    }

    @Test
    void aServerErrorFailsTheCallWithSalesforcesStatusAndCode() {
        whole.world().salesforce.faults().update(Map.of("serverErrorRate", 1.0));

        for (String route : new String[] {"direct:salesforce-update-records", "direct:salesforce-lookup-composite"}) {
            assertThatThrownBy(() -> call(route)).as(route).rootCause().isInstanceOfSatisfying(SalesforceException.class, e -> {
                assertThat(e.getStatusCode()).isEqualTo(503);
                assertThat(e.getErrors()).singleElement().satisfies(error -> {
                    assertThat(error.getErrorCode()).isEqualTo("SERVER_UNAVAILABLE");
                    assertThat(error.getMessage()).isEqualTo("Server too busy");
                });
            });
        }
    }

    @Test
    void theConcurrentRequestLimitFailsTheCallAsA403() {
        whole.world().salesforce.faults().update(Map.of("tooManyRequestsRate", 1.0));

        assertThatThrownBy(() -> call("direct:salesforce-update-records")).rootCause()
                .isInstanceOfSatisfying(SalesforceException.class, e -> {
                    assertThat(e.getStatusCode()).isEqualTo(403);
                    assertThat(e.getErrors().get(0).getErrorCode()).isEqualTo("REQUEST_LIMIT_EXCEEDED");
                });
    }

    @Test
    void anAnswerWithoutFaultsIsTheCompositeAnswer() {
        assertThat(CompositeRequest.results(call("direct:salesforce-update-records"))).singleElement()
                .satisfies(result -> assertThat(result.ok()).isTrue());
    }
}

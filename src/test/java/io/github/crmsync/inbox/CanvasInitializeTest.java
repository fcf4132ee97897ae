package io.github.crmsync.inbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.component.salesforce.api.SalesforceException;
import org.apache.camel.component.salesforce.api.dto.RestError;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** How the initialize request is read and Salesforce's refusals are told apart, without Camel running. */
class CanvasInitializeTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theContactIsReadFromContactOrFromCustomerAsOlderDocsNameIt() throws Exception {
        assertThat(CanvasInitialize.contactOf(JSON.readTree("{\"contact\":{\"id\":\"a\"},\"customer\":{\"id\":\"b\"}}"))
                .path("id").asText()).isEqualTo("a");
        assertThat(CanvasInitialize.contactOf(JSON.readTree("{\"customer\":{\"id\":\"b\"}}")).path("id").asText()).isEqualTo("b");
        JsonNode none = CanvasInitialize.contactOf(JSON.readTree("{\"contact\":null}"));
        assertThat(none.path("role").asText(null)).isNull();
    }

    @Test
    void onlyTheDailyAllowanceCountsAsOutOfApiCalls() {
        SalesforceException daily = new SalesforceException(
                List.of(new RestError("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")), 403);
        SalesforceException concurrent = new SalesforceException(List.of(new RestError("REQUEST_LIMIT_EXCEEDED",
                "ConcurrentRequests (Concurrent API Requests) Limit exceeded.")), 403);
        SalesforceException other = new SalesforceException(List.of(new RestError("INVALID_FIELD", "No such column")), 400);

        assertThat(CanvasInitialize.limitExceeded(new CamelExecutionException("query failed", null, daily))).isTrue();
        assertThat(CanvasInitialize.limitExceeded(concurrent)).isFalse();
        assertThat(CanvasInitialize.limitExceeded(other)).isFalse();
        assertThat(CanvasInitialize.limitExceeded(new IllegalStateException("connection refused"))).isFalse();
    }
}

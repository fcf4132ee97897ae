package io.github.crmsync.intercom;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.crmsync.metrics.SyncMetrics;
import org.apache.camel.RuntimeCamelException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

class IntercomAnswersTest {

    private static final long NOW = 1_764_000_000L;
    private final SyncMetrics metrics = SyncMetrics.none();
    private final IntercomRateLimit rateLimit = new IntercomRateLimit(
            Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC), 0);
    private final IntercomAnswers answers = new IntercomAnswers(rateLimit, metrics);

    @Test
    void aSuccessfulAnswerIsItsJsonAndItsHeadersPaceTheNextRequests() {
        JsonNode contact = answers.read(200, "{\"id\":\"c1\",\"phone\":\"+1 555\"}", "0", Long.toString(NOW + 4));
        assertThat(contact.path("phone").asText()).isEqualTo("+1 555");
        assertThat(answers.read(200, "", null, null).isEmpty()).as("no body: an empty object").isTrue();
        assertThat(rateLimit.acquireDelayMillis()).as("the window is spent until its reset").isEqualTo(4_000);
        assertThat(requests()).isEqualTo(2);
    }

    @Test
    void anErrorAnswerIsIntercomsFirstErrorCodeAndMessage() {
        String body = "{\"type\":\"error.list\",\"request_id\":\"r1\",\"errors\":[{\"code\":\"parameter_invalid\","
                + "\"message\":\"Phone is invalid\"},{\"code\":\"other\",\"message\":\"second\"}]}";
        IntercomApiException refused = assertThrows(IntercomApiException.class, () -> answers.read(400, body, null, null));
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.code()).isEqualTo("parameter_invalid");
        assertThat(refused.getMessage()).isEqualTo("Intercom answered 400 parameter_invalid: Phone is invalid");
        assertThat(refused.responseBody()).isEqualTo(body);
        assertThat(refused.transientFault()).isFalse();

        IntercomApiException notJson = assertThrows(IntercomApiException.class, () -> answers.read(502, "<html>", null, null));
        assertThat(notJson.status()).isEqualTo(502);
        assertThat(notJson.code()).isNull();
        assertThat(notJson.getMessage()).isEqualTo("Intercom answered 502: (no error.list body)");
        assertThat(notJson.transientFault()).isTrue();

        IntercomApiException unreadable = assertThrows(IntercomApiException.class, () -> answers.read(200, "{oops", null, null));
        assertThat(unreadable.code()).isEqualTo("unreadable_response");
    }

    @Test
    void aTooManyRequestsAnswerHoldsTheNextRequestsUntilTheReset() {
        IntercomApiException limited = assertThrows(IntercomApiException.class, () -> answers.read(429,
                "{\"type\":\"error.list\",\"errors\":[{\"code\":\"rate_limit_exceeded\",\"message\":\"Exceeded\"}]}",
                "12", Long.toString(NOW + 7)));
        assertThat(limited.transientFault()).isTrue();
        assertThat(rateLimit.acquireDelayMillis()).isEqualTo(7_000);
        assertThat(metrics.registry().get(SyncMetrics.INTERCOM_RATE_LIMITED).counter().count()).isEqualTo(1);
    }

    @Test
    void noAnswerIsAConnectionFailureWithStatusZero() {
        IntercomApiException failed = assertThrows(IntercomApiException.class,
                () -> answers.connectionFailed(new ConnectException("Connection refused")));
        assertThat(failed.status()).isZero();
        assertThat(failed.code()).isEqualTo("connection_failed");
        assertThat(failed.getMessage()).contains("ConnectException: Connection refused");
        assertThat(requests()).isEqualTo(1);
    }

    @Test
    void onlyMissingAnswersAndServerErrorsCountAgainstTheBreaker() {
        assertThat(IntercomAnswers.answered(new IntercomApiException(404, "not_found", "gone", null))).isTrue();
        assertThat(IntercomAnswers.answered(new IntercomApiException(429, "rate_limit_exceeded", "slow", null))).isTrue();
        assertThat(IntercomAnswers.answered(new RuntimeCamelException(new IntercomApiException(400, "x", "y", null))))
                .as("wrapped").isTrue();
        assertThat(IntercomAnswers.answered(new IntercomApiException(503, "service_unavailable", "busy", null))).isFalse();
        assertThat(IntercomAnswers.answered(new IntercomApiException(0, "connection_failed", "no", null))).isFalse();
        assertThat(IntercomAnswers.answered(new RuntimeCamelException(new IOException("reset")))).isFalse();
    }

    private double requests() {
        return metrics.registry().get(SyncMetrics.INTERCOM_REQUESTS).counter().count();
    }
}

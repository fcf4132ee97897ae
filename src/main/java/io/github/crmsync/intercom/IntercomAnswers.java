package io.github.crmsync.intercom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crmsync.metrics.SyncMetrics;

import java.io.IOException;

/**
 * What the Intercom call routes (routes/intercom-api.camel.yaml) make of each answer: it is counted
 * ({@code crmsync_intercom_requests_total}), its {@code X-RateLimit-*} headers pace the next
 * requests (a 429 holds them until the window resets), a 2xx body is parsed, and anything else
 * becomes an {@link IntercomApiException} with Intercom's own first error code and message from
 * the {@code error.list} body.
 */
public final class IntercomAnswers {

    private final IntercomRateLimit rateLimit;
    private final SyncMetrics metrics;
    private final ObjectMapper json = new ObjectMapper();

    public IntercomAnswers(IntercomRateLimit rateLimit, SyncMetrics metrics) {
        this.rateLimit = rateLimit;
        this.metrics = metrics;
    }

    /** The answer's JSON body; throws the error Intercom answered with for anything but 2xx. */
    public JsonNode read(Integer status, String body, String rateLimitRemaining, String rateLimitReset) {
        return read(status, body, rateLimitRemaining, rateLimitReset, null);
    }

    /** As above; {@code rateLimitLimit} ({@code X-RateLimit-Limit}) is the window's size, for a bulk preview's estimate. */
    public JsonNode read(Integer status, String body, String rateLimitRemaining, String rateLimitReset, String rateLimitLimit) {
        rateLimit.observeLimit(rateLimitLimit);
        int code = status == null ? 0 : status;
        metrics.intercomRequest(code);
        rateLimit.observe(rateLimitRemaining, rateLimitReset);
        if (code >= 200 && code < 300) {
            return parse(body);
        }
        if (code == 429) {
            rateLimit.exhausted(rateLimitReset);
        }
        throw error(code, body);
    }

    /** The request got no answer at all (no connection, a timeout, the connection dropped). */
    public void connectionFailed(Throwable failure) {
        metrics.intercomRequest(0);
        throw new IntercomApiException(0, "connection_failed", failure == null ? null
                : failure.getClass().getSimpleName() + ": " + failure.getMessage(), null);
    }

    /**
     * True when the failure is an answer from Intercom that refuses the request (4xx, 429 included) or
     * cannot be read: Intercom is up, so the "intercom" circuit breaker counts it as a success. No
     * answer and 5xx count against it.
     */
    public static boolean answered(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IntercomApiException e) {
                return e.status() >= 200 && e.status() < 500;
            }
        }
        return false;
    }

    private JsonNode parse(String text) {
        try {
            return text == null || text.isBlank() ? json.createObjectNode() : json.readTree(text);
        } catch (IOException e) {
            throw new IntercomApiException(200, "unreadable_response", "Intercom's answer is not JSON", text);
        }
    }

    private IntercomApiException error(int status, String text) {
        String code = null;
        String message = null;
        try {
            JsonNode first = json.readTree(text == null || text.isBlank() ? "{}" : text).path("errors").path(0);
            code = first.path("code").asText(null);
            message = first.path("message").asText(null);
        } catch (IOException ignored) {
            message = "(no error.list body)";
        }
        return new IntercomApiException(status, code, message, text);
    }
}

package io.github.crmsync.salesforce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.salesforce.api.SalesforceException;
import org.apache.camel.component.salesforce.api.dto.RestError;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A Salesforce call's answer checked before anyone reads it (a step of the salesforce-call template,
 * routes/salesforce-api.camel.yaml). camel-salesforce's Composite call with {@code rawPayload=true}
 * ({@code CompositeApiProcessor.processCompositeResponseRaw}, 4.18) drops the failure of an answer
 * that has a body: a 503 {@code SERVER_UNAVAILABLE} or a 403 {@code REQUEST_LIMIT_EXCEEDED} comes
 * back as if it were the answer, its error array as the body (the HTTP status only in the
 * {@code CamelHttpResponseCode} header). It was read as a Composite answer without results (records
 * read taken as not found), never retried as a failed call nor counted by the circuit breaker. Here
 * such an answer fails the call as Salesforce's own error would. (The same method leaves the
 * request as the body of an answer with neither body nor failure; CompositeRequest.results refuses
 * anything but a Composite answer for that.)
 */
public final class SalesforceAnswers {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SalesforceAnswers() {
    }

    /**
     * Fails the exchange with Salesforce's error when the answer was an HTTP error (the sender's
     * redelivery then sends the request again, not the error: SalesforceCallRoutesTest).
     */
    public static void failIfRefused(Exchange exchange) throws SalesforceException {
        Message message = exchange.getMessage();
        Integer status = message.getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        if (status != null && (status < 200 || status >= 300)) {
            throw new SalesforceException(errors(message.getBody(String.class)), status);
        }
    }

    /** Salesforce's error array ({@code [{"errorCode": …, "message": …}]}), or one error holding the text. */
    static List<RestError> errors(String body) {
        List<RestError> errors = new ArrayList<>();
        try {
            JsonNode node = body == null ? null : JSON.readTree(body);
            if (node != null && node.isArray()) {
                for (JsonNode e : node) {
                    errors.add(new RestError(e.path("errorCode").asText("UNKNOWN"), e.path("message").asText("")));
                }
            }
        } catch (IOException e) {
            // not JSON: the text itself says what went wrong
        }
        if (errors.isEmpty()) {
            errors.add(new RestError("UNKNOWN", body == null ? "Salesforce's answer had no body"
                    : body.substring(0, Math.min(500, body.length()))));
        }
        return errors;
    }
}

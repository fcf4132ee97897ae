package io.github.crmsync.intercom;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;

import java.util.Map;

/**
 * The JSON answers of the endpoints Intercom calls (webhooks, Canvas Kit), errors as
 * {@code {"error": "..."}}. Those endpoints are not the admin API: Intercom's signature, not a
 * login, guards them, and their bodies are Intercom's formats.
 */
public final class JsonAnswer {

    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonAnswer() {
    }

    public static void json(Exchange exchange, int status, Object body) {
        var message = exchange.getMessage();
        // request headers would otherwise go back as response headers
        message.getHeaders().keySet().removeIf(k -> !k.startsWith("Camel"));
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        try {
            message.setBody(JSON.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("answer is not serialisable", e);
        }
    }

    public static void error(Exchange exchange, int status, String error) {
        json(exchange, status, Map.of("error", error));
    }
}

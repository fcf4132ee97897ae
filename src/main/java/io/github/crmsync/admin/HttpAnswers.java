package io.github.crmsync.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** JSON answers of the service's HTTP endpoints, errors as {@code {"error": "...", "problems": [...]}}. */
public final class HttpAnswers {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpAnswers() {
    }

    public static void json(Exchange exchange, int status, Object body) {
        var message = exchange.getMessage();
        message.getHeaders().keySet().removeIf(k -> !k.startsWith("Camel"));
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        try {
            message.setBody(JSON.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("answer is not serialisable", e);
        }
    }

    /**
     * The request's JSON body, or null after answering 400 (no body, or not JSON: the parser's first
     * line says where, never a stack trace).
     */
    public static JsonNode jsonBody(Exchange exchange) {
        String text = exchange.getMessage().getBody(String.class);
        try {
            JsonNode body = text == null || text.isBlank() ? null : JSON.readTree(text);
            if (body == null) {
                error(exchange, 400, "The request has no JSON body.");
            }
            return body;
        } catch (IOException e) {
            error(exchange, 400, "The body is not JSON: " + e.getMessage().lines().findFirst().orElse(""));
            return null;
        }
    }

    public static void error(Exchange exchange, int status, String error) {
        json(exchange, status, Map.of("error", error));
    }

    public static void problems(Exchange exchange, int status, String error, List<String> problems) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("problems", problems);
        json(exchange, status, body);
    }
}

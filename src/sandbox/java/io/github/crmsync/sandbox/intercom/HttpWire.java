package io.github.crmsync.sandbox.intercom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.github.crmsync.sandbox.FormEncoding;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.UUID;

/** Reading requests and writing JSON answers, Intercom's error lists and rate-limit headers. */
final class HttpWire {

    private static final String JSON = "application/json; charset=utf-8";

    private final ObjectMapper mapper;

    HttpWire(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** The request body as JSON, or null when it is empty; malformed JSON throws. */
    JsonNode readJson(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readAllBytes();
            if (bytes.length == 0) {
                return null;
            }
            return mapper.readTree(bytes);
        }
    }

    /** {@code {"type":"error.list","request_id":<uuid>,"errors":[{"code","message"}]}}. */
    void sendError(HttpExchange exchange, int status, String code, String message, RateLimiter.Decision rate)
            throws IOException {
        ObjectNode body = mapper.createObjectNode();
        body.put("type", "error.list");
        body.put("request_id", UUID.randomUUID().toString());
        ObjectNode error = body.putArray("errors").addObject();
        error.put("code", code);
        error.put("message", message);
        send(exchange, status, body, rate);
    }

    /** A JSON answer; with {@code rate}, the {@code X-RateLimit-*} headers of the current window. */
    void send(HttpExchange exchange, int status, JsonNode body, RateLimiter.Decision rate) throws IOException {
        byte[] bytes = mapper.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", JSON);
        if (rate != null) {
            exchange.getResponseHeaders().set("X-RateLimit-Limit", String.valueOf(rate.limit()));
            exchange.getResponseHeaders().set("X-RateLimit-Remaining", String.valueOf(rate.remaining()));
            exchange.getResponseHeaders().set("X-RateLimit-Reset", String.valueOf(rate.resetEpochSecond()));
        }
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    /** Query parameters, decoded; the first value of a repeated name wins. */
    static Map<String, String> query(String raw) {
        return FormEncoding.decode(raw);
    }

    /** An integer query parameter, null when absent; anything else is Intercom's 400. */
    static Integer integer(String value, String name) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return Integer.valueOf(value.trim());
        } catch (NumberFormatException e) {
            throw IntercomApiException.parameterInvalid(name + " must be an integer");
        }
    }
}

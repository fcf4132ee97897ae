package io.github.crmsync.sandbox.intercom;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;

/**
 * The sandbox-only control endpoint under {@code /sandbox/} (no authentication; not part of Intercom):
 * <ul>
 *   <li>{@code GET /sandbox/state}: counts, rate limit, webhook and fault settings;</li>
 *   <li>{@code POST /sandbox/faults}: any of {@code latencyMillis}, {@code serverErrorRate},
 *       {@code tooManyRequestsRate}, {@code dropConnectionRate};</li>
 *   <li>{@code POST /sandbox/rate-limit}: {@code {"perMinute": N}};</li>
 *   <li>{@code POST /sandbox/webhook}: {@code {"url": "http://…" | null, "retryDelayMillis": N?}}.</li>
 * </ul>
 * Bad input gets 400 {@code {"error": "…"}}.
 */
final class SandboxControl {

    private final IntercomSimulator simulator;
    private final RateLimiter rateLimiter;
    private final WebhookSender webhooks;
    private final ObjectMapper mapper;
    private final HttpWire wire;

    SandboxControl(IntercomSimulator simulator, RateLimiter rateLimiter, WebhookSender webhooks, ObjectMapper mapper,
                   HttpWire wire) {
        this.simulator = simulator;
        this.rateLimiter = rateLimiter;
        this.webhooks = webhooks;
        this.mapper = mapper;
        this.wire = wire;
    }

    void handle(HttpExchange exchange, String path) throws IOException {
        String method = exchange.getRequestMethod();
        try {
            switch (method + " " + path) {
                case "GET /sandbox/state" -> wire.send(exchange, 200, mapper.valueToTree(simulator.state()), null);
                case "POST /sandbox/faults" -> {
                    simulator.faults().update(body(exchange));
                    wire.send(exchange, 200, mapper.valueToTree(simulator.faults().asMap()), null);
                }
                case "POST /sandbox/rate-limit" -> {
                    Object perMinute = body(exchange).get("perMinute");
                    if (!(perMinute instanceof Integer n) || n < 1) {
                        throw new IllegalArgumentException("perMinute must be a positive integer");
                    }
                    rateLimiter.setPerMinute(n);
                    wire.send(exchange, 200, mapper.valueToTree(simulator.state()), null);
                }
                case "POST /sandbox/webhook" -> {
                    Map<String, Object> body = body(exchange);
                    if (!body.containsKey("url")) {
                        throw new IllegalArgumentException("url is required (null turns webhooks off)");
                    }
                    Object url = body.get("url");
                    if (url != null && !(url instanceof String s && (s.startsWith("http://") || s.startsWith("https://")))) {
                        throw new IllegalArgumentException("url must be an http(s) URL or null");
                    }
                    Object delay = body.get("retryDelayMillis");
                    if (delay != null) {
                        if (!(delay instanceof Number d) || d.longValue() < 0) {
                            throw new IllegalArgumentException("retryDelayMillis must be a non-negative number");
                        }
                        webhooks.setRetryDelay(Duration.ofMillis(d.longValue()));
                    }
                    simulator.setWebhookUrl((String) url);
                    wire.send(exchange, 200, mapper.valueToTree(simulator.state()), null);
                }
                default -> wire.send(exchange, 404,
                        mapper.valueToTree(Map.of("error", "no such sandbox endpoint: " + method + " " + path)), null);
            }
        } catch (IllegalArgumentException | ClassCastException e) {
            wire.send(exchange, 400, mapper.valueToTree(Map.of("error", String.valueOf(e.getMessage()))), null);
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> body(HttpExchange exchange) throws IOException {
        JsonNode body;
        try {
            body = wire.readJson(exchange);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("body is not valid JSON");
        }
        if (body == null || !body.isObject()) {
            throw new IllegalArgumentException("body must be a JSON object");
        }
        return mapper.convertValue(body, Map.class);
    }
}

package io.github.crmsync.sandbox.salesforce;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.util.Map;

/**
 * The sandbox's control endpoint (not part of Salesforce): state, faults, API usage, token expiry.
 * Loopback only.
 */
final class SandboxControl {

    private SandboxControl() {
    }

    static void handle(SalesforceSimulator sim, HttpExchange ex, String action) throws IOException {
        if (!ex.getRemoteAddress().getAddress().isLoopbackAddress()) {
            Http.sendJson(ex, 403, Map.of("error", "the sandbox control endpoint answers loopback clients only"));
            return;
        }
        String method = ex.getRequestMethod();
        try {
            switch (action) {
                case "state" -> {
                    expect(method, "GET");
                    Http.sendJson(ex, 200, sim.state());
                }
                case "faults" -> {
                    expect(method, "POST");
                    sim.faults().update(Http.jsonObject(ex));
                    Http.sendJson(ex, 200, sim.faults().asMap());
                }
                case "usage" -> {
                    expect(method, "POST");
                    Map<String, Object> body = Http.jsonObject(ex);
                    if (Boolean.TRUE.equals(body.get("reset"))) {
                        sim.resetApiRequests();
                    } else if (body.get("clientId") instanceof String client && body.get("add") instanceof Number n
                            && n.longValue() >= 0) {
                        sim.addApiRequests(client, n.longValue());
                    } else {
                        throw new IllegalArgumentException("expected {\"clientId\":\"...\",\"add\":N} or {\"reset\":true}");
                    }
                    Http.sendJson(ex, 200, sim.state());
                }
                case "change-events" -> {
                    // {"retentionSeconds": N}, {"selected": {"Contact": false}}: as an org's admin would set them;
                    // {"eventDeliveryAllocation": N}: as Salesforce would grant another allocation
                    expect(method, "POST");
                    Map<String, Object> body = Http.jsonObject(ex);
                    if (body.get("eventDeliveryAllocation") instanceof Number n && n.longValue() >= 0) {
                        sim.setEventDeliveryAllocation(n.longValue());
                    } else if (body.containsKey("eventDeliveryAllocation")) {
                        throw new IllegalArgumentException("eventDeliveryAllocation must be a number of events, 0 or more");
                    }
                    if (body.get("retentionSeconds") instanceof Number n && n.longValue() >= 0) {
                        sim.setChangeEventRetention(java.time.Duration.ofSeconds(n.longValue()));
                    } else if (body.containsKey("retentionSeconds")) {
                        throw new IllegalArgumentException("retentionSeconds must be a number of seconds, 0 or more");
                    }
                    if (body.get("selected") instanceof Map<?, ?> selected) {
                        selected.forEach((object, on) -> sim.setChangeEventsSelected(String.valueOf(object),
                                Boolean.TRUE.equals(on)));
                    } else if (body.containsKey("selected")) {
                        throw new IllegalArgumentException("selected must be an object such as {\"Contact\": true}");
                    }
                    Http.sendJson(ex, 200, sim.state());
                }
                case "tokens/expire" -> {
                    expect(method, "POST");
                    Http.body(ex);
                    sim.expireAllTokens();
                    Http.sendJson(ex, 200, Map.of("expired", true));
                }
                default -> Http.sendJson(ex, 404, Map.of("error", "unknown sandbox resource: " + action));
            }
        } catch (IllegalArgumentException e) {
            Http.sendJson(ex, 400, Map.of("error", String.valueOf(e.getMessage())));
        } catch (SalesforceApiException e) {
            Http.sendJson(ex, e.status, Map.of("error", e.getMessage()));
        }
    }

    private static void expect(String method, String allowed) {
        if (!method.equals(allowed)) {
            throw new SalesforceApiException(405, "METHOD_NOT_ALLOWED", "use " + allowed);
        }
    }
}

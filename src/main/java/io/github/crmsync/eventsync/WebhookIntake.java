package io.github.crmsync.eventsync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crmsync.intercom.JsonAnswer;
import io.github.crmsync.intercom.WebhookReplayGuard;
import io.github.crmsync.intercom.WebhookSignature;
import org.apache.camel.Exchange;

import java.io.IOException;
import java.util.Map;

/**
 * {@code POST /intercom/webhooks}: checks Intercom's signature on the raw body before reading
 * anything, stores the changed contact for the next Salesforce batch and answers at once (Intercom
 * counts a reply slower than 5 s as failed). A redelivered notification is stored once; a replayed
 * one (too old, already received, or older than the contact's last accepted version) is not stored,
 * see {@link WebhookReplayGuard}. The signature is read from the request header only (the route
 * receives no query parameters).
 */
public final class WebhookIntake {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final WebhookSignature signature;
    private final IntercomChanges changes;
    private final WebhookReplayGuard replays;

    public WebhookIntake(WebhookSignature signature, IntercomChanges changes, WebhookReplayGuard replays) {
        this.signature = signature;
        this.changes = changes;
        this.replays = replays;
    }

    public void accept(Exchange exchange) {
        byte[] body = exchange.getMessage().getBody(byte[].class);
        String header = exchange.getMessage().getHeader("X-Hub-Signature", String.class);
        if (!signature.validHubSignature(header, body)) {
            JsonAnswer.error(exchange, 401, "The X-Hub-Signature header is missing or does not match the body.");
            return;
        }
        JsonNode notification;
        try {
            notification = JSON.readTree(body);
        } catch (IOException e) {
            JsonAnswer.error(exchange, 400, "The body is not JSON: " + e.getMessage().lines().findFirst().orElse(""));
            return;
        }
        if (notification == null || !notification.isObject()) {
            JsonAnswer.error(exchange, 400, "The body is not a JSON object.");
            return;
        }
        switch (replays.age(notification.path("created_at").asLong(0), notification.path("first_sent_at").asLong(0))) {
            case NO_TIMESTAMP -> {
                JsonAnswer.error(exchange, 400, "The notification has no created_at.");
                return;
            }
            case TOO_OLD -> {
                JsonAnswer.error(exchange, 400, "The notification's created_at is more than "
                        + replays.window().toSeconds() + " seconds from now: refused as a replay.");
                return;
            }
            default -> {
                // fresh: go on
            }
        }
        JsonNode item = notification.path("data").path("item");
        String topic = notification.path("topic").asText("");
        if (!"contact".equals(item.path("type").asText()) || !item.hasNonNull("id")) {
            JsonAnswer.json(exchange, 200, Map.of("received", true, "topic", topic, "stored", false));
            return;
        }
        String notificationId = notification.path("id").asText(null);
        WebhookReplayGuard.Verdict verdict = replays.admit(notificationId, item.path("id").asText(),
                item.path("updated_at").asLong(0));
        if (verdict != WebhookReplayGuard.Verdict.FRESH) {
            // 200: a real redelivery must stop; nothing of it is stored
            JsonAnswer.json(exchange, 200, Map.of("received", true, "topic", topic, "stored", false,
                    "reason", verdict == WebhookReplayGuard.Verdict.SEEN ? "already received"
                            : "older than the contact's last accepted change"));
            return;
        }
        boolean stored;
        try {
            stored = changes.add(item, "WEBHOOK", notificationId);
        } catch (RuntimeException e) {
            replays.forget(notificationId);
            throw e;
        }
        JsonAnswer.json(exchange, 200, Map.of("received", true, "topic", topic, "stored", stored));
    }
}

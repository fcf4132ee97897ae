package io.github.crmsync.intercom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crmsync.admin.HttpAnswers;
import io.github.crmsync.eventsync.IntercomChanges;
import org.apache.camel.Exchange;

import java.io.IOException;
import java.util.Map;

/**
 * {@code POST /intercom/webhooks}: checks Intercom's signature on the raw body before reading
 * anything, stores the changed contact for the next Salesforce batch and answers at once (Intercom
 * counts a reply slower than 5 s as failed). A redelivered notification is stored once.
 */
public final class WebhookIntake {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final WebhookSignature signature;
    private final IntercomChanges changes;

    public WebhookIntake(WebhookSignature signature, IntercomChanges changes) {
        this.signature = signature;
        this.changes = changes;
    }

    public void accept(Exchange exchange) {
        byte[] body = exchange.getMessage().getBody(byte[].class);
        String header = exchange.getMessage().getHeader("X-Hub-Signature", String.class);
        if (!signature.validHubSignature(header, body)) {
            HttpAnswers.error(exchange, 401, "The X-Hub-Signature header is missing or does not match the body.");
            return;
        }
        JsonNode notification;
        try {
            notification = JSON.readTree(body);
        } catch (IOException e) {
            HttpAnswers.error(exchange, 400, "The body is not JSON: " + e.getMessage().lines().findFirst().orElse(""));
            return;
        }
        JsonNode item = notification == null ? null : notification.path("data").path("item");
        String topic = notification == null ? "" : notification.path("topic").asText("");
        if (item == null || !"contact".equals(item.path("type").asText()) || !item.hasNonNull("id")) {
            HttpAnswers.json(exchange, 200, Map.of("received", true, "topic", topic, "stored", false));
            return;
        }
        boolean stored = changes.add(item, "WEBHOOK", notification.path("id").asText(null));
        HttpAnswers.json(exchange, 200, Map.of("received", true, "topic", topic, "stored", stored));
    }
}

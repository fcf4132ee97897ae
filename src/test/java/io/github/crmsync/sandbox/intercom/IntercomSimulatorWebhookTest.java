package io.github.crmsync.sandbox.intercom;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.github.crmsync.sandbox.seed.IntercomSeed;
import io.github.crmsync.sandbox.seed.SeedData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class IntercomSimulatorWebhookTest {

    private static final SeedData SEED = new SeedData(SeedData.DEFAULT_SEED, 500);
    private static final List<IntercomSeed> CONTACTS = IntStream.range(0, SEED.people()).mapToObj(SEED::person)
            .map(p -> p.intercom()).filter(Objects::nonNull).toList();
    private static final String SECRET = "sandbox-webhook-secret";

    /** One notification as the receiver got it. */
    record Received(String signature, String userAgent, String contentType, byte[] body) {
        JsonNode json() throws Exception {
            return IntercomHttp.MAPPER.readTree(body);
        }
    }

    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Queue<Integer> answers = new ConcurrentLinkedQueue<>();
    private HttpServer receiver;
    private IntercomSimulator simulator;
    private IntercomHttp intercom;

    @BeforeEach
    void start() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/webhooks/intercom", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            received.add(new Received(exchange.getRequestHeaders().getFirst("X-Hub-Signature"),
                    exchange.getRequestHeaders().getFirst("User-Agent"),
                    exchange.getRequestHeaders().getFirst("Content-Type"), body));
            Integer status = answers.poll();
            exchange.sendResponseHeaders(status == null ? 200 : status, -1);
            exchange.close();
        });
        receiver.start();
        String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/webhooks/intercom";
        simulator = new IntercomSimulator(IntercomSimulatorSettings.defaults().withPort(0).withWebhookUrl(url), SEED);
        simulator.setWebhookRetryDelay(Duration.ofMillis(200));
        simulator.start();
        intercom = new IntercomHttp(simulator.baseUrl(), "sandbox-token");
    }

    @AfterEach
    void stop() {
        intercom.close();
        simulator.close();
        receiver.stop(0);
    }

    @Test
    void aChangeThroughTheApiIsNotifiedWithAValidSignature() throws Exception {
        IntercomSeed user = CONTACTS.stream().filter(c -> c.role().equals("user")).findFirst().orElseThrow();
        JsonNode updated = intercom.put("/contacts/" + user.id(), Map.of("custom_attributes", Map.of("nickname", "Hex"))).json();

        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
        Received notification = received.get(0);
        assertThat(notification.signature()).isEqualTo("sha1=" + hmacSha1Hex(SECRET, notification.body()));
        assertThat(notification.userAgent()).isEqualTo("intercom-parrot-service-client/1.0");
        assertThat(notification.contentType()).startsWith("application/json");
        JsonNode event = notification.json();
        assertThat(event.path("type").asText()).isEqualTo("notification_event");
        assertThat(event.path("topic").asText()).isEqualTo("contact.user.updated");
        assertThat(event.path("id").asText()).startsWith("notif_");
        assertThat(event.path("app_id").asText()).isNotEmpty();
        assertThat(event.path("delivery_attempts").asInt()).isEqualTo(1);
        assertThat(event.path("created_at").asLong()).isEqualTo(event.path("first_sent_at").asLong()).isPositive();
        assertThat(event.path("data").path("type").asText()).isEqualTo("notification_event_data");
        assertThat(event.path("data").path("item")).isEqualTo(updated);
        // The item is a full contact: the spec's contact schema must accept it as a GET would return it.
        IntercomSpec.assertValid("GET", "/contacts/" + user.id(), 200,
                Map.of("Content-Type", List.of("application/json")), event.path("data").path("item").toString());
        await().atMost(Duration.ofSeconds(5)).until(() -> simulator.webhooksDelivered() == 1);
    }

    @Test
    void aFailedDeliveryIsRetriedOnceWithTheAttemptCounted() throws Exception {
        IntercomSeed lead = CONTACTS.stream().filter(c -> c.role().equals("lead")).findFirst().orElseThrow();
        answers.add(500);
        intercom.put("/contacts/" + lead.id(), Map.of("phone", "+1 555 0100 0000"));

        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 2);
        JsonNode first = received.get(0).json();
        JsonNode retry = received.get(1).json();
        assertThat(first.path("topic").asText()).isEqualTo("contact.lead.updated");
        assertThat(retry.path("id").asText()).isEqualTo(first.path("id").asText());
        assertThat(first.path("delivery_attempts").asInt()).isEqualTo(1);
        assertThat(retry.path("delivery_attempts").asInt()).isEqualTo(2);
        assertThat(retry.path("first_sent_at")).isEqualTo(first.path("first_sent_at"));
        assertThat(received.get(1).signature()).isEqualTo("sha1=" + hmacSha1Hex(SECRET, received.get(1).body()));
        await().atMost(Duration.ofSeconds(5)).until(() -> simulator.webhooksDelivered() == 1);
    }

    @Test
    void noWebhookIsSentWhenTurnedOffOrWhenNothingChanged() throws Exception {
        IntercomSeed user = CONTACTS.stream().filter(c -> c.role().equals("user")).skip(1).findFirst().orElseThrow();
        intercom.put("/contacts/" + user.id(), Map.of("name", user.name())); // no change
        simulator.setWebhookUrl(null);
        intercom.put("/contacts/" + user.id(), Map.of("name", "Grace Hopper II"));
        simulator.setWebhookUrl("http://127.0.0.1:" + receiver.getAddress().getPort() + "/webhooks/intercom");
        intercom.put("/contacts/" + user.id(), Map.of("name", "Grace Hopper III"));

        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() >= 1);
        assertThat(received).hasSize(1);
        assertThat(received.get(0).json().path("data").path("item").path("name").asText()).isEqualTo("Grace Hopper III");
    }

    private static String hmacSha1Hex(String secret, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        return HexFormat.of().formatHex(mac.doFinal(body));
    }
}

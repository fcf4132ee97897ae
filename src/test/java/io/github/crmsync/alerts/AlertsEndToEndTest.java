package io.github.crmsync.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpServer;
import io.github.crmsync.sandbox.seed.SeedPerson;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.LogCapture;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.SalesforceClient;
import io.github.crmsync.testing.SimulatedWorld;
import io.github.crmsync.testing.WholeService;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;


import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Each of the five alerts reaches an operator once, by e-mail (GreenMail) and by the webhook (a
 * local HTTP receiver), with its figures and a link to the page, and is not sent again within the
 * quiet period however often it comes up again: the tier changes, sync errors pile up, event sync
 * falls behind, a circuit breaker stays open, a bulk run fails. Small thresholds, a check every
 * 300 ms; the quiet period (60 minutes) outlasts the test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AlertsEndToEndTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final String OPERATOR = "ops@example.test";
    private static final String PAGE = "https://crmsync.example.test";
    private static final String HOOK_SECRET = "hook-secret-token-4711";
    private static final String FAILING_SECRET = "failing-hook-secret-0815";
    /** Everything logged from before the service starts until it has stopped. */
    private static final StringWriter LOG = new StringWriter();
    private static GreenMail mail;
    private static HttpServer receiver;
    private static final List<JsonNode> posted = new CopyOnWriteArrayList<>();
    /** Holds the slow receiver's answers until the test ends. */
    private static final CountDownLatch slowAnswers = new CountDownLatch(1);
    private static final AtomicInteger slowCalls = new AtomicInteger();

    @RegisterExtension
    static final WholeService whole = WholeService.inWorld(300)
            .with("crmsync.alerts.check-ms", "300")
            .with("crmsync.alerts.send-timeout-ms", "1000")
            .with("crmsync.public-url", PAGE)
            // the tier follows the org's counter within a second or two
            .with("crmsync.quota.limits-poll-cron", "* * * * * ?")
            .with("crmsync.quota.limits-poll-idle-ms", "1000")
            .with("crmsync.quota.tier-check-ms", "300")
            // a Salesforce that only fails ends a bulk run quickly
            .with("crmsync.retry.max-redeliveries", "1")
            .with("crmsync.retry.initial-delay-ms", "20")
            .with("crmsync.retry.max-delay-ms", "50")
            .withSandboxMappings()
            .beforeStart((world, properties, directory) -> {
                String appender = LogCapture.start(LOG);
                mail = new GreenMail(new ServerSetup(RunningService.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
                mail.start();
                properties.put("crmsync.mail.host", "127.0.0.1");
                properties.put("crmsync.mail.port", Integer.toString(mail.getSmtp().getPort()));
                receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", RunningService.freePort()), 0);
                receiver.createContext("/hooks/crmsync", exchange -> {
                    try (exchange) {
                        JsonNode body = new ObjectMapper().readTree(exchange.getRequestBody());
                        ((com.fasterxml.jackson.databind.node.ObjectNode) body).put("_query", exchange.getRequestURI().getRawQuery());
                        ((com.fasterxml.jackson.databind.node.ObjectNode) body).put("_contentType",
                                exchange.getRequestHeaders().getFirst("Content-Type"));
                        posted.add(body);
                        exchange.sendResponseHeaders(204, -1);
                    }
                });
                receiver.createContext("/hooks/failing", exchange -> {
                    try (exchange) {
                        exchange.getRequestBody().readAllBytes();
                        exchange.sendResponseHeaders(503, -1);
                    }
                });
                receiver.createContext("/hooks/slow", exchange -> {
                    try (exchange) {
                        slowCalls.incrementAndGet();
                        slowAnswers.await(2, TimeUnit.MINUTES);
                        exchange.sendResponseHeaders(204, -1);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                receiver.setExecutor(Executors.newCachedThreadPool());
                receiver.start();
                return () -> {
                    slowAnswers.countDown();
                    receiver.stop(0);
                    mail.stop();
                    LogCapture.stop(appender);
                };
            });

    private String webhookUrl() {
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks/crmsync?token=" + HOOK_SECRET;
    }

    private String url(String path) {
        return whole.service().serviceUrl() + path;
    }

    @Test
    @Order(1)
    void badAlertSettingsAreRefusedNamingEachField() {
        Http.Answer refused = Http.put(url("/api/settings"), Http.json(Map.of("alerts", Map.of(
                "recipients", List.of(OPERATOR, "not-an-address"),
                "webhookUrl", "ftp://hooks.example.test/x",
                "syncErrorsPerHour", 0,
                "eventSyncLagSeconds", "soon",
                "quietPeriodMinutes", 1.5,
                "colour", "red"))));
        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        assertThat(refused.json().path("error").asText()).isEqualTo("The settings are not valid.");
        assertThat(texts(refused.json().path("problems"))).containsExactlyInAnyOrder(
                "unknown alert setting: alerts.colour",
                "alerts.recipients[1] is not an e-mail address: 'not-an-address'",
                "alerts.webhookUrl must be an http:// or https:// URL, not ftp:",
                "alerts.syncErrorsPerHour must be a whole number from 1 to 1000000",
                "alerts.eventSyncLagSeconds must be a whole number from 1 to 604800",
                "alerts.quietPeriodMinutes must be a whole number from 1 to 10080");

        Http.Answer relative = Http.put(url("/api/settings"), Http.json(Map.of("alerts", Map.of("webhookUrl", "/hooks/x"))));
        assertThat(relative.status()).isEqualTo(400);
        assertThat(texts(relative.json().path("problems"))).containsExactly("alerts.webhookUrl must be an absolute http:// or https:// URL");
        Http.Answer withUser = Http.put(url("/api/settings"),
                Http.json(Map.of("alerts", Map.of("webhookUrl", "https://user:pw@hooks.example.test/x"))));
        assertThat(withUser.status()).isEqualTo(400);
        assertThat(withUser.body()).as("the URL is not repeated").doesNotContain("pw@");

        JsonNode unchanged = Http.get(url("/api/settings")).json().path("alerts");
        assertThat(unchanged.path("recipients")).as("nothing of a refused save is kept").isEmpty();
        assertThat(unchanged.path("syncErrorsPerHour").asInt()).isEqualTo(50);
    }

    @Test
    @Order(2)
    void eachAlertArrivesOnceByMailAndWebhookAndNotAgainWithinTheQuietPeriod() throws Exception {
        SimulatedWorld world = whole.world();
        Http.Answer saved = Http.put(url("/api/settings"), Http.json(Map.of("alerts", Map.of(
                "enabled", true, "recipients", List.of(OPERATOR), "webhookUrl", webhookUrl(),
                "syncErrorsPerHour", 1, "eventSyncLagSeconds", 2, "circuitOpenSeconds", 1, "quietPeriodMinutes", 60))));
        assertThat(saved.status()).as(saved.body()).isEqualTo(200);
        assertThat(saved.json().path("alerts").path("webhookUrl").asText()).as("the token is not answered back")
                .isEqualTo("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks/crmsync?***");
        assertThat(saved.json().path("lowerThresholdPercent").asInt()).as("the API budget kept").isEqualTo(40);
        Http.Answer budgetOnly = Http.put(url("/api/settings"), "{\"lowerThresholdPercent\":40,\"upperThresholdPercent\":80,\"allocation\":null}");
        assertThat(budgetOnly.json().path("alerts").path("recipients")).as("a save without alerts keeps them")
                .containsExactly(new ObjectMapper().valueToTree(OPERATOR));
        Http.Answer masked = Http.put(url("/api/settings"), Http.json(Map.of("alerts",
                Map.of("webhookUrl", saved.json().path("alerts").path("webhookUrl").asText()))));
        assertThat(masked.status()).isEqualTo(200);
        assertThat(whole.service().bean("alertSettingsStore", AlertSettingsStore.class).current().webhookUrl())
                .as("the masked URL sent back keeps the stored one").isEqualTo(webhookUrl());

        // a record whose e-mail two Salesforce records share fails to sync; the poll's end starts the lag
        SeedPerson twin = ambiguous(world);
        assertThat(SalesforceClient.asOtherClient(world.salesforce.baseUrl())
                .update(twin.salesforce().type(), twin.salesforce().id(), Map.of("Phone", "+1 555 0177 0001")).status()).isEqualTo(204);
        assertThat(Http.post(url("/api/event-sync/run"), "").status()).isEqualTo(200);

        // the org's consumption crosses 40 %, and falls back (a second change, within the quiet period)
        world.salesforce.addApiRequests("other-client", 45_000);
        await().atMost(PATIENCE).until(() -> kinds().contains("TIER_CHANGED"));
        world.salesforce.resetApiRequests();
        await().atMost(PATIENCE).until(() -> heldBackAt("TIER_CHANGED") != null);

        // Salesforce fails every call: the bulk run that starts now fails
        world.salesforce.faults().set(0, 1.0, 0, 0);
        long run = startBulk();
        await().atMost(PATIENCE).until(() -> Http.get(url("/api/bulk-sync/runs")).json().path("runs").get(0).path("status").asText()
                .equals("FAILED"));
        // Intercom's breaker opens (as after calls that failed for want of Intercom) and stays open
        whole.service().bean("intercomCircuitBreaker", CircuitBreaker.class).transitionToForcedOpenState();

        List<String> all = List.of("TIER_CHANGED", "SYNC_ERROR_RATE", "EVENT_SYNC_LAG", "CIRCUIT_BREAKER_OPEN", "BULK_RUN_FAILED");
        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(kinds()).as("webhook").containsExactlyInAnyOrderElementsOf(all);
            assertThat(mails().keySet()).as("e-mail").containsExactlyInAnyOrderElementsOf(all);
        });

        Map<String, JsonNode> byKind = posted.stream().collect(Collectors.toMap(p -> p.path("kind").asText(), Function.identity()));
        Map<String, String> mailed = mails().entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get(0)));
        assertThat(byKind.get("TIER_CHANGED").path("figures").path("from").asText()).isEqualTo("ALL");
        assertThat(byKind.get("TIER_CHANGED").path("figures").path("to").asText()).isEqualTo("NO_BULK_SYNC");
        assertThat(byKind.get("TIER_CHANGED").path("figures").path("orgUsed").asLong()).isGreaterThanOrEqualTo(45_000);
        assertThat(mailed.get("TIER_CHANGED")).contains("from ALL to NO_BULK_SYNC", "of 100,000 calls", PAGE + "/#usage");
        assertThat(byKind.get("SYNC_ERROR_RATE").path("figures").path("errorsLastHour").asLong()).isPositive();
        assertThat(mailed.get("SYNC_ERROR_RATE")).contains("records failed to sync within the last 60 minutes", PAGE + "/#errors");
        assertThat(byKind.get("EVENT_SYNC_LAG").path("figures").path("lagSeconds").asLong()).isGreaterThanOrEqualTo(2);
        assertThat(mailed.get("EVENT_SYNC_LAG")).contains("seconds behind (alert threshold: 2 s)", "last read to the end");
        assertThat(byKind.get("CIRCUIT_BREAKER_OPEN").path("figures").path("breaker").asText()).isIn("intercom", "salesforce");
        assertThat(mailed.get("CIRCUIT_BREAKER_OPEN")).contains("circuit breaker of replica", "has not closed since");
        assertThat(byKind.get("BULK_RUN_FAILED").path("figures").path("runId").asLong()).isEqualTo(run);
        assertThat(byKind.get("BULK_RUN_FAILED").path("figures").path("error").asText()).isNotBlank();
        assertThat(mailed.get("BULK_RUN_FAILED")).contains("Bulk sync #" + run + ", started by alerts-test", "Why: ", PAGE + "/#bulk");
        for (JsonNode body : posted) {
            assertThat(body.path("_contentType").asText()).startsWith("application/json");
            assertThat(body.path("_query").asText()).as("posted to the URL as saved").isEqualTo("token=" + HOOK_SECRET);
            assertThat(body.path("link").asText()).startsWith(PAGE + "/#");
            assertThat(body.path("text").asText()).isNotBlank();
            assertThat(body.toString().replace(HOOK_SECRET, "")).as("no secret in the alert")
                    .doesNotContain(HOOK_SECRET, "sandbox-secret", "sandbox-token", RunningService.ADMIN_PASSWORD);
        }

        // again: another failed run; the errors, the lag and the open breaker persist. Each is held back.
        Instant again = Instant.now();
        startBulk();
        await().atMost(PATIENCE).untilAsserted(() -> {
            for (String kind : List.of("SYNC_ERROR_RATE", "EVENT_SYNC_LAG", "CIRCUIT_BREAKER_OPEN", "BULK_RUN_FAILED")) {
                assertThat(heldBackAt(kind)).as(kind).isNotNull().isAfter(again);
            }
        });
        world.salesforce.faults().set(0, 0, 0, 0);
        assertThat(kinds()).as("webhook, within the quiet period").containsExactlyInAnyOrderElementsOf(all);
        assertThat(mails().values()).as("e-mail, within the quiet period").allSatisfy(texts -> assertThat(texts).hasSize(1));
        assertThat(mails().keySet()).containsExactlyInAnyOrderElementsOf(all);
    }

    @Test
    @Order(3)
    void aFailingWebhookIsOneWarningWithoutItsSecretAndTheMailsStillGo() throws Exception {
        String failing = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks/failing?token=" + FAILING_SECRET;
        assertThat(Http.put(url("/api/settings"), Http.json(Map.of("alerts", Map.of("webhookUrl", failing)))).status()).isEqualTo(200);
        int warningsBefore = warnings();
        // the quiet period over (as an hour later): the errors, the lag and the open breaker are due again
        try (Connection c = DriverManager.getConnection(whole.world().database.jdbcUrl(), whole.world().database.user(), "");
             PreparedStatement delete = c.prepareStatement("DELETE FROM alert_sent")) {
            delete.executeUpdate();
        }
        await().atMost(PATIENCE).untilAsserted(() -> {
            Map<String, List<String>> mails = mails();
            for (String kind : List.of("SYNC_ERROR_RATE", "EVENT_SYNC_LAG", "CIRCUIT_BREAKER_OPEN")) {
                assertThat(mails.get(kind)).as(kind + ": mailed again, as a reminder").hasSize(2);
            }
            assertThat(warnings()).isGreaterThan(warningsBefore);
        });
        String log = LOG.toString();
        assertThat(warnings() - warningsBefore).as("three webhook calls failed: one warning\n" + log).isEqualTo(1);
        assertThat(log).contains("The alert webhook at http://127.0.0.1:" + receiver.getAddress().getPort() + " failed for \"[crmsync] ")
                .contains("\": it answered HTTP 503. Alerts that fail are not tried again within the quiet period.");
        assertThat(log).as("the webhooks' secrets are never logged").doesNotContain(FAILING_SECRET, HOOK_SECRET, "/hooks/failing");
        assertThat(kinds()).as("nothing reached the first webhook since").hasSize(5);
    }

    @Test
    @Order(4)
    void aWebhookThatDoesNotAnswerIsGivenUpAfterTheTimeoutAndHoldsNothingUp() throws Exception {
        String slow = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks/slow";
        assertThat(Http.put(url("/api/settings"), Http.json(Map.of("alerts", Map.of("webhookUrl", slow)))).status()).isEqualTo(200);
        try (Connection c = DriverManager.getConnection(whole.world().database.jdbcUrl(), whole.world().database.user(), "");
             PreparedStatement delete = c.prepareStatement("DELETE FROM alert_sent")) {
            delete.executeUpdate();
        }
        // the receiver holds every answer for two minutes; the webhook's 1 s timeout lets each alert go on
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Map<String, List<String>> mails = mails();
            for (String kind : List.of("SYNC_ERROR_RATE", "EVENT_SYNC_LAG", "CIRCUIT_BREAKER_OPEN")) {
                assertThat(mails.get(kind)).as(kind).hasSize(3);
            }
            assertThat(slowCalls.get()).as("each alert was posted, and given up on").isGreaterThanOrEqualTo(3);
        });
        assertThat(slowAnswers.getCount()).as("no answer came").isEqualTo(1);
    }

    private static int warnings() {
        String log = LOG.toString();
        int count = 0;
        for (int at = log.indexOf("The alert webhook at "); at >= 0; at = log.indexOf("The alert webhook at ", at + 1)) {
            count++;
        }
        return count;
    }


    private long startBulk() {
        Http.Answer started = Http.post(url("/api/bulk-sync"), "{\"startedBy\":\"alerts-test\"}");
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        return started.json().path("id").asLong();
    }

    private static SeedPerson ambiguous(SimulatedWorld world) {
        for (int i = 1; i < world.seed.people(); i++) {
            if (world.seed.isDuplicate(i) && world.seed.person(i).salesforce() != null && world.seed.person(i - 1).salesforce() != null) {
                return world.seed.person(i - 1);
            }
        }
        throw new IllegalStateException("the seed has no e-mail twice in Salesforce");
    }

    private static List<String> kinds() {
        return posted.stream().map(p -> p.path("kind").asText()).toList();
    }

    /** The alert e-mails to the operator by kind (from their subjects), each kind's texts. */
    private static Map<String, List<String>> mails() throws Exception {
        Map<String, List<String>> byKind = new java.util.TreeMap<>();
        for (MimeMessage message : mail.getReceivedMessages()) {
            if (!Arrays.toString(message.getAllRecipients()).contains(OPERATOR)) {
                continue;
            }
            String subject = message.getSubject();
            String kind = subject.contains("API tier") ? "TIER_CHANGED" : subject.contains(" in the last hour") ? "SYNC_ERROR_RATE"
                    : subject.contains("Event sync") ? "EVENT_SYNC_LAG" : subject.contains("Circuit breaker") ? "CIRCUIT_BREAKER_OPEN"
                    : subject.contains("Bulk sync") ? "BULK_RUN_FAILED" : subject;
            byKind.computeIfAbsent(kind, k -> new ArrayList<>()).add(((String) message.getContent()).replace("\r\n", "\n"));
        }
        return byKind;
    }

    private static Instant heldBackAt(String kind) throws Exception {
        SimulatedWorld world = whole.world();
        try (Connection c = DriverManager.getConnection(world.database.jdbcUrl(), world.database.user(), "");
             PreparedStatement select = c.prepareStatement("SELECT held_back_at FROM alert_sent WHERE kind = ?")) {
            select.setString(1, kind);
            try (ResultSet rs = select.executeQuery()) {
                Timestamp at = rs.next() ? rs.getTimestamp(1) : null;
                return at == null ? null : at.toInstant();
            }
        }
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(n -> texts.add(n.asText()));
        return texts;
    }
}

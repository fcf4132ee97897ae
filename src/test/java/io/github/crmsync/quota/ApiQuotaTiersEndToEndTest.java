package io.github.crmsync.quota;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.crmsync.intercom.WebhookSignature;
import io.github.crmsync.sandbox.seed.SeedPerson;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.IntercomClientForTests;
import io.github.crmsync.testing.PrometheusScrape;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.SalesforceClient;
import io.github.crmsync.testing.SimulatedWorld;
import io.github.crmsync.testing.WholeService;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The API-usage tiers acting: the Salesforce simulator's 24-hour counter is driven across 40 % and
 * 80 % and back. At 80 % the event-sync Quartz triggers are paused in the clustered job store (so on
 * every replica), webhooks are still taken and stored, the inbox card still answers; when
 * consumption falls the triggers resume and what arrived meanwhile reaches Salesforce.
 */
class ApiQuotaTiersEndToEndTest {

    /** Event sync every 2 s, the tier read every second while idle. */
    @Nested
    class EventSyncPause {

        @RegisterExtension
        static final WholeService whole = WholeService.inWorld(500)
                .with("crmsync.event.poll-cron", "0/2 * * * * ?")
                .with("crmsync.quota.limits-poll-cron", "* * * * * ?")
                .with("crmsync.quota.limits-poll-idle-ms", "1500")
                .with("crmsync.quota.tier-check-ms", "300")
                .withSandboxMappings();

        @Test
        void eventSyncPausesAt80PercentKeepsWebhooksAndResumesWhenConsumptionFalls() throws Exception {
            SimulatedWorld world = whole.world();
            RunningService service = whole.service();
            SalesforceClient salesforce = SalesforceClient.asOtherClient(world.salesforce.baseUrl());
            IntercomClientForTests intercom = new IntercomClientForTests(world.intercom.baseUrl());
            String usage = service.serviceUrl() + "/api/salesforce-usage";

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(Http.get(usage).json().path("tier").asText()).isEqualTo("ALL");
                assertThat(triggerStates(world)).hasSize(2).doesNotContainValue("PAUSED");
            });

            world.salesforce.addApiRequests("other-client", 45_000);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(Http.get(usage).json().path("tier").asText()).isEqualTo("NO_BULK_SYNC"));
            assertThat(tierGauge(service)).as("the tier on /observe/metrics").isEqualTo(1.0);
            assertThat(triggerStates(world)).as("event sync still runs from 40 %").doesNotContainValue("PAUSED");
            SeedPerson viewed = world.unusedPerson(SimulatedWorld.inBoth(false));
            assertThat(canvas(service, intercom.get(viewed.intercom().id())).body()).as("the inbox card at 45 %")
                    .contains(viewed.salesforce().id());

            world.salesforce.addApiRequests("other-client", 40_000);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(Http.get(usage).json().path("tier").asText()).isEqualTo("INBOX_APP_ONLY");
                assertThat(triggerStates(world)).hasSize(2).containsOnlyKeys(
                        "event-sync.salesforce-changes", "event-sync.intercom-contacts")
                        .allSatisfy((trigger, state) -> assertThat(state).as(trigger).isEqualTo("PAUSED"));
            });
            assertThat(triggerState(world, "quota.salesforce-limits")).as("the /limits poll is not governed")
                    .isNotEqualTo("PAUSED");
            assertThat(tierGauge(service)).as("the tier on /observe/metrics").isEqualTo(2.0);

            // while paused: a change in each system, and a teammate opening a conversation
            SeedPerson fromIntercom = world.unusedPerson(SimulatedWorld.inBoth(false));
            SeedPerson fromSalesforce = world.unusedPerson(SimulatedWorld.inBoth(false));
            assertThat(intercom.update(fromIntercom.intercom().id(),
                    Map.of("custom_attributes", Map.of("nickname", "Paused nick"))).status()).isEqualTo(200);
            assertThat(salesforce.update("Contact", fromSalesforce.salesforce().id(),
                    Map.of("Phone", "+1 555 0142 0042")).status()).isEqualTo(204);
            long writesBefore = world.salesforce.writeCount();
            await().atMost(Duration.ofSeconds(15)).until(() -> pendingChanges(world, fromIntercom.intercom().id()) > 0);
            Http.Answer retryAll = Http.post(service.serviceUrl() + "/api/sync-errors/retry?direction=ALL", "");
            assertThat(retryAll.status()).as("a retry spends Salesforce calls: refused at the top tier").isEqualTo(409);
            assertThat(retryAll.json().path("error").asText()).contains("INBOX_APP_ONLY");
            Http.Answer card = canvas(service, intercom.get(fromIntercom.intercom().id()));
            assertThat(card.status()).as(card.body()).isEqualTo(200);
            assertThat(card.body()).contains(fromIntercom.salesforce().id());
            await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).untilAsserted(() -> {
                assertThat(world.salesforce.writeCount()).as("nothing written to Salesforce while paused").isEqualTo(writesBefore);
                assertThat(intercom.get(fromSalesforce.intercom().id()).path("phone").asText()).isNotEqualTo("+1 555 0142 0042");
                assertThat(pendingChanges(world, fromIntercom.intercom().id())).as("the webhook's change is kept").isPositive();
            });
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                JsonNode figures = Http.get(usage).json();
                Map<String, Long> perClient = world.salesforce.apiRequestsUsedByClient();
                assertThat(figures.path("ownUsed").asLong()).isEqualTo(perClient.get("sandbox-client"));
                assertThat(figures.path("othersUsed").asLong()).isEqualTo(perClient.get("other-client"));
                assertThat(figures.path("orgUsed").asLong()).isEqualTo(world.salesforce.apiRequestsUsed());
            });

            world.salesforce.resetApiRequests();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(Http.get(usage).json().path("tier").asText()).isEqualTo("ALL");
                assertThat(triggerStates(world)).hasSize(2).doesNotContainValue("PAUSED");
            });
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(world.salesforce.record("Contact", fromIntercom.salesforce().id()).orElseThrow()
                        .get("Nickname__c")).as("the change stored during the pause").isEqualTo("Paused nick");
                assertThat(intercom.get(fromSalesforce.intercom().id()).path("phone").asText()).isEqualTo("+1 555 0142 0042");
            });
            // the notifications of the service's own writes arrive too, and are settled in turn
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(pendingChanges(world, fromIntercom.intercom().id())).isZero());
            assertThat(tierGauge(service)).as("the tier on /observe/metrics").isZero();
            assertThat(canvas(service, intercom.get(viewed.intercom().id())).body()).as("the inbox card after the pause")
                    .contains(viewed.salesforce().id());
        }
    }

    /** Event sync on demand only, the tier read every 3 s while idle. */
    @Nested
    class RequestLimitExceeded {

        @RegisterExtension
        static final WholeService whole = WholeService.inWorld(500)
                .with("crmsync.quota.limits-poll-cron", "* * * * * ?")
                .with("crmsync.quota.limits-poll-idle-ms", "3000")
                .with("crmsync.quota.tier-check-ms", "300")
                .withSandboxMappings();

        @Test
        void requestLimitExceededFromSalesforceMovesToTheTopTierAtOnceUntilAFreshReading() throws Exception {
            SimulatedWorld world = whole.world();
            RunningService service = whole.service();
            SalesforceClient salesforce = SalesforceClient.asOtherClient(world.salesforce.baseUrl());
            String usage = service.serviceUrl() + "/api/salesforce-usage";
            assertThat(Http.post(service.serviceUrl() + "/api/event-sync/run", "").status()).isEqualTo(200);
            assertThat(Http.get(usage).json().path("tier").asText()).isEqualTo("ALL");

            SeedPerson p = world.unusedPerson(SimulatedWorld.inBoth(false));
            assertThat(salesforce.update("Contact", p.salesforce().id(), Map.of("Phone", "+1 555 0142 0043")).status())
                    .isEqualTo(204);
            world.salesforce.addApiRequests("other-client", 100_000);
            SeedPerson r = world.unusedPerson(SimulatedWorld.inBoth(false));
            IntercomClientForTests intercom = new IntercomClientForTests(world.intercom.baseUrl());
            assertThat(intercom.update(r.intercom().id(), Map.of("custom_attributes", Map.of("nickname", "Refused today")))
                    .status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(15)).until(() -> pendingChanges(world, r.intercom().id()) > 0);
            // the poll's query is refused with 403 REQUEST_LIMIT_EXCEEDED: the tier moves without waiting for /limits
            Http.post(service.serviceUrl() + "/api/event-sync/run", "");
            assertThat(Http.get(usage).json().path("tier").asText()).isEqualTo("INBOX_APP_ONLY");
            assertThat(service.bean("currentTier", java.util.function.Supplier.class).get()).isEqualTo(UsageTier.INBOX_APP_ONLY);
            SalesforceApiUsage calls = service.bean("salesforceApiUsage", SalesforceApiUsage.class);
            java.time.Instant pausedAt = java.time.Instant.now();
            Map<String, Long> callsBefore = new LinkedHashMap<>(calls.ownCallsByRoute(pausedAt));
            callsBefore.remove("salesforce-limits-poll");
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                Map<String, Long> callsNow = new LinkedHashMap<>(calls.ownCallsByRoute(pausedAt));
                callsNow.remove("salesforce-limits-poll");
                assertThat(callsNow).as("no sync calls while the allowance is spent").isEqualTo(callsBefore);
                assertThat(pendingChanges(world, r.intercom().id())).as("the Intercom change is kept, not an error").isPositive();
            });
            assertThat(Http.get(service.serviceUrl() + "/api/sync-errors?direction=ALL&text=" + r.intercom().id())
                    .json().path("total").asLong()).isZero();

            world.salesforce.resetApiRequests();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(Http.get(usage).json().path("tier").asText()).as("a fresh /limits reading").isEqualTo("ALL"));
            assertThat(Http.post(service.serviceUrl() + "/api/event-sync/run", "").status()).isEqualTo(200);
            assertThat(intercom.get(p.intercom().id()).path("phone").asText())
                    .as("the change refused meanwhile is synced now").isEqualTo("+1 555 0142 0043");
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(world.salesforce
                    .record("Contact", r.salesforce().id()).orElseThrow().get("Nickname__c")).isEqualTo("Refused today"));
        }
    }

    private static Http.Answer canvas(RunningService service, JsonNode contact) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("workspace_id", "ecahpwf5");
        request.put("conversation", Map.of("type", "conversation", "id", "1234"));
        request.put("contact", contact);
        byte[] body = Http.json(request).getBytes(StandardCharsets.UTF_8);
        return Http.postBytes(service.serviceUrl() + "/intercom/canvas/initialize", body,
                "X-Body-Signature", new WebhookSignature("sandbox-webhook-secret").bodySignature(body));
    }

    /** Event-sync trigger states as the clustered job store holds them ("group.name" → state). */
    private static Map<String, String> triggerStates(SimulatedWorld world) throws SQLException {
        Map<String, String> states = new LinkedHashMap<>();
        try (Connection c = connect(world); ResultSet rs = c.createStatement().executeQuery(
                "SELECT trigger_group, trigger_name, trigger_state FROM qrtz_triggers WHERE trigger_group = 'event-sync' ORDER BY 2")) {
            while (rs.next()) {
                states.put(rs.getString(1) + "." + rs.getString(2), rs.getString(3));
            }
        }
        return states;
    }

    private static String triggerState(SimulatedWorld world, String groupAndName) throws SQLException {
        String[] parts = groupAndName.split("\\.", 2);
        try (Connection c = connect(world); var select = c.prepareStatement(
                "SELECT trigger_state FROM qrtz_triggers WHERE trigger_group = ? AND trigger_name = ?")) {
            select.setString(1, parts[0]);
            select.setString(2, parts[1]);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static long pendingChanges(SimulatedWorld world, String intercomId) throws SQLException {
        try (Connection c = connect(world); var select = c.prepareStatement("SELECT count(*) FROM intercom_change WHERE intercom_id = ?")) {
            select.setString(1, intercomId);
            try (ResultSet rs = select.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static Connection connect(SimulatedWorld world) throws SQLException {
        return DriverManager.getConnection(world.database.jdbcUrl(), world.database.user(), "");
    }

    private static double tierGauge(RunningService service) {
        return PrometheusScrape.of(service.managementUrl() + "/observe/metrics").sum("crmsync_salesforce_api_tier");
    }
}

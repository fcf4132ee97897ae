package io.github.crmsync.eventsync;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.crmsync.admin.ServiceOperations;
import io.github.crmsync.errors.SyncErrorStore;
import io.github.crmsync.mapping.AttributeMapping;
import io.github.crmsync.mapping.SandboxMappings;
import io.github.crmsync.sandbox.seed.SeedPerson;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.IntercomClientForTests;
import io.github.crmsync.testing.PrometheusScrape;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.SalesforceClient;
import io.github.crmsync.testing.SimulatedWorld;
import io.github.crmsync.testing.WholeService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Event sync misses nothing and never stalls, through the real service and both simulators: a
 * change made before the first poll arrives; a record read again in the overlap is not written
 * again; a page or batch that keeps failing goes record by record, so the others arrive and the
 * failing one is its own sync error; and the lag is there for an operator to see.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EventSyncNothingLostEndToEndTest {

    private static final String SERVICE_MBEAN = ServiceOperations.objectName().toString();

    @RegisterExtension
    static final WholeService whole = WholeService.inWorld(400)
            .with("camel.main.jmxEnabled", "true")
            .with("crmsync.event.whole-page-attempts", "2")
            // one try per failure, so the breakers stay closed and each whole failure is quick
            .with("crmsync.retry.max-redeliveries", "0")
            // Intercom changes wait for "poll now" (or ten minutes), so a waiting change can be seen waiting
            .with("crmsync.event.intercom-batch-window-ms", "600000");
    private SimulatedWorld world;
    private RunningService service;
    private SalesforceClient salesforce;
    private IntercomClientForTests intercom;

    @BeforeAll
    void start() throws Exception {
        world = whole.world();
        service = whole.service();
        salesforce = SalesforceClient.asOtherClient(world.salesforce.baseUrl());
        intercom = new IntercomClientForTests(world.intercom.baseUrl());
    }

    @AfterEach
    void noTargetedFaults() {
        world.intercom.onSearch(null);
        world.intercom.setWebhookUrl("http://127.0.0.1:" + world.serverPort + "/intercom/webhooks");
    }

    private void pollNow() {
        Http.Answer answer = Http.post(service.serviceUrl() + "/api/event-sync/run", "");
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    }

    private Object salesforceValue(SeedPerson p, String field) {
        return world.salesforce.record(p.salesforce().type(), p.salesforce().id()).orElseThrow().get(field);
    }

    private Integer seats(SeedPerson p) {
        return salesforceValue(p, "Seats__c") instanceof Number n ? n.intValue() : null;
    }

    private String intercomPhone(SeedPerson p) {
        return String.valueOf(world.intercom.contact(p.intercom().id()).orElseThrow().get("phone"));
    }

    @Test
    @Order(1)
    void changesMadeAfterTheMappingsAreSavedAndBeforeTheFirstPollArrive() {
        for (AttributeMapping mapping : SandboxMappings.defaults().all()) {
            Http.Answer created = Http.post(service.serviceUrl() + "/api/mappings", Http.json(Map.of(
                    "objectType", mapping.objectType().name(), "intercomAttribute", mapping.intercomAttribute(),
                    "salesforceField", mapping.salesforceField(), "direction", mapping.direction().name())));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
        }
        SeedPerson inSalesforce = world.unusedPerson(SimulatedWorld.inBoth(false));
        SeedPerson inIntercom = world.unusedPerson(SimulatedWorld.inBoth(false)
                .and(x -> !Integer.valueOf(61).equals(x.intercom().customAttributes().get("seats"))));
        world.intercom.setWebhookUrl(null);

        assertThat(salesforce.update("Contact", inSalesforce.salesforce().id(), Map.of("Phone", "+1 555 0161 0001")).status())
                .isEqualTo(204);
        assertThat(intercom.update(inIntercom.intercom().id(), Map.of("custom_attributes", Map.of("seats", 61))).status())
                .as("a change the webhook does not carry: only the Intercom poll can find it").isEqualTo(200);
        pollNow();

        assertThat(intercomPhone(inSalesforce)).as("the Salesforce change, made before the first poll").isEqualTo("+1 555 0161 0001");
        assertThat(((Number) salesforceValue(inIntercom, "Seats__c")).intValue())
                .as("the Intercom change, made before the first Intercom poll").isEqualTo(61);
    }

    @Test
    @Order(2)
    void aRecordReadAgainInTheOverlapIsNeitherWrittenAgainNorReportedTwice() throws Exception {
        SeedPerson changed = world.unusedPerson(SimulatedWorld.inBoth(false));
        int duplicate = -1;
        for (int i = 1; i < world.seed.people(); i++) {
            if (world.seed.isDuplicate(i) && world.seed.person(i).salesforce() != null
                    && world.seed.person(i - 1).salesforce() != null && world.seed.person(i - 1).intercom() != null) {
                duplicate = i;
                break;
            }
        }
        assertThat(duplicate).as("the seed has an e-mail twice in Salesforce").isPositive();
        SeedPerson ambiguous = world.seed.person(duplicate - 1);
        assertThat(salesforce.update("Contact", changed.salesforce().id(), Map.of("Phone", "+1 555 0161 0002")).status())
                .isEqualTo(204);
        assertThat(salesforce.update(ambiguous.salesforce().type(), ambiguous.salesforce().id(),
                Map.of("Phone", "+1 555 0161 0003")).status()).isEqualTo(204);
        pollNow();
        assertThat(intercomPhone(changed)).isEqualTo("+1 555 0161 0002");
        long writes = world.intercom.updateCount(changed.intercom().id());
        long allWrites = world.intercom.writeCount();
        long errorRows = errorRows("SALESFORCE_TO_INTERCOM");
        assertThat(errorRows).as("the ambiguous match is reported").isPositive();

        // both records are stamped after the last complete poll's start minus the overlap: read again
        pollNow();
        pollNow();

        assertThat(world.intercom.updateCount(changed.intercom().id())).as("read again, equal, not written").isEqualTo(writes);
        assertThat(world.intercom.writeCount()).isEqualTo(allWrites);
        assertThat(errorRows("SALESFORCE_TO_INTERCOM")).as("the same error, not one more row").isEqualTo(errorRows);
    }

    @Test
    @Order(3)
    void aPageThatKeepsFailingAsAWholeGoesRecordByRecordAndTheWatermarkMovesOn() throws Exception {
        SeedPerson first = world.unusedPerson(SimulatedWorld.inBoth(false));
        SeedPerson bad = world.unusedPerson(SimulatedWorld.inBoth(false));
        SeedPerson last = world.unusedPerson(SimulatedWorld.inBoth(false));
        // any Intercom search naming this contact's e-mail fails: the page's batched look-up does too
        String badEmail = String.valueOf(bad.salesforce().fields().get("Email")).toLowerCase(Locale.ROOT);
        world.intercom.onSearch(body -> {
            if (body.toString().toLowerCase(Locale.ROOT).contains(badEmail)) {
                throw new IllegalStateException("search index unavailable for this contact");
            }
        });
        for (SeedPerson p : List.of(first, bad, last)) {
            assertThat(salesforce.update("Contact", p.salesforce().id(), Map.of("Phone", "+1 555 0162 " + (1000 + p.index()))).status())
                    .isEqualTo(204);
        }
        Instant badStamp = OffsetDateTime.parse(salesforce.get("Contact", bad.salesforce().id()).path("SystemModstamp").asText(),
                DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ")).toInstant();

        pollNow();
        pollNow();
        assertThat(intercomPhone(first)).as("the page failed as a whole twice: nothing of it yet")
                .isNotEqualTo("+1 555 0162 " + (1000 + first.index()));
        assertThat(pageFailures()).isEqualTo(2);

        pollNow();

        assertThat(intercomPhone(first)).isEqualTo("+1 555 0162 " + (1000 + first.index()));
        assertThat(intercomPhone(last)).isEqualTo("+1 555 0162 " + (1000 + last.index()));
        assertThat(intercomPhone(bad)).isNotEqualTo("+1 555 0162 " + (1000 + bad.index()));
        List<Map<String, Object>> rows = service.bean("syncErrorStore", SyncErrorStore.class).list("SALESFORCE_TO_INTERCOM", 100);
        assertThat(rows).filteredOn(r -> bad.salesforce().id().equals(r.get("salesforceId"))).singleElement()
                .satisfies(row -> {
                    assertThat(row.get("errorCode")).as("Intercom's own code").isEqualTo("server_error");
                    assertThat(row.get("syncType")).isEqualTo("EVENT");
                });
        assertThat(rows).noneMatch(r -> first.salesforce().id().equals(r.get("salesforceId"))
                || last.salesforce().id().equals(r.get("salesforceId")));
        assertThat(watermarkAt()).as("the watermark moved past the failing record").isAfterOrEqualTo(badStamp);
        assertThat(pageFailures()).isZero();
    }

    @Test
    @Order(4)
    void aBatchThatKeepsFailingAsAWholeIsWrittenContactByContact() throws Exception {
        SeedPerson first = world.unusedPerson(SimulatedWorld.inBoth(false).and(x -> x.intercom().customAttributes().get("seats") == null
                || ((Number) x.intercom().customAttributes().get("seats")).intValue() != 71));
        SeedPerson bad = world.unusedPerson(SimulatedWorld.inBoth(false));
        SeedPerson last = world.unusedPerson(SimulatedWorld.inBoth(false));
        String badEmail = String.valueOf(bad.intercom().email()).toLowerCase(Locale.ROOT);
        world.intercom.onSearch(body -> {
            if (body.toString().toLowerCase(Locale.ROOT).contains(badEmail)) {
                throw new IllegalStateException("search index unavailable for this contact");
            }
        });
        long delivered = world.intercom.webhooksDelivered();
        for (SeedPerson p : List.of(first, bad, last)) {
            assertThat(intercom.update(p.intercom().id(), Map.of("custom_attributes", Map.of("seats", 71))).status()).isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> world.intercom.webhooksDelivered() >= delivered + 3);

        pollNow();
        pollNow();
        assertThat(seats(first)).as("the batch failed as a whole twice: nothing of it yet").isNotEqualTo(71);
        pollNow();

        // contact by contact: each on its own, the one that fails its own error (the next contact at the next check)
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(seats(first)).isEqualTo(71);
            assertThat(seats(last)).isEqualTo(71);
            assertThat(waitingChanges(first, bad, last)).as("the batch completed").isZero();
        });
        assertThat(seats(bad)).isNotEqualTo(71);
        List<Map<String, Object>> rows = service.bean("syncErrorStore", SyncErrorStore.class).list("INTERCOM_TO_SALESFORCE", 100);
        assertThat(rows).filteredOn(r -> bad.intercom().id().equals(r.get("intercomId"))).singleElement()
                .satisfies(row -> assertThat(row.get("errorCode")).isEqualTo("server_error"));
    }

    @Test
    @Order(5)
    void theLagOfAWaitingChangeShowsAsMetricAndMBeanAttributeAndFallsAfterSync() {
        SeedPerson p = world.unusedPerson(SimulatedWorld.inBoth(false));
        SeedPerson q = world.unusedPerson(SimulatedWorld.inBoth(false));
        pollNow();
        assertThat(intercom.update(q.intercom().id(), Map.of("custom_attributes", Map.of("seats", 81))).status()).isEqualTo(200);
        assertThat(salesforce.update("Contact", p.salesforce().id(), Map.of("Phone", "+1 555 0163 0001")).status()).isEqualTo(204);
        IntercomChanges changes = service.bean("intercomChanges", IntercomChanges.class);
        await().atMost(Duration.ofSeconds(20)).until(() -> changes.pending() >= 1);
        // both wait: the poll's age and the change's grow
        double pollAge = await().atMost(Duration.ofSeconds(30)).until(() -> contactsPollAge(scrape()), age -> age >= 3);
        double changeAge = await().atMost(Duration.ofSeconds(30)).until(() -> oldestChangeAge(scrape()), age -> age >= 3);
        await().atMost(Duration.ofSeconds(30)).until(() -> jolokiaRead("SalesforceContactsPollAgeSeconds") >= pollAge
                && jolokiaRead("OldestIntercomChangeAgeSeconds") >= changeAge);

        long syncStarted = System.nanoTime();
        pollNow();

        assertThat(intercomPhone(p)).isEqualTo("+1 555 0163 0001");
        assertThat(((Number) salesforceValue(q, "Seats__c")).intValue()).isEqualTo(81);
        PrometheusScrape after = scrape();
        double sinceSync = (System.nanoTime() - syncStarted) / 1e9;
        // had they not fallen, both would now be at least 3 s plus the time since the sync started
        assertThat(contactsPollAge(after)).as("the poll read everything after the sync started").isLessThanOrEqualTo(sinceSync + 0.5);
        assertThat(oldestChangeAge(after)).as("what waits (the echoes of the sync's own writes) came after it started")
                .isLessThanOrEqualTo(sinceSync + 0.5);
        assertThat(jolokiaRead("SalesforceContactsPollAgeSeconds")).isLessThan(pollAge + sinceSync - 1);
        assertThat(jolokiaRead("OldestIntercomChangeAgeSeconds")).isLessThan(changeAge + sinceSync - 1);
        assertThat(after.has("crmsync_event_sync_poll_age_seconds", Map.of("direction", "INTERCOM_TO_SALESFORCE",
                "object_type", "ALL"))).as("the Intercom poll's age too").isTrue();
    }

    private PrometheusScrape scrape() {
        return PrometheusScrape.of(service.managementUrl() + "/observe/metrics");
    }

    private static double contactsPollAge(PrometheusScrape scrape) {
        return scrape.sum("crmsync_event_sync_poll_age_seconds", Map.of("direction", "SALESFORCE_TO_INTERCOM",
                "object_type", "CONTACT"));
    }

    private static double oldestChangeAge(PrometheusScrape scrape) {
        return scrape.sum("crmsync_event_sync_oldest_change_age_seconds", Map.of("direction", "INTERCOM_TO_SALESFORCE"));
    }

    private double jolokiaRead(String attribute) {
        JsonNode answer = Http.post(service.managementUrl() + "/observe/jolokia", Http.json(Map.of("type", "read",
                "mbean", SERVICE_MBEAN, "attribute", attribute))).json();
        assertThat(answer.path("status").asInt()).as(answer.toString()).isEqualTo(200);
        return answer.path("value").asDouble();
    }

    private long waitingChanges(SeedPerson... people) throws Exception {
        try (Connection c = service.bean("dataSource", DataSource.class).getConnection();
             PreparedStatement select = c.prepareStatement("SELECT count(*) FROM intercom_change WHERE intercom_id = ANY (?)")) {
            select.setArray(1, c.createArrayOf("text", java.util.Arrays.stream(people).map(p -> p.intercom().id()).toArray()));
            try (ResultSet rs = select.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private long errorRows(String direction) throws Exception {
        try (Connection c = service.bean("dataSource", DataSource.class).getConnection();
             PreparedStatement select = c.prepareStatement("SELECT count(*) FROM sync_error WHERE direction = ?")) {
            select.setString(1, direction);
            try (ResultSet rs = select.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private int pageFailures() throws Exception {
        return (int) contactWatermark()[1];
    }

    private Instant watermarkAt() throws Exception {
        return ((Timestamp) contactWatermark()[0]).toInstant();
    }

    private Object[] contactWatermark() throws Exception {
        try (Connection c = service.bean("dataSource", DataSource.class).getConnection();
             PreparedStatement select = c.prepareStatement(
                     "SELECT watermark_at, page_failures FROM sync_watermark WHERE name = 'salesforce:Contact'");
             ResultSet rs = select.executeQuery()) {
            assertThat(rs.next()).isTrue();
            return new Object[] {rs.getTimestamp(1), rs.getInt(2)};
        }
    }
}

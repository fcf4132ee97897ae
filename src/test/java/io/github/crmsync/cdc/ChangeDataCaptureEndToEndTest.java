package io.github.crmsync.cdc;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.crmsync.mapping.AttributeMapping;
import io.github.crmsync.mapping.ObjectType;
import io.github.crmsync.mapping.SandboxMappings;
import io.github.crmsync.matching.RecordLinks;
import io.github.crmsync.sandbox.seed.SeedPerson;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.IntercomClientForTests;
import io.github.crmsync.testing.LogCapture;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.SalesforceClient;
import io.github.crmsync.testing.SimulatedWorld;
import io.github.crmsync.testing.WholeService;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

import java.io.StringWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Salesforce → Intercom through change events, the service against both simulators (the Salesforce
 * one serving the Pub/Sub API): a change arrives without any poll; what the service wrote itself,
 * unmapped fields and unlinked records cost nothing; an event's effects in the database and its replay
 * id are committed together; a restart resumes after the stored replay id;
 * a replay id whose events expired falls back to the poll from its watermark, and so does a subscription
 * with no replay id stored at all.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChangeDataCaptureEndToEndTest {

    @RegisterExtension
    static final WholeService whole = WholeService.inWorld(600)
            .with("crmsync.cdc.enabled", "true")
            .with("crmsync.cdc.lease-ms", "3000")
            // no scheduled poll within a test: what arrives, arrives by change event (or a poll the test asks for)
            .with("crmsync.cdc.backstop-poll-cron", "0 0 0 1 1 ? 2098");
    private SimulatedWorld world;
    private RunningService service;
    private SalesforceClient otherApp;
    private IntercomClientForTests intercom;
    private final List<String> queries = new CopyOnWriteArrayList<>();

    @BeforeAll
    void start() {
        world = whole.world();
        service = whole.service();
        for (AttributeMapping mapping : SandboxMappings.defaults().all()) {
            Http.Answer created = Http.post(service.serviceUrl() + "/api/mappings", Http.json(Map.of(
                    "objectType", mapping.objectType().name(), "intercomAttribute", mapping.intercomAttribute(),
                    "salesforceField", mapping.salesforceField(), "direction", mapping.direction().name())));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
        }
        otherApp = SalesforceClient.asOtherClient(world.salesforce.baseUrl());
        intercom = new IntercomClientForTests(world.intercom.baseUrl());
        world.salesforce.onQuery(queries::add);
        await().atMost(Duration.ofSeconds(60)).until(() -> world.salesforce.pubSubSubscriptions() == 2);
        // no replay id stored yet: subscribed from now on, and the poll read what came before
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(service.exchangesDone("cdc-catch-up-poll"))
                .as("catch-up polls").isEqualTo(1));
    }

    /** The world's service properties with change events on, a short lease and no scheduled poll within a test. */
    private Map<String, String> cdcProperties() {
        Map<String, String> properties = new LinkedHashMap<>(world.serviceProperties());
        properties.put("crmsync.cdc.enabled", "true");
        properties.put("crmsync.cdc.lease-ms", "3000");
        properties.put("crmsync.cdc.backstop-poll-cron", "0 0 0 1 1 ? 2098");
        return properties;
    }

    private List<String> contactQueries() {
        return queries.stream().filter(q -> q.contains("FROM Contact")).toList();
    }

    private ChangeEventSync events() {
        return service.bean("changeEventSync", ChangeEventSync.class);
    }

    private SeedPerson linkedContact() {
        SeedPerson p = world.unusedPerson(SimulatedWorld.inBoth(false));
        service.bean("recordLinks", RecordLinks.class).link(ObjectType.CONTACT, p.salesforce().id(), p.intercom().id());
        return p;
    }

    @Test
    @Order(0)
    void theSalesforcePollBecomesTheBackstopAndTheIntercomPollKeepsItsInterval() {
        // the world's crmsync.event.poll-cron is the year 2099; the backstop's, 2098
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(pollCrons(service)).containsExactly(
                "intercom-contacts 0 0 0 1 1 ? 2099", "salesforce-changes 0 0 0 1 1 ? 2098"));
    }

    /** The event-sync triggers' crons, as Quartz (clustered, in the database) fires them. */
    private static List<String> pollCrons(RunningService running) throws Exception {
        List<String> crons = new java.util.ArrayList<>();
        try (Connection c = running.bean("dataSource", DataSource.class).getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT trigger_name || ' ' || cron_expression FROM qrtz_cron_triggers "
                     + "WHERE trigger_group = 'event-sync' ORDER BY trigger_name")) {
            while (rs.next()) {
                crons.add(rs.getString(1));
            }
        }
        return crons;
    }

    @Test
    @Order(1)
    void aSalesforceChangeReachesIntercomWithoutAPoll() {
        SeedPerson p = linkedContact();
        queries.clear();
        long intercomRequests = world.intercom.requestCount();

        assertThat(otherApp.update("Contact", p.salesforce().id(), Map.of("Phone", "+1 555 0177 0001",
                "Title", "Head of Events")).status()).isEqualTo(204);

        await().atMost(Duration.ofSeconds(30)).until(() -> world.intercom.updateCount(p.intercom().id()) == 1);
        // the event carries the new values: one write, Intercom not read
        assertThat(world.intercom.requestCount() - intercomRequests).isEqualTo(1);
        JsonNode contact = intercom.get(p.intercom().id());
        assertThat(contact.path("phone").asText()).isEqualTo("+1 555 0177 0001");
        assertThat(contact.path("custom_attributes").path("job_title").asText()).isEqualTo("Head of Events");
        assertThat(queries).as("no SOQL query found the change").isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() ->
                service.bean("replayIds", ReplayIds.class).get("/data/ContactChangeEvent").isPresent());
    }

    @Test
    @Order(2)
    void ownWritesUnmappedFieldsAndUnlinkedRecordsCostNothing() {
        SeedPerson linked = linkedContact();
        SeedPerson unlinked = world.unusedPerson(SimulatedWorld.inBoth(false));
        SalesforceClient asTheService = SalesforceClient.login(world.salesforce.baseUrl(), "sandbox-client", "sandbox-secret");
        long received = events().received();
        long ignored = events().ignored();
        long intercomRequests = world.intercom.requestCount();
        queries.clear();

        assertThat(otherApp.update("Contact", linked.salesforce().id(), Map.of("Description", "not mapped")).status())
                .isEqualTo(204);
        assertThat(asTheService.update("Contact", linked.salesforce().id(), Map.of("Phone", "+1 555 0177 0002")).status())
                .isEqualTo(204);
        assertThat(otherApp.update("Contact", unlinked.salesforce().id(), Map.of("Phone", "+1 555 0177 0003")).status())
                .isEqualTo(204);

        await().atMost(Duration.ofSeconds(30)).until(() -> events().ignored() >= ignored + 3);
        assertThat(events().received() - received).isEqualTo(3);
        assertThat(world.intercom.requestCount()).as("no Intercom request").isEqualTo(intercomRequests);
        assertThat(queries).as("no Salesforce query").isEmpty();
    }

    @Test
    @Order(3)
    void anEventWhoseReplayIdCannotBeStoredLeavesNoEffectAndIsAppliedOnceWhenDeliveredAgain() throws Exception {
        SeedPerson p = linkedContact();
        DataSource db = service.bean("dataSource", DataSource.class);
        StringWriter log = new StringWriter();
        String capture = LogCapture.start(log);
        try {
            // the replay id's write fails after the event's other effects were made
            sql(db, "CREATE FUNCTION refuse_replay_id() RETURNS trigger LANGUAGE plpgsql AS "
                    + "$$ BEGIN RAISE EXCEPTION 'no room for the replay id'; END $$");
            sql(db, "CREATE TRIGGER refuse_replay_id BEFORE INSERT OR UPDATE ON cdc_replay "
                    + "FOR EACH ROW EXECUTE FUNCTION refuse_replay_id()");
            assertThat(otherApp.update("Contact", p.salesforce().id(), Map.of("Title", "Committed Together")).status())
                    .isEqualTo(204);

            await().atMost(Duration.ofSeconds(30)).until(() -> log.toString().contains("no room for the replay id"));
            assertThat(world.intercom.updateCount(p.intercom().id())).isEqualTo(1);
            assertThat(history(p)).as("no change history without the replay id").isEmpty();
            assertThat(storedIntercomState(db, p)).as("no synced values without the replay id").isNull();

            sql(db, "DROP TRIGGER refuse_replay_id ON cdc_replay");
            sql(db, "DROP FUNCTION refuse_replay_id()");
            // delivered again after the stored replay id: applied once, Intercom not written twice
            await().atMost(Duration.ofSeconds(60)).until(() -> history(p).size() == 1);
            JsonNode change = history(p).get(0);
            assertThat(change.path("sourceField").asText()).isEqualTo("Title");
            assertThat(change.path("newValue").asText()).isEqualTo("Committed Together");
            assertThat(world.intercom.updateCount(p.intercom().id())).isEqualTo(1);
            assertThat(storedIntercomState(db, p)).isNotNull();
            assertThat(intercom.get(p.intercom().id()).path("custom_attributes").path("job_title").asText())
                    .isEqualTo("Committed Together");
        } finally {
            LogCapture.stop(capture);
            sql(db, "DROP TRIGGER IF EXISTS refuse_replay_id ON cdc_replay");
            sql(db, "DROP FUNCTION IF EXISTS refuse_replay_id()");
        }
    }

    private List<JsonNode> history(SeedPerson p) {
        List<JsonNode> changes = new java.util.ArrayList<>();
        Http.get(service.serviceUrl() + "/api/history?salesforceId=" + p.salesforce().id()).json().path("changes")
                .forEach(changes::add);
        return changes;
    }

    private static String storedIntercomState(DataSource db, SeedPerson p) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement select = c.prepareStatement(
                "SELECT intercom_state FROM record_link WHERE salesforce_id = ?")) {
            select.setString(1, p.salesforce().id());
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static void sql(DataSource db, String statement) throws Exception {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    @Test
    @Order(5)
    void aRestartResumesAfterTheStoredReplayId() throws Exception {
        SeedPerson p = linkedContact();
        Map<String, String> properties = cdcProperties();
        whole.stopService();
        await().atMost(Duration.ofSeconds(30)).until(() -> world.salesforce.pubSubSubscriptions() == 0);

        // made while no replica subscribes: waits on the bus
        assertThat(otherApp.update("Contact", p.salesforce().id(), Map.of("Title", "Changed While Down")).status())
                .isEqualTo(204);
        queries.clear();
        RunningService again = RunningService.start(properties);
        SeedPerson q;
        try {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(intercom.get(p.intercom().id())
                    .path("custom_attributes").path("job_title").asText()).isEqualTo("Changed While Down"));
            // (no Lead event stored a replay id yet: Leads are caught up by the poll)
            assertThat(contactQueries()).as("found by replay, not by a poll").isEmpty();
            assertThat(world.intercom.updateCount(p.intercom().id())).isEqualTo(1);
            q = linkedContactIn(again);
        } finally {
            again.close();
        }

        // events after the stored replay id expire while no replica subscribes: the poll catches up
        await().atMost(Duration.ofSeconds(30)).until(() -> world.salesforce.pubSubSubscriptions() == 0);
        assertThat(otherApp.update("Contact", q.salesforce().id(), Map.of("Title", "Expired Event")).status())
                .isEqualTo(204);
        world.salesforce.setChangeEventRetention(Duration.ZERO);
        world.salesforce.setChangeEventRetention(Duration.ofHours(72));
        RunningService third = RunningService.start(properties);
        try {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(intercom.get(q.intercom().id())
                    .path("custom_attributes").path("job_title").asText()).isEqualTo("Expired Event"));
            assertThat(contactQueries()).as("the poll read it").isNotEmpty();
            await().atMost(Duration.ofSeconds(30)).until(() -> world.salesforce.pubSubSubscriptions() == 2);
        } finally {
            third.close();
        }
    }

    @Test
    @Order(6)
    void aChannelSalesforceRefusesIsOneWarningAReadinessDetailAndThePollKeepsItsUsualInterval() throws Exception {
        Map<String, String> properties = cdcProperties();
        await().atMost(Duration.ofSeconds(30)).until(() -> world.salesforce.pubSubSubscriptions() == 0);
        // the org's admin has not selected Lead for Change Data Capture
        world.salesforce.setChangeEventsSelected("Lead", false);
        StringWriter log = new StringWriter();
        String capture = LogCapture.start(log);
        RunningService running = RunningService.start(properties);
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> world.salesforce.pubSubSubscriptions() == 1);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                Http.Answer ready = Http.get(running.managementUrl() + "/observe/health/ready?data=true");
                assertThat(ready.status()).as("still ready: the poll syncs Leads").isEqualTo(200);
                JsonNode check = check(ready.json(), "change-events");
                assertThat(check.toString()).as(ready.body()).contains("/data/LeadChangeEvent")
                        .contains("refused").contains("select Lead for Change Data Capture");
                assertThat(check.toString()).contains("/data/ContactChangeEvent\":\"subscribed");
            });
            // the one Salesforce poll (Contacts and Leads in the same calls) at the usual interval: Leads need it
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(pollCrons(running)).containsExactly(
                    "intercom-contacts 0 0 0 1 1 ? 2099", "salesforce-changes 0 0 0 1 1 ? 2099"));
            // one line, however often the channel is asked again (every second here), without secrets
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() ->
                    log.toString().lines().filter(l -> l.contains("refuses the subscription")).count() == 1);
            String line = log.toString().lines().filter(l -> l.contains("refuses the subscription")).findFirst().orElseThrow();
            assertThat(line).contains("/data/LeadChangeEvent").contains("topic.not.found")
                    .doesNotContain("sandbox-secret", "sandbox-token");

            // selected: subscribed within a check, the poll back to the backstop's interval
            world.salesforce.setChangeEventsSelected("Lead", true);
            await().atMost(Duration.ofSeconds(30)).until(() -> world.salesforce.pubSubSubscriptions() == 2);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(pollCrons(running))
                    .contains("salesforce-changes 0 0 0 1 1 ? 2098"));
        } finally {
            running.close();
            LogCapture.stop(capture);
            world.salesforce.setChangeEventsSelected("Lead", true);
        }
    }

    @Test
    @Order(7)
    void aSubscriptionWithNoReplayIdStoredIsFollowedByThePollAtOnce() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> world.salesforce.pubSubSubscriptions() == 0);
        PGSimpleDataSource db = new PGSimpleDataSource();
        db.setURL(world.database.jdbcUrl());
        db.setUser(world.database.user());
        SeedPerson p = world.unusedPerson(SimulatedWorld.inBoth(false));
        new RecordLinks(db).link(ObjectType.CONTACT, p.salesforce().id(), p.intercom().id());
        // the replica holding the lease died before it committed its first replay id
        sql(db, "DELETE FROM cdc_replay");
        assertThat(otherApp.update("Contact", p.salesforce().id(), Map.of("Title", "Before Any Replay Id")).status())
                .isEqualTo(204);
        queries.clear();

        RunningService running = RunningService.start(cdcProperties());
        try {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(intercom.get(p.intercom().id())
                    .path("custom_attributes").path("job_title").asText()).isEqualTo("Before Any Replay Id"));
            assertThat(contactQueries()).as("read by the poll at once, the scheduled one being in 2098").isNotEmpty();
            assertThat(world.salesforce.pubSubSubscriptions()).isEqualTo(2);
            assertThat(world.intercom.updateCount(p.intercom().id())).isEqualTo(1);

            // what follows arrives by change event
            await().atMost(Duration.ofSeconds(60)).until(() -> running.exchangesDone("cdc-catch-up-poll") == 1);
            queries.clear();
            assertThat(otherApp.update("Contact", p.salesforce().id(), Map.of("Title", "After The Catch-Up")).status())
                    .isEqualTo(204);
            await().atMost(Duration.ofSeconds(30)).until(() -> world.intercom.updateCount(p.intercom().id()) == 2);
            assertThat(intercom.get(p.intercom().id()).path("custom_attributes").path("job_title").asText())
                    .isEqualTo("After The Catch-Up");
            assertThat(queries).isEmpty();
        } finally {
            running.close();
        }
    }

    private static JsonNode check(JsonNode health, String name) {
        for (JsonNode check : health.path("checks")) {
            if (check.path("name").asText().equals(name)) {
                return check;
            }
        }
        throw new AssertionError("no check " + name + " in " + health);
    }

    private SeedPerson linkedContactIn(RunningService running) {
        SeedPerson p = world.unusedPerson(SimulatedWorld.inBoth(false));
        running.bean("recordLinks", RecordLinks.class).link(ObjectType.CONTACT, p.salesforce().id(), p.intercom().id());
        return p;
    }
}

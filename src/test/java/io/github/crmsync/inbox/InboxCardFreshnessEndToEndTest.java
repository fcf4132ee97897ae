package io.github.crmsync.inbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crmsync.intercom.WebhookSignature;
import io.github.crmsync.mapping.ObjectType;
import io.github.crmsync.mapping.SalesforceField;
import io.github.crmsync.mapping.SchemaCache;
import io.github.crmsync.matching.RecordLinks;
import io.github.crmsync.sandbox.seed.SeedPerson;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.IntercomClientForTests;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.SalesforceClient;
import io.github.crmsync.testing.ServiceProcess;
import io.github.crmsync.testing.SimulatedWorld;
import io.github.crmsync.testing.WholeService;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The inbox card's Salesforce calls through the real service and both simulators: a card is read
 * once and served again without a call until a sync (on this replica or another) writes or reads
 * its record; then the next view reads it again and shows the new value. Calls are counted by the
 * Salesforce simulator itself.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InboxCardFreshnessEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "sandbox-webhook-secret";
    private static final String NEVER = "0 0 0 1 1 ? 2099";

    // no /limits poll while idle: every call counted below is a card's
    @RegisterExtension
    static final WholeService whole = WholeService.inWorld(1000).with("crmsync.quota.limits-poll-cron", NEVER)
            .withSandboxMappings();
    private SimulatedWorld world;
    private RunningService service;
    private SalesforceClient otherApp;

    @TempDir
    Path dataDir;

    @BeforeAll
    void start() {
        world = whole.world();
        service = whole.service();
        otherApp = SalesforceClient.asOtherClient(world.salesforce.baseUrl());
        service.bean("schemaCache", SchemaCache.class).current(); // the labels' describe calls, made once
    }

    @Test
    @Order(1)
    void repeatedViewsCostNoCallAndAfterEventSyncSyncedAChangeTheCardShowsIt() {
        SeedPerson p = linkedContact();
        long before = serviceCalls();
        JsonNode first = view(p);
        assertThat(serviceCalls() - before).as("the first view reads the record").isEqualTo(1);
        String oldPhone = value(first, "Phone");
        assertThat(asOfLine(first)).startsWith("As of just now");

        for (int i = 0; i < 5; i++) {
            assertThat(value(view(p), "Phone")).isEqualTo(oldPhone);
        }
        assertThat(serviceCalls() - before).as("five more views within the TTL").isEqualTo(1);

        assertThat(otherApp.update("Contact", p.salesforce().id(), Map.of("Phone", "+1 555 0177 0001")).status())
                .isEqualTo(204);
        pollNow(service.serviceUrl());
        assertThat(new IntercomClientForTests(world.intercom.baseUrl()).get(p.intercom().id()).path("phone").asText())
                .as("event sync synced the change").isEqualTo("+1 555 0177 0001");

        long afterSync = serviceCalls();
        assertThat(value(view(p), "Phone")).as("the first view after the sync").isEqualTo("+1 555 0177 0001");
        assertThat(value(view(p), "Phone")).isEqualTo("+1 555 0177 0001");
        assertThat(serviceCalls() - afterSync).as("one read after the sync, then none").isEqualTo(1);
    }

    @Test
    @Order(2)
    void aCompletePollThatDidNotSeeTheRecordChangeMakesTheCardCurrentAsOfThatPollWithoutACall() {
        SeedPerson p = linkedContact();
        JsonNode first = view(p);
        Instant readAt = Instant.parse(first.path("canvas").path("stored_data").path("as_of").asText());

        pollNow(service.serviceUrl());
        long before = serviceCalls();
        JsonNode again = view(p);

        assertThat(serviceCalls()).as("no call").isEqualTo(before);
        assertThat(Instant.parse(again.path("canvas").path("stored_data").path("as_of").asText()))
                .as("current as of the poll's start, after the card's read").isAfter(readAt);
        assertThat(value(again, "Phone")).isEqualTo(value(first, "Phone"));
    }

    @Test
    @Order(4)
    void anIntercomChangeThatEventSyncWroteToSalesforceShowsOnTheNextView() throws Exception {
        SeedPerson p = linkedContact();
        view(p);
        long before = serviceCalls();
        assertThat(value(view(p), "Seats__c")).isNotEqualTo("4321");
        assertThat(serviceCalls()).isEqualTo(before);

        assertThat(new IntercomClientForTests(world.intercom.baseUrl()).update(p.intercom().id(),
                Map.of("custom_attributes", Map.of("seats", 4321))).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(60)).until(() -> world.salesforce.record("Contact", p.salesforce().id())
                .map(r -> r.get("Seats__c") instanceof Number n && n.intValue() == 4321).orElse(false));
        DataSource database = service.bean("dataSource", DataSource.class);
        await().atMost(Duration.ofSeconds(60)).until(() -> waitingChanges(database) == 0); // the batch completed

        long afterSync = serviceCalls();
        assertThat(value(view(p), "Seats__c")).isEqualTo("4321");
        assertThat(value(view(p), "Seats__c")).isEqualTo("4321");
        assertThat(serviceCalls() - afterSync).isEqualTo(1);
    }

    @Test
    @Order(3)
    void aChangeAPollReadButHadNothingToWriteForStillDropsTheCard() {
        SeedPerson p = linkedContact();
        // first the mapped values in step: a change that the poll writes to Intercom
        assertThat(otherApp.update("Contact", p.salesforce().id(), Map.of("Phone", "+1 555 0177 0005")).status())
                .isEqualTo(204);
        pollNow(service.serviceUrl());
        view(p);

        // the name is on the card but synced nowhere: only the poll's reading of the record tells
        assertThat(otherApp.update("Contact", p.salesforce().id(), Map.of("LastName", "Renamed")).status()).isEqualTo(204);
        long writesBefore = world.intercom.writeCount();
        pollNow(service.serviceUrl());
        assertThat(world.intercom.writeCount()).as("the poll wrote nothing to Intercom").isEqualTo(writesBefore);

        long afterSync = serviceCalls();
        JsonNode card = view(p);
        assertThat(component(card, "record-name").path("text").asText()).contains("Renamed");
        assertThat(serviceCalls() - afterSync).isEqualTo(1);
    }

    @Test
    @Order(5)
    void aSyncOnAnotherReplicaDropsTheCardCachedOnThisOne() throws Exception {
        Map<String, String> b = world.serviceProperties();
        b.put("crmsync.replica-id", "replica-b");
        b.put("camel.server.port", Integer.toString(RunningService.freePort()));
        b.put("crmsync.quota.limits-poll-cron", NEVER);
        Path log = dataDir.resolve("replica-b.log");
        try (ServiceProcess replicaB = ServiceProcess.start(b, log)) {
            String health = "http://127.0.0.1:" + b.get("camel.management.port") + "/observe/health";
            await().atMost(Duration.ofSeconds(180)).ignoreExceptions()
                    .until(() -> !replicaB.alive() || Http.get(health).status() == 200);
            assertThat(replicaB.alive()).as("replica B runs:\n%s", Files.exists(log) ? Files.readString(log) : "").isTrue();

            SeedPerson p = linkedContact();
            long before = serviceCalls();
            String oldTitle = value(view(p), "Title");
            assertThat(value(view(p), "Title")).isEqualTo(oldTitle);
            assertThat(serviceCalls() - before).as("read once on this replica").isEqualTo(1);

            assertThat(otherApp.update("Contact", p.salesforce().id(), Map.of("Title", "Chief Cache Officer")).status())
                    .isEqualTo(204);
            pollNow("http://127.0.0.1:" + b.get("camel.server.port")); // event sync on replica B

            long afterSync = serviceCalls();
            assertThat(value(view(p), "Title")).as("this replica's card after B's sync").isEqualTo("Chief Cache Officer");
            assertThat(serviceCalls() - afterSync).isEqualTo(1);
        }
    }

    // --- helpers

    /** A Salesforce Contact and its Intercom contact, linked as a first sync leaves them. */
    private SeedPerson linkedContact() {
        SeedPerson p = world.unusedPerson(SimulatedWorld.inBoth(false));
        service.bean("recordLinks", RecordLinks.class).link(ObjectType.CONTACT, p.salesforce().id(), p.intercom().id());
        return p;
    }

    private JsonNode view(SeedPerson p) {
        JsonNode contact = new IntercomClientForTests(world.intercom.baseUrl()).get(p.intercom().id());
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("workspace_id", "ecahpwf5");
        request.put("admin", Map.of("type", "admin", "id", "991267"));
        request.put("context", Map.of("conversation_id", 1234, "location", "conversation"));
        request.put("contact", contact);
        byte[] body = Http.json(request).getBytes(StandardCharsets.UTF_8);
        Http.Answer answer = Http.postBytes(service.serviceUrl() + "/intercom/canvas/initialize", body,
                "X-Body-Signature", new WebhookSignature(SECRET).bodySignature(body));
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        CanvasKitSpec.assertValidInitializeResponse(answer.body());
        try {
            JsonNode card = JSON.readTree(answer.body());
            assertThat(card.path("canvas").path("stored_data").path("salesforce_id").asText()).isEqualTo(p.salesforce().id());
            return card;
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The value the card shows for a Salesforce field (by its label from describe). */
    private String value(JsonNode card, String field) {
        String label = service.bean("schemaCache", SchemaCache.class).current().salesforce(ObjectType.CONTACT).field(field)
                .map(SalesforceField::label).orElse(field);
        for (JsonNode c : card.path("canvas").path("content").path("components")) {
            for (JsonNode item : c.path("items")) {
                if (item.path("field").asText().equals(label)) {
                    return item.path("value").asText();
                }
            }
        }
        throw new AssertionError("no " + label + " on " + card);
    }

    private static JsonNode component(JsonNode card, String id) {
        for (JsonNode c : card.path("canvas").path("content").path("components")) {
            if (c.path("id").asText().equals(id)) {
                return c;
            }
        }
        throw new AssertionError("no " + id + " on " + card);
    }

    private static String asOfLine(JsonNode card) {
        return component(card, "as-of").path("text").asText();
    }

    private static void pollNow(String serviceUrl) {
        Http.Answer answer = Http.post(serviceUrl + "/api/event-sync/run", "");
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    }

    private static long waitingChanges(DataSource database) throws Exception {
        try (Connection c = database.getConnection();
             ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM intercom_change")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The service's API calls as the Salesforce org counts them. */
    private long serviceCalls() {
        return world.salesforce.apiRequestsUsedByClient().getOrDefault("sandbox-client", 0L);
    }
}

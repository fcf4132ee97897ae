package io.github.crmsync.eventsync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crmsync.database.Database;
import io.github.crmsync.database.EmbeddedDatabase;
import io.github.crmsync.errors.SyncError;
import io.github.crmsync.errors.SyncErrorStore;
import io.github.crmsync.eventsync.Watermarks.Watermark;
import io.github.crmsync.mapping.AttributeMapping;
import io.github.crmsync.mapping.Direction;
import io.github.crmsync.mapping.MappingSet;
import io.github.crmsync.mapping.MappingStore;
import io.github.crmsync.mapping.ObjectType;
import io.github.crmsync.matching.RecordLinks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The event-sync state in a real PostgreSQL: change queue, watermarks, links and the error list. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EventSyncStoresTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dataDir;
    private EmbeddedDatabase postgres;
    private Database database;

    @BeforeAll
    void startDatabase() throws Exception {
        postgres = EmbeddedDatabase.start(dataDir, 0);
        database = Database.open(postgres.jdbcUrl(), postgres.user(), "", 4, "stores-test");
    }

    @AfterAll
    void stopDatabase() throws Exception {
        database.close();
        postgres.close();
    }

    @BeforeEach
    void emptyTables() throws Exception {
        try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE intercom_change, sync_watermark, record_link, sync_error");
        }
    }

    private static JsonNode contact(String id, String role, long updatedAt) {
        return JSON.valueToTree(Map.of("type", "contact", "id", id, "role", role, "updated_at", updatedAt));
    }

    @Test
    void aRedeliveredWebhookIsStoredOnce() {
        IntercomChanges changes = new IntercomChanges(database.dataSource(), Duration.ofMinutes(2));
        assertThat(changes.add(contact("c1", "user", 10), "WEBHOOK", "notif_1")).isTrue();
        assertThat(changes.add(contact("c1", "user", 10), "WEBHOOK", "notif_1")).isFalse();
        assertThat(changes.pending()).isEqualTo(1);
    }

    @Test
    void aBatchWaitsForTheWindowUnlessItIsFull() {
        IntercomChanges changes = new IntercomChanges(database.dataSource(), Duration.ofMinutes(2));
        changes.add(contact("c1", "user", 10), "WEBHOOK", "n1");
        changes.add(contact("c2", "user", 11), "WEBHOOK", "n2");
        changes.add(contact("c3", "user", 11), "WEBHOOK", "n3");
        changes.add(contact("l1", "lead", 11), "WEBHOOK", "n4");

        assertThat(changes.claim("replica-a", "user", 200, Duration.ofHours(1)).isEmpty())
                .as("window not over, batch not full").isTrue();
        assertThat(changes.claim("replica-a", "user", 2, Duration.ofHours(1)).rowIds()).as("a full batch goes at once").hasSize(2);
        assertThat(changes.claim("replica-b", "user", 200, Duration.ZERO).rowIds()).hasSize(1);
        assertThat(changes.claim("replica-b", "lead", 200, Duration.ZERO).changes())
                .extracting(IntercomChanges.Change::intercomId).containsExactly("l1");
        assertThat(changes.pending()).as("claimed, not yet completed").isEqualTo(4);
    }

    @Test
    void onlyTheNewestChangeOfAContactIsSyncedAndAllItsRowsComplete() {
        IntercomChanges changes = new IntercomChanges(database.dataSource(), Duration.ofMinutes(2));
        changes.add(contact("c1", "user", 10), "WEBHOOK", "n1");
        changes.add(contact("c1", "user", 12), "POLL", "poll:c1:12");
        IntercomChanges.Claim claim = changes.claim("replica-a", "user", 200, Duration.ZERO);
        assertThat(claim.changes()).singleElement()
                .satisfies(c -> assertThat(c.contact().path("updated_at").asLong()).isEqualTo(12));
        changes.complete(claim.rowIds());
        assertThat(changes.pending()).isZero();
    }

    @Test
    void aBatchTakesWholeContactsSoNoOlderChangeOfOneIsLeftForTheNextBatch() {
        IntercomChanges changes = new IntercomChanges(database.dataSource(), Duration.ofMinutes(2));
        changes.add(contact("c1", "user", 10), "WEBHOOK", "n1");
        changes.add(contact("c2", "user", 10), "WEBHOOK", "n2");
        changes.add(contact("c3", "user", 10), "WEBHOOK", "n3");
        // the fallback poll stores the same contacts again, after the webhooks
        changes.add(contact("c1", "user", 10), "POLL", "poll:c1:10");
        changes.add(contact("c3", "user", 10), "POLL", "poll:c3:10");

        IntercomChanges.Claim first = changes.claim("replica-a", "user", 2, Duration.ZERO);
        assertThat(first.changes()).extracting(IntercomChanges.Change::intercomId).containsExactlyInAnyOrder("c1", "c2");
        assertThat(first.rowIds()).as("c1's poll row with its webhook row").hasSize(3);
        changes.complete(first.rowIds());
        IntercomChanges.Claim second = changes.claim("replica-a", "user", 2, Duration.ZERO);
        assertThat(second.changes()).extracting(IntercomChanges.Change::intercomId).containsExactly("c3");
        assertThat(second.rowIds()).hasSize(2);
    }

    @Test
    void aClaimOfADeadReplicaIsFreeAgainAfterItsLease() {
        IntercomChanges noLease = new IntercomChanges(database.dataSource(), Duration.ZERO);
        noLease.add(contact("c1", "user", 10), "WEBHOOK", "n1");
        assertThat(noLease.claim("dead-replica", "user", 200, Duration.ZERO).rowIds()).hasSize(1);
        assertThat(noLease.claim("live-replica", "user", 200, Duration.ZERO).rowIds()).hasSize(1);

        IntercomChanges longLease = new IntercomChanges(database.dataSource(), Duration.ofMinutes(2));
        longLease.add(contact("c2", "user", 10), "WEBHOOK", "n2");
        assertThat(longLease.claim("replica-a", "user", 200, Duration.ZERO).changes())
                .extracting(IntercomChanges.Change::intercomId).contains("c2");
        assertThat(longLease.claim("replica-b", "user", 200, Duration.ZERO).isEmpty()).isTrue();
    }

    @Test
    void aRenewedClaimOutlivesItsFirstLeaseAndOnlyTheHolderCanRenewIt() throws Exception {
        IntercomChanges changes = new IntercomChanges(database.dataSource(), Duration.ofMinutes(2));
        changes.add(contact("c1", "user", 10), "WEBHOOK", "n1");
        changes.add(contact("c2", "user", 10), "WEBHOOK", "n2");
        IntercomChanges.Claim writing = changes.claim("replica-a", "user", 200, Duration.ZERO);
        assertThat(writing.rowIds()).hasSize(2);

        leasePassed();
        assertThat(changes.renew("replica-a", writing.rowIds())).containsExactlyInAnyOrderElementsOf(writing.rowIds());
        assertThat(changes.claim("replica-b", "user", 200, Duration.ZERO).isEmpty())
                .as("renewed while its batch is written: not taken again").isTrue();

        leasePassed();
        assertThat(changes.claim("replica-b", "user", 200, Duration.ZERO).rowIds())
                .as("not renewed (its replica died): taken over").hasSize(2);
        assertThat(changes.renew("replica-a", writing.rowIds())).as("no longer held by the first replica").isEmpty();
    }

    /** Moves every claim back by more than the lease, as if that much time had passed. */
    private void leasePassed() throws Exception {
        try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("UPDATE intercom_change SET claimed_at = claimed_at - interval '10 minutes' WHERE claimed_at IS NOT NULL");
        }
    }

    @Test
    void watermarksOnlyMoveForward() {
        Watermarks watermarks = new Watermarks(database.dataSource());
        Instant t0 = Instant.parse("2026-11-28T10:00:00.123Z");
        assertThat(watermarks.getOrStart("salesforce:Contact", new Watermark(t0, null))).isEqualTo(new Watermark(t0, null));
        assertThat(watermarks.getOrStart("salesforce:Contact", new Watermark(t0.plusSeconds(60), null)).at()).isEqualTo(t0);

        watermarks.advance("salesforce:Contact", new Watermark(t0, "003B"));
        watermarks.advance("salesforce:Contact", new Watermark(t0, "003A"));
        assertThat(watermarks.getOrStart("salesforce:Contact", new Watermark(Instant.EPOCH, null))).isEqualTo(new Watermark(t0, "003B"));
        watermarks.advance("salesforce:Contact", new Watermark(t0.minusSeconds(1), "003Z"));
        assertThat(watermarks.getOrStart("salesforce:Contact", new Watermark(Instant.EPOCH, null))).isEqualTo(new Watermark(t0, "003B"));
        watermarks.advance("salesforce:Contact", new Watermark(t0.plusMillis(1), "003A"));
        assertThat(watermarks.getOrStart("salesforce:Contact", new Watermark(Instant.EPOCH, null))).isEqualTo(new Watermark(t0.plusMillis(1), "003A"));
    }

    @Test
    void aWatermarkStartsOnceAndKeepsWhereItGotToAndWhatFailed() {
        Watermarks watermarks = new Watermarks(database.dataSource());
        Instant t0 = Instant.parse("2026-12-01T10:00:00.000Z");
        assertThat(watermarks.state("salesforce:Lead")).isEmpty();
        assertThat(watermarks.start("salesforce:Lead", t0)).isTrue();
        assertThat(watermarks.start("salesforce:Lead", t0.plusSeconds(60))).as("a stored watermark is kept").isFalse();
        assertThat(watermarks.state("salesforce:Lead")).contains(new Watermarks.State(new Watermark(t0, null), t0, 0));

        watermarks.readUntil("salesforce:Lead", t0.plusSeconds(300));
        watermarks.readUntil("salesforce:Lead", t0.plusSeconds(200));
        assertThat(watermarks.pageFailed("salesforce:Lead")).isEqualTo(1);
        assertThat(watermarks.pageFailed("salesforce:Lead")).isEqualTo(2);
        watermarks.advance("salesforce:Lead", new Watermark(t0.minusSeconds(1), "00QA"));
        assertThat(watermarks.state("salesforce:Lead").orElseThrow().pageFailures()).as("no move, still failing").isEqualTo(2);
        watermarks.advance("salesforce:Lead", new Watermark(t0.plusSeconds(10), "00QA"));
        assertThat(watermarks.state("salesforce:Lead")).contains(
                new Watermarks.State(new Watermark(t0.plusSeconds(10), "00QA"), t0.plusSeconds(300), 0));
    }

    @Test
    void eventSyncFollowsADirectionFromServiceStartOrItsFirstSavedMapping() throws Exception {
        try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE attribute_mapping");
        }
        Watermarks watermarks = new Watermarks(database.dataSource());
        Instant t0 = Instant.parse("2026-12-01T10:00:00.250Z");
        WatermarkStart start = new WatermarkStart(watermarks, Clock.fixed(t0, ZoneOffset.UTC));
        start.atServiceStart(MappingSet.of(List.of(AttributeMapping.of(
                ObjectType.CONTACT, "phone", "Phone", Direction.SALESFORCE_TO_INTERCOM))));
        assertThat(watermarks.state("salesforce:Contact").orElseThrow().position()).isEqualTo(new Watermark(t0, null));
        assertThat(watermarks.state("salesforce:Lead")).as("no Lead mapping: not followed").isEmpty();
        assertThat(watermarks.state(IntercomPoll.WATERMARK)).isEmpty();

        MappingStore store = new MappingStore(database.dataSource());
        WatermarkStart later = new WatermarkStart(watermarks, Clock.fixed(t0.plusSeconds(60), ZoneOffset.UTC));
        store.whenSaved(later::mappingSaved);
        store.create(AttributeMapping.of(ObjectType.LEAD, "custom_attributes.plan", "Plan__c",
                Direction.INTERCOM_TO_SALESFORCE));
        store.create(AttributeMapping.of(ObjectType.CONTACT, "custom_attributes.job_title", "Title",
                Direction.SALESFORCE_TO_INTERCOM));
        assertThat(watermarks.state(IntercomPoll.WATERMARK).orElseThrow().position())
                .as("Intercom counts whole seconds").isEqualTo(new Watermark(Instant.parse("2026-12-01T10:01:00Z"), null));
        assertThat(watermarks.state("salesforce:Contact").orElseThrow().position()).as("kept, not restarted")
                .isEqualTo(new Watermark(t0, null));
        assertThat(watermarks.state("salesforce:Lead")).isEmpty();
    }

    @Test
    void aContactInABatchBeingWrittenIsNotClaimedAgainUntilThatBatchEnds() {
        IntercomChanges changes = new IntercomChanges(database.dataSource(), Duration.ofMinutes(2));
        changes.add(contact("c1", "user", 10), "WEBHOOK", "n1");
        IntercomChanges.Claim inFlight = changes.claim("replica-a", "user", 400, Duration.ZERO);
        assertThat(inFlight.changes()).extracting(IntercomChanges.Change::intercomId).containsExactly("c1");
        // the fallback poll stores the same contact again, and another contact's change arrives
        changes.add(contact("c1", "user", 10), "POLL", "poll:c1:10");
        changes.add(contact("c2", "user", 11), "WEBHOOK", "n2");

        IntercomChanges.Claim beside = changes.claim("replica-b", "user", 400, Duration.ZERO);
        assertThat(beside.changes()).as("c1 is being written: two batches would both read and write it")
                .extracting(IntercomChanges.Change::intercomId).containsExactly("c2");
        changes.complete(inFlight.rowIds());
        assertThat(changes.claim("replica-b", "user", 400, Duration.ZERO).changes())
                .extracting(IntercomChanges.Change::intercomId).containsExactly("c1");
    }

    @Test
    void changesOfABatchThatKeepsFailingAreTakenContactByContactWithTheirNewerChanges() {
        IntercomChanges changes = new IntercomChanges(database.dataSource(), Duration.ofMinutes(2), 2);
        changes.add(contact("c1", "user", 10), "WEBHOOK", "n1");
        changes.add(contact("c2", "user", 10), "WEBHOOK", "n2");
        for (int failure = 1; failure <= 2; failure++) {
            IntercomChanges.Claim claim = changes.claim("replica-a", "user", 200, Duration.ZERO);
            assertThat(claim.rowIds()).hasSize(2);
            assertThat(changes.batchFailed(claim.rowIds(), List.of("c1", "c2"))).hasSize(2);
        }
        changes.add(contact("c1", "user", 12), "WEBHOOK", "n3");
        changes.add(contact("c3", "user", 12), "WEBHOOK", "n4");

        IntercomChanges.Claim alone = changes.claimAlone("replica-a", "user");
        assertThat(alone.alone()).isTrue();
        assertThat(alone.rowIds()).as("c1's failed change and its newer one").hasSize(2);
        assertThat(alone.changes()).singleElement().satisfies(c -> {
            assertThat(c.intercomId()).isEqualTo("c1");
            assertThat(c.contact().path("updated_at").asLong()).isEqualTo(12);
        });
        assertThat(changes.claim("replica-a", "user", 200, Duration.ZERO).changes())
                .as("a batch never holds a change that failed in batches too often")
                .extracting(IntercomChanges.Change::intercomId).containsExactly("c3");
        assertThat(changes.claimAlone("replica-b", "user").changes()).extracting(IntercomChanges.Change::intercomId)
                .containsExactly("c2");
        assertThat(changes.claimAlone("replica-b", "user").isEmpty()).isTrue();
        assertThat(changes.oldestWaitingSeconds()).isGreaterThanOrEqualTo(0);
        changes.complete(alone.rowIds());
        assertThat(changes.pending()).isEqualTo(2);
    }

    @Test
    void aRecordIsLinkedOnceAndTheFirstLinkWins() {
        RecordLinks links = new RecordLinks(database.dataSource());
        links.link(ObjectType.CONTACT, "0035e0000000001AAA", "ic-1");
        links.link(ObjectType.CONTACT, "0035e0000000001AAA", "ic-2");
        links.link(ObjectType.CONTACT, "0035e0000000002AAA", "ic-1");
        assertThat(links.intercomIdsBySalesforceId(List.of("0035e0000000001AAA", "0035e0000000002AAA")))
                .isEqualTo(Map.of("0035e0000000001AAA", "ic-1"));
        assertThat(links.salesforceIdsByIntercomId(List.of("ic-1", "ic-2"))).isEqualTo(Map.of("ic-1", "0035e0000000001AAA"));
    }

    @Test
    void theSameRecordFailingAgainUpdatesItsRowAndASuccessClearsIt() {
        SyncErrorStore errors = new SyncErrorStore(database.dataSource());
        errors.record(new SyncError("EVENT", Direction.INTERCOM_TO_SALESFORCE, ObjectType.CONTACT, "003A", "ic-1",
                List.of("Nickname__c"), "STRING_TOO_LONG", "Nickname: data value too large", "{}"));
        errors.record(new SyncError("EVENT", Direction.INTERCOM_TO_SALESFORCE, ObjectType.CONTACT, "003A", "ic-1",
                List.of("Plan__c"), "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "Plan: bad value", "{}"));
        assertThat(errors.list(null, 10)).singleElement().satisfies(row -> {
            assertThat(row).containsEntry("errorCode", "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST").containsEntry("attempts", 2);
            assertThat(row.get("attributes")).isEqualTo(List.of("Plan__c"));
        });
        errors.clear(Direction.SALESFORCE_TO_INTERCOM.name(), "003A", "ic-1");
        assertThat(errors.list(null, 10)).hasSize(1);
        errors.clear(Direction.INTERCOM_TO_SALESFORCE.name(), "003A", "ic-1");
        assertThat(errors.list(null, 10)).isEmpty();
    }
}

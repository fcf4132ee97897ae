package io.github.crmsync.eventsync;

import io.github.crmsync.errors.StoredSyncError;
import io.github.crmsync.errors.SyncErrorFilter;
import io.github.crmsync.errors.SyncErrorStore;
import io.github.crmsync.quota.SalesforceApiUsage;
import io.github.crmsync.sandbox.seed.SeedPerson;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.IntercomClientForTests;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.SalesforceClient;
import io.github.crmsync.testing.SimulatedWorld;
import io.github.crmsync.testing.WholeService;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Event sync spends Salesforce calls as Composite requests: a batch of Intercom changes is one call
 * reading and one call writing, a poll reads up to 5 pages of changed Contacts and Leads together in
 * one call; each counted once by the service and once by Salesforce.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CompositeCallsEndToEndTest {

    // a batch waits for "poll now" (the window is long), so all of a test's changes are one batch
    @RegisterExtension
    static final WholeService whole = WholeService.inWorld(8000).withSandboxMappings()
            .with("crmsync.event.intercom-batch-window-ms", "600000");
    private SimulatedWorld world;
    private RunningService service;
    private SalesforceApiUsage usage;

    @BeforeAll
    void start() {
        world = whole.world();
        service = whole.service();
        usage = service.bean("salesforceApiUsage", SalesforceApiUsage.class);
        world.intercom.setRateLimitPerMinute(1_000_000);
        pollNow();
    }

    private void pollNow() {
        Http.Answer answer = Http.post(service.serviceUrl() + "/api/event-sync/run", "");
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    }

    private long seenBySalesforce() {
        return world.salesforce.apiRequestsUsedByClient().getOrDefault("sandbox-client", 0L);
    }

    private Map<String, Long> countedByRoute() {
        return new HashMap<>(usage.ownCallsByRoute(Instant.EPOCH));
    }

    private static long delta(Map<String, Long> before, Map<String, Long> after, String route) {
        return after.getOrDefault(route, 0L) - before.getOrDefault(route, 0L);
    }

    private static long total(Map<String, Long> calls) {
        return calls.values().stream().mapToLong(Long::longValue).sum();
    }

    /** The contacts of these with a change waiting (claimed by no one): all of them once their webhooks arrived. */
    private long waitingChangesOf(List<SeedPerson> people) throws Exception {
        try (Connection c = service.bean("dataSource", DataSource.class).getConnection();
             java.sql.PreparedStatement s = c.prepareStatement("SELECT count(DISTINCT intercom_id) FROM intercom_change "
                     + "WHERE claimed_by IS NULL AND intercom_id = ANY (?)")) {
            s.setArray(1, c.createArrayOf("text", people.stream().map(p -> p.intercom().id()).toArray()));
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Test
    void aBatchOf600ChangesOfContactsNotLinkedYetCostsAReadAndAWriteCallAndARefusedRecordIsItsOwnError() throws Exception {
        IntercomClientForTests intercom = new IntercomClientForTests(world.intercom.baseUrl());
        List<SeedPerson> people = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            people.add(world.unusedPerson(SimulatedWorld.inBoth(false)));
        }
        SeedPerson refused = people.get(0);
        Map<String, Long> before = countedByRoute();
        long simulatorBefore = seenBySalesforce();
        assertThat(intercom.update(refused.intercom().id(), Map.of("custom_attributes", Map.of("nickname", "n".repeat(300))))
                .status()).isEqualTo(200);
        for (SeedPerson p : people.subList(1, people.size())) {
            assertThat(intercom.update(p.intercom().id(), Map.of("custom_attributes", Map.of("seats", seats(p)))).status())
                    .isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> waitingChangesOf(people) == 600);

        pollNow();

        for (SeedPerson p : people.subList(1, people.size())) {
            assertThat(world.salesforce.record("Contact", p.salesforce().id()).orElseThrow().get("Seats__c"))
                    .as(p.salesforce().id()).isInstanceOfSatisfying(Number.class, n -> assertThat(n.intValue()).isEqualTo(seats(p)));
        }
        List<StoredSyncError> rows = service.bean("syncErrorStore", SyncErrorStore.class)
                .after(SyncErrorFilter.all(), 0, Long.MAX_VALUE, 1000);
        assertThat(rows).filteredOn(r -> r.error().intercomId().equals(refused.intercom().id()))
                .singleElement().satisfies(r -> assertThat(r.error().errorCode()).isEqualTo("STRING_TOO_LONG"));
        assertThat(rows).filteredOn(r -> !r.error().intercomId().equals(refused.intercom().id()))
                .filteredOn(r -> people.stream().anyMatch(p -> p.intercom().id().equals(r.error().intercomId()))).isEmpty();
        Map<String, Long> after = countedByRoute();
        // the batch: one Composite call reading its 600 records by e-mail, one writing them (3 Collections of 200)
        assertThat(delta(before, after, "salesforce-lookup")).isZero();
        assertThat(delta(before, after, "write-intercom-batch")).isEqualTo(2);
        // and the poll of Contacts and Leads, nothing changed there: one call
        assertThat(delta(before, after, "salesforce-poll")).isEqualTo(1);
        assertThat(total(after) - total(before)).isEqualTo(seenBySalesforce() - simulatorBefore);
    }

    /**
     * Linked pairs whose Intercom values as last synced are stored need no read: 600 changes of
     * Contacts and Leads together are one Composite call of Collections updates (records of both
     * types). A link to a record no longer in Salesforce gets the update's error as its sync error; a
     * change of none of the attributes sent to Salesforce (here the echo-like change of phone, which
     * goes from Salesforce to Intercom) writes nothing.
     */
    @Test
    void linkedContactsAndLeadsWithSyncedValuesAreWrittenInOneCallWithoutARead() throws Exception {
        IntercomClientForTests intercom = new IntercomClientForTests(world.intercom.baseUrl());
        List<SeedPerson> people = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            people.add(world.unusedPerson(SimulatedWorld.inBoth(false)));
            people.add(world.unusedPerson(SimulatedWorld.inBoth(true)));
        }
        SeedPerson phoneOnly = world.unusedPerson(SimulatedWorld.inBoth(false));
        SeedPerson gone = world.unusedPerson(SimulatedWorld.inBoth(false));
        String goneId = io.github.crmsync.sandbox.seed.SalesforceIds.id(io.github.crmsync.sandbox.seed.SalesforceIds.CONTACT_PREFIX,
                9_000_000);
        List<SeedPerson> linked = new ArrayList<>(people);
        linked.add(phoneOnly);
        linkWithSyncedValues(linked, Map.of());
        linkWithSyncedValues(List.of(gone), Map.of(gone.intercom().id(), goneId));
        long phoneOnlyWrites = world.salesforce.writeCount("Contact", phoneOnly.salesforce().id());
        Map<String, Long> before = countedByRoute();
        long simulatorBefore = seenBySalesforce();

        for (SeedPerson p : people) {
            assertThat(intercom.update(p.intercom().id(), Map.of("custom_attributes", Map.of("seats", seats(p)))).status())
                    .isEqualTo(200);
        }
        assertThat(intercom.update(gone.intercom().id(), Map.of("custom_attributes", Map.of("seats", 7))).status()).isEqualTo(200);
        assertThat(intercom.update(phoneOnly.intercom().id(), Map.of("phone", "+1 555 0399 0001")).status()).isEqualTo(200);
        List<SeedPerson> changed = new ArrayList<>(linked);
        changed.add(gone);
        await().atMost(Duration.ofSeconds(60)).until(() -> waitingChangesOf(changed) == 602);

        pollNow();

        for (SeedPerson p : people) {
            assertThat(world.salesforce.record(p.salesforce().type(), p.salesforce().id()).orElseThrow().get("Seats__c"))
                    .as(p.salesforce().id()).isInstanceOfSatisfying(Number.class, n -> assertThat(n.intValue()).isEqualTo(seats(p)));
        }
        assertThat(world.salesforce.writeCount("Contact", phoneOnly.salesforce().id())).isEqualTo(phoneOnlyWrites);
        List<StoredSyncError> rows = service.bean("syncErrorStore", SyncErrorStore.class)
                .after(SyncErrorFilter.all(), 0, Long.MAX_VALUE, 1000);
        assertThat(rows).filteredOn(r -> r.error().intercomId().equals(gone.intercom().id()))
                .singleElement().satisfies(r -> {
                    assertThat(r.error().salesforceId()).isEqualTo(goneId);
                    assertThat(r.error().errorCode()).isEqualTo("ENTITY_IS_DELETED");
                });
        assertThat(rows).filteredOn(r -> linked.stream().anyMatch(p -> p.intercom().id().equals(r.error().intercomId()))).isEmpty();
        Map<String, Long> after = countedByRoute();
        assertThat(delta(before, after, "write-intercom-batch")).as("601 updates, both types: one call").isEqualTo(1);
        assertThat(delta(before, after, "salesforce-lookup")).isZero();
        assertThat(total(after) - total(before)).isEqualTo(seenBySalesforce() - simulatorBefore);
        try (Connection c = service.bean("dataSource", DataSource.class).getConnection();
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT intercom_state FROM record_link WHERE intercom_id = '"
                     + people.get(1).intercom().id() + "'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).as("the values now synced").contains("\"Seats__c\":" + seats(people.get(1)));
        }
    }

    /** Links the pairs as a sync of them would have left them: their Intercom values stored as synced. */
    private void linkWithSyncedValues(List<SeedPerson> people, Map<String, String> salesforceIdByIntercomId) throws Exception {
        io.github.crmsync.mapping.MappingSet mappings = service.bean("mappingStore", io.github.crmsync.mapping.MappingStore.class)
                .current();
        try (Connection c = service.bean("dataSource", DataSource.class).getConnection();
             java.sql.PreparedStatement insert = c.prepareStatement("INSERT INTO record_link (object_type, salesforce_id, "
                     + "intercom_id, intercom_state) VALUES (?, ?, ?, ?)")) {
            for (SeedPerson p : people) {
                io.github.crmsync.mapping.ObjectType type = p.lead() ? io.github.crmsync.mapping.ObjectType.LEAD
                        : io.github.crmsync.mapping.ObjectType.CONTACT;
                insert.setString(1, type.name());
                insert.setString(2, salesforceIdByIntercomId.getOrDefault(p.intercom().id(), p.salesforce().id()));
                insert.setString(3, p.intercom().id());
                insert.setString(4, SyncedValues.of(mappings, type, new com.fasterxml.jackson.databind.ObjectMapper()
                        .valueToTree(world.intercom.contact(p.intercom().id()).orElseThrow())));
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    @Test
    void aPollOfAFewChangedContactsAndLeadsIsOneCall() {
        List<SeedPerson> people = List.of(world.unusedPerson(SimulatedWorld.inBoth(false)),
                world.unusedPerson(SimulatedWorld.inBoth(false)), world.unusedPerson(SimulatedWorld.inBoth(true)));
        changePhones(people);
        Map<String, Long> before = countedByRoute();
        long simulatorBefore = seenBySalesforce();

        pollNow();

        for (SeedPerson p : people) {
            assertThat(world.intercom.contact(p.intercom().id()).orElseThrow().get("phone")).as(p.salesforce().id())
                    .isEqualTo(phone(p));
        }
        Map<String, Long> after = countedByRoute();
        // the Contacts' query and the Leads' in one Composite call (with references to next pages that end halted)
        assertThat(delta(before, after, "salesforce-poll")).isEqualTo(1);
        assertThat(total(after) - total(before)).isEqualTo(seenBySalesforce() - simulatorBefore);
    }

    @Test
    void aPollOf2100ChangedContactsAndSomeLeadsReadsItsThreePagesInOneCall() {
        // from the seed's end (one pass; the other tests take people from its start)
        List<SeedPerson> contacts = new ArrayList<>();
        List<SeedPerson> leads = new ArrayList<>();
        for (int i = world.seed.people() - 1; i >= 0 && (contacts.size() < 2100 || leads.size() < 50); i--) {
            SeedPerson p = world.seed.person(i);
            if (world.sharesEmail(i)) {
                continue;
            }
            if (contacts.size() < 2100 && SimulatedWorld.inBoth(false).test(p)) {
                contacts.add(p);
            } else if (leads.size() < 50 && SimulatedWorld.inBoth(true).test(p)) {
                leads.add(p);
            }
        }
        List<SeedPerson> people = new ArrayList<>(contacts);
        people.addAll(leads);
        assertThat(leads).hasSize(50);
        changePhones(people);
        Map<String, Long> before = countedByRoute();
        long simulatorBefore = seenBySalesforce();

        pollNow();

        for (SeedPerson p : people) {
            assertThat(world.intercom.contact(p.intercom().id()).orElseThrow().get("phone")).isEqualTo(phone(p));
        }
        Map<String, Long> after = countedByRoute();
        // Contacts: the query and its next page (2,000 + 100); Leads: the query (50): 3 pages, one Composite call
        assertThat(delta(before, after, "salesforce-poll")).isEqualTo(1);
        assertThat(total(after) - total(before)).isEqualTo(seenBySalesforce() - simulatorBefore);
    }

    /** Another app changes these records' phones in Salesforce. */
    private void changePhones(List<SeedPerson> people) {
        SalesforceClient other = SalesforceClient.asOtherClient(world.salesforce.baseUrl());
        for (int from = 0; from < people.size(); from += 200) {
            List<Map<String, Object>> records = new ArrayList<>();
            for (SeedPerson p : people.subList(from, Math.min(people.size(), from + 200))) {
                records.add(Map.of("attributes", Map.of("type", p.salesforce().type()), "id", p.salesforce().id(), "Phone", phone(p)));
            }
            assertThat(other.updateMany(Map.of("allOrNone", true, "records", records)).status()).isEqualTo(200);
        }
    }

    private static int seats(SeedPerson p) {
        return 3000 + p.index() % 1000;
    }

    private static String phone(SeedPerson p) {
        return String.format(java.util.Locale.ROOT, "+1 555 0300 %04d", p.index() % 10_000);
    }
}

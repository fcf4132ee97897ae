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
 * reading and one call writing, a poll reads up to 5 pages of changed records in one call; each
 * counted once by the service and once by Salesforce.
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

    private long waitingChanges() throws Exception {
        try (Connection c = service.bean("dataSource", DataSource.class).getConnection();
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM intercom_change WHERE claimed_by IS NULL")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void aBatchOf600IntercomChangesCostsOneReadAndOneWriteCallAndARefusedRecordIsItsOwnError() throws Exception {
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
        await().atMost(Duration.ofSeconds(60)).until(() -> waitingChanges() >= 600);

        pollNow();

        for (SeedPerson p : people.subList(1, people.size())) {
            assertThat(world.salesforce.record("Contact", p.salesforce().id()).orElseThrow().get("Seats__c"))
                    .as(p.salesforce().id()).isInstanceOfSatisfying(Number.class, n -> assertThat(n.intValue()).isEqualTo(seats(p)));
        }
        List<StoredSyncError> rows = service.bean("syncErrorStore", SyncErrorStore.class)
                .after(SyncErrorFilter.all(), 0, Long.MAX_VALUE, 1000);
        assertThat(rows).filteredOn(r -> r.error().intercomId().equals(refused.intercom().id()))
                .singleElement().satisfies(r -> assertThat(r.error().errorCode()).isEqualTo("STRING_TOO_LONG"));
        assertThat(rows).filteredOn(r -> !r.error().intercomId().equals(refused.intercom().id())).isEmpty();
        Map<String, Long> after = countedByRoute();
        // the batch: one Composite call reading its 600 records, one writing them (3 Collections of 200)
        assertThat(delta(before, after, "salesforce-lookup")).isEqualTo(1);
        assertThat(delta(before, after, "write-intercom-batch")).isEqualTo(1);
        // and the poll of each object type, nothing changed there: one call each
        assertThat(delta(before, after, "salesforce-poll")).isEqualTo(2);
        assertThat(total(after) - total(before)).isEqualTo(seenBySalesforce() - simulatorBefore);
    }

    @Test
    void aPollOf2100ChangedContactsReadsItsTwoPagesInOneCall() {
        SalesforceClient other = SalesforceClient.asOtherClient(world.salesforce.baseUrl());
        // from the seed's end (one pass; the other test takes people from its start)
        List<SeedPerson> people = new ArrayList<>();
        for (int i = world.seed.people() - 1; i >= 0 && people.size() < 2100; i--) {
            SeedPerson p = world.seed.person(i);
            if (SimulatedWorld.inBoth(false).test(p) && !world.sharesEmail(i)) {
                people.add(p);
            }
        }
        for (int from = 0; from < people.size(); from += 200) {
            List<Map<String, Object>> records = new ArrayList<>();
            for (SeedPerson p : people.subList(from, Math.min(people.size(), from + 200))) {
                records.add(Map.of("attributes", Map.of("type", "Contact"), "id", p.salesforce().id(), "Phone", phone(p)));
            }
            assertThat(other.updateMany(Map.of("allOrNone", true, "records", records)).status()).isEqualTo(200);
        }
        Map<String, Long> before = countedByRoute();
        long simulatorBefore = seenBySalesforce();

        pollNow();

        for (SeedPerson p : people) {
            assertThat(world.intercom.contact(p.intercom().id()).orElseThrow().get("phone")).isEqualTo(phone(p));
        }
        Map<String, Long> after = countedByRoute();
        // contacts: the query and its next page (2,000 + 100) in one Composite call; leads: one call, nothing changed
        assertThat(delta(before, after, "salesforce-poll")).isEqualTo(2);
        assertThat(total(after) - total(before)).isEqualTo(seenBySalesforce() - simulatorBefore);
    }

    private static int seats(SeedPerson p) {
        return 3000 + p.index() % 1000;
    }

    private static String phone(SeedPerson p) {
        return String.format(java.util.Locale.ROOT, "+1 555 0300 %04d", p.index() % 10_000);
    }
}

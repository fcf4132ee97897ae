package io.github.crmsync.eventsync;

import io.github.crmsync.mapping.MappingStore;
import io.github.crmsync.mapping.SandboxMappings;
import io.github.crmsync.sandbox.seed.SeedPerson;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.IntercomClientForTests;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.SalesforceClient;
import io.github.crmsync.testing.ServiceProcess;
import io.github.crmsync.testing.SimulatedWorld;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The service killed with SIGKILL half-way through a sync and started again: every change arrives,
 * and no change is applied twice.
 */
// Its own start-up, not WholeService: each test kills a child JVM (SIGKILL) mid-run and starts the service again.
class EventSyncCrashTest {

    private static final int CHANGES = 300;

    @TempDir
    Path dataDir;

    private static List<SeedPerson> contactsInBoth(SimulatedWorld world, int count) {
        List<SeedPerson> people = new ArrayList<>();
        for (int i = 0; i < world.seed.people() && people.size() < count; i++) {
            SeedPerson p = world.seed.person(i);
            if (!p.lead() && p.salesforce() != null && p.intercom() != null && !world.sharesEmail(i)) {
                people.add(p);
            }
        }
        return people;
    }

    private static Map<String, String> properties(SimulatedWorld world) {
        Map<String, String> p = world.serviceProperties();
        p.put("crmsync.intercom.concurrency", "4");
        // short, so the restarted service takes over the killed one's claims soon; the live one renews its own
        p.put("crmsync.event.intercom-claim-lease-ms", "3000");
        // short windows: the 300 Intercom changes go in several batches (one Composite call writes a
        // whole batch), so the kill comes between batches, not after the only one
        p.put("crmsync.event.intercom-batch-window-ms", "200");
        p.put("crmsync.event.intercom-batch-check-ms", "100");
        return p;
    }

    private static void firstLife(SimulatedWorld world, Map<String, String> properties) throws Exception {
        try (RunningService first = RunningService.start(properties)) {
            first.bean("mappingStore", MappingStore.class).seedIfEmpty(SandboxMappings.defaults());
            assertThat(Http.post(first.serviceUrl() + "/api/event-sync/run", "").status()).isEqualTo(200);
        }
    }

    private static ServiceProcess startAndAwaitHealthy(Map<String, String> properties, Path log) throws Exception {
        ServiceProcess process = ServiceProcess.start(properties, log);
        String health = "http://127.0.0.1:" + properties.get("camel.management.port") + "/observe/health";
        try {
            await().atMost(Duration.ofSeconds(90)).ignoreExceptions()
                    .until(() -> !process.alive() || Http.get(health).status() == 200);
        } finally {
            if (!process.alive()) {
                throw new AssertionError("the service process ended:\n" + java.nio.file.Files.readString(log));
            }
        }
        return process;
    }

    @Test
    void aSalesforcePollKilledHalfWayLosesNoChangeAndAppliesNoneTwice() throws Exception {
        try (SimulatedWorld world = new SimulatedWorld(dataDir, 2000)) {
            Map<String, String> properties = properties(world);
            firstLife(world, properties);

            List<SeedPerson> people = contactsInBoth(world, CHANGES);
            SalesforceClient other = SalesforceClient.asOtherClient(world.salesforce.baseUrl());
            for (int from = 0; from < people.size(); from += 200) {
                List<Map<String, Object>> records = new ArrayList<>();
                for (SeedPerson p : people.subList(from, Math.min(people.size(), from + 200))) {
                    records.add(Map.of("attributes", Map.of("type", "Contact"), "id", p.salesforce().id(),
                            "Phone", newPhone(p)));
                }
                assertThat(other.updateMany(Map.of("allOrNone", true, "records", records)).status()).isEqualTo(200);
            }
            long writesBefore = world.intercom.writeCount();
            world.intercom.faults().set(40, 0, 0, 0);

            try (ServiceProcess doomed = startAndAwaitHealthy(properties, dataDir.resolve("doomed.log"))) {
                String runNow = "http://127.0.0.1:" + properties.get("camel.server.port") + "/api/event-sync/run";
                CompletableFuture.runAsync(() -> Http.post(runNow, ""));
                await().atMost(Duration.ofSeconds(60)).until(() -> world.intercom.writeCount() - writesBefore >= CHANGES / 4);
                doomed.kill();
            }
            long writtenBeforeCrash = world.intercom.writeCount() - writesBefore;
            assertThat(writtenBeforeCrash).as("the crash came half-way").isBetween(1L, (long) CHANGES - 1);

            world.intercom.faults().set(0, 0, 0, 0);
            try (RunningService restarted = RunningService.start(properties)) {
                assertThat(Http.post(restarted.serviceUrl() + "/api/event-sync/run", "").status()).isEqualTo(200);
            }

            IntercomClientForTests intercom = new IntercomClientForTests(world.intercom.baseUrl());
            for (SeedPerson p : people) {
                assertThat(intercom.get(p.intercom().id()).path("phone").asText()).isEqualTo(newPhone(p));
            }
            assertThat(world.intercom.writeCount() - writesBefore).as("each change applied exactly once").isEqualTo(CHANGES);
        }
    }

    @Test
    void intercomChangesAcceptedBeforeAKillAreWrittenAfterTheRestartExactlyOnce() throws Exception {
        try (SimulatedWorld world = new SimulatedWorld(dataDir, 2000)) {
            Map<String, String> properties = properties(world);
            firstLife(world, properties);
            List<SeedPerson> people = contactsInBoth(world, CHANGES);
            Map<String, Integer> seats = new LinkedHashMap<>();
            people.forEach(p -> seats.put(p.salesforce().id(), 300 + p.index() % 500));
            long writesBefore = world.salesforce.writeCount();
            Map<String, Long> writesOfEach = new LinkedHashMap<>();
            people.forEach(p -> writesOfEach.put(p.salesforce().id(), world.salesforce.writeCount("Contact", p.salesforce().id())));
            world.salesforce.faults().set(300, 0, 0, 0);

            IntercomClientForTests intercom = new IntercomClientForTests(world.intercom.baseUrl());
            try (ServiceProcess doomed = startAndAwaitHealthy(properties, dataDir.resolve("doomed.log"))) {
                for (SeedPerson p : people) {
                    assertThat(intercom.update(p.intercom().id(),
                            Map.of("custom_attributes", Map.of("seats", seats.get(p.salesforce().id())))).status()).isEqualTo(200);
                }
                await().atMost(Duration.ofSeconds(60)).until(() -> world.salesforce.writeCount() > writesBefore);
                doomed.kill();
            }
            assertThat(world.salesforce.writeCount() - writesBefore).as("the crash came half-way").isLessThan(CHANGES);

            world.salesforce.faults().set(0, 0, 0, 0);
            try (RunningService restarted = RunningService.start(properties)) {
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    assertThat(Http.post(restarted.serviceUrl() + "/api/event-sync/run", "").status()).isEqualTo(200);
                    for (SeedPerson p : people) {
                        Object value = world.salesforce.record("Contact", p.salesforce().id()).orElseThrow().get("Seats__c");
                        assertThat(((Number) value).intValue()).isEqualTo(seats.get(p.salesforce().id()));
                    }
                });
            }
            Map<String, Long> writtenMoreThanOnce = new LinkedHashMap<>();
            people.forEach(p -> {
                long writes = world.salesforce.writeCount("Contact", p.salesforce().id()) - writesOfEach.get(p.salesforce().id());
                if (writes != 1) {
                    writtenMoreThanOnce.put(p.salesforce().id(), writes);
                }
            });
            assertThat(writtenMoreThanOnce).as("records not written exactly once (id -> writes)").isEmpty();
            assertThat(world.salesforce.writeCount() - writesBefore).as("each change applied exactly once").isEqualTo(CHANGES);
        }
    }

    private static String newPhone(SeedPerson p) {
        return String.format(Locale.ROOT, "+1 555 0300 %04d", p.index());
    }
}

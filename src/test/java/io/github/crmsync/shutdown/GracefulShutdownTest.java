package io.github.crmsync.shutdown;

import io.github.crmsync.mapping.MappingStore;
import io.github.crmsync.mapping.SandboxMappings;
import io.github.crmsync.sandbox.seed.SeedPerson;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.IntercomClientForTests;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.ServiceProcess;
import io.github.crmsync.testing.SimulatedWorld;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A replica asked to stop (SIGTERM, as Kubernetes stops a pod) finishes the batch it is writing,
 * takes no new one, hands back what it claimed and did not write, then closes the pool and, in
 * the sandbox, stops PostgreSQL last: no connection errors, and no change lost or applied twice.
 */
// Its own start-up, not WholeService: the subject is the service stopping (SIGTERM to child JVMs) and starting again on the same data.
class GracefulShutdownTest {

    private static final int CHANGES = 600;

    @TempDir
    Path dataDir;

    @Test
    void sigtermWhileABatchIsInFlightFinishesItAndTheRestIsAppliedOnceAfterTheRestart() throws Exception {
        try (SimulatedWorld world = new SimulatedWorld(dataDir, 3000)) {
            Map<String, String> properties = world.serviceProperties();
            properties.put("crmsync.replica-id", "stopping-replica");
            // a short batch window: the first batch holds the changes of its first moments, not all of them
            properties.put("crmsync.event.intercom-batch-window-ms", "200");
            try (RunningService first = RunningService.start(properties)) {
                first.bean("mappingStore", MappingStore.class).seedIfEmpty(SandboxMappings.defaults());
                assertThat(Http.post(first.serviceUrl() + "/api/event-sync/run", "").status()).isEqualTo(200);
            }
            List<SeedPerson> people = new ArrayList<>();
            while (people.size() < CHANGES) {
                people.add(world.unusedPerson(SimulatedWorld.inBoth(false)));
            }
            Map<String, Integer> seats = new LinkedHashMap<>();
            people.forEach(p -> seats.put(p.salesforce().id(), 1000 + p.index()));
            long writesBefore = world.salesforce.writeCount();
            // each Salesforce call takes a second: a batch is in flight for a few of them
            world.salesforce.faults().set(1000, 0, 0, 0);

            long bulkRun;
            Path log = dataDir.resolve("stopping.log");
            IntercomClientForTests intercom = new IntercomClientForTests(world.intercom.baseUrl());
            try (ServiceProcess stopping = startAndAwaitHealthy(properties, log)) {
                CompletableFuture<Void> changes = CompletableFuture.runAsync(() -> people.forEach(p -> assertThat(
                        intercom.update(p.intercom().id(), Map.of("custom_attributes",
                                Map.of("seats", seats.get(p.salesforce().id())))).status()).isEqualTo(200)));
                // the stop comes while the first batch is being written (two calls of a second each)
                await().atMost(Duration.ofSeconds(60)).until(() -> claimedBy(world, "stopping-replica") > 0);
                Http.Answer bulk = Http.post("http://127.0.0.1:" + properties.get("camel.server.port") + "/api/bulk-sync", "");
                assertThat(bulk.status()).as(bulk.body()).isEqualTo(202);
                bulkRun = bulk.json().path("id").asLong();
                int exit = stopping.terminate(Duration.ofSeconds(45));
                assertThat(exit).as("stopped within the pod's grace period").isNotEqualTo(-1);
                changes.join();
            }
            long writtenBeforeStop = world.salesforce.writeCount() - writesBefore;
            assertThat(writtenBeforeStop).as("the stop came half-way").isBetween(1L, (long) CHANGES - 1);
            String text = Files.readString(log);
            assertThat(text).as("no errors while stopping").doesNotContain(" ERROR ");
            assertThat(text).contains("shutdown").contains("[stopping-replica]");
            assertThat(claimedBy(world, "stopping-replica")).as("nothing left claimed by the stopped replica").isZero();
            assertThat(bulkRunStatus(world, bulkRun)).as("the bulk run it owned ends with it, never to be resumed, "
                    + "having written nothing (it was started as the stop came)").isEqualTo("STOPPED SHUTDOWN, 0 + 0 written");

            world.salesforce.faults().set(0, 0, 0, 0);
            properties.put("crmsync.replica-id", "next-replica");
            try (RunningService next = RunningService.start(properties)) {
                // well within the 120 s claim lease: nothing waits for a lease to run out
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    assertThat(Http.post(next.serviceUrl() + "/api/event-sync/run", "").status()).isEqualTo(200);
                    for (SeedPerson p : people) {
                        Object value = world.salesforce.record("Contact", p.salesforce().id()).orElseThrow().get("Seats__c");
                        assertThat(((Number) value).intValue()).isEqualTo(seats.get(p.salesforce().id()));
                    }
                });
            }
            assertThat(world.salesforce.writeCount() - writesBefore).as("each change applied exactly once").isEqualTo(CHANGES);
        }
    }

    @Test
    void theSandboxStopsItsDatabaseOnlyAfterThePoolIsClosed() throws Exception {
        Map<String, String> properties = RunningService.sandboxProperties(dataDir.resolve("data"));
        properties.put("crmsync.replica-id", "sandbox-replica");
        Path log = dataDir.resolve("sandbox.log");
        try (ServiceProcess sandbox = startAndAwaitHealthy(properties, log)) {
            CompletableFuture.runAsync(() -> Http.post("http://127.0.0.1:" + properties.get("camel.server.port")
                    + "/api/event-sync/run", ""));
            assertThat(sandbox.terminate(Duration.ofSeconds(45))).isNotEqualTo(-1);
        }
        String text = Files.readString(log);
        assertThat(text).as("no errors while stopping").doesNotContain(" ERROR ");
        int poolClosed = text.indexOf("Database pool closed");
        int databaseStopped = text.indexOf("Embedded PostgreSQL stopped");
        assertThat(poolClosed).as(text).isPositive();
        assertThat(databaseStopped).as("the database stops after the pool").isGreaterThan(poolClosed);
        assertThat(dataDir.resolve("data/postgres/postmaster.pid")).as("PostgreSQL is not running any more").doesNotExist();
    }

    private static ServiceProcess startAndAwaitHealthy(Map<String, String> properties, Path log) throws Exception {
        ServiceProcess process = ServiceProcess.start(properties, log);
        String health = "http://127.0.0.1:" + properties.get("camel.management.port") + "/observe/health";
        await().atMost(Duration.ofSeconds(120)).ignoreExceptions()
                .until(() -> !process.alive() || Http.get(health).status() == 200);
        if (!process.alive()) {
            throw new AssertionError("the service ended:\n" + Files.readString(log));
        }
        return process;
    }

    private static long claimedBy(SimulatedWorld world, String replica) throws Exception {
        try (Connection c = DriverManager.getConnection(world.database.jdbcUrl(), world.database.user(), "");
             ResultSet rs = c.createStatement().executeQuery(
                     "SELECT count(*) FROM intercom_change WHERE claimed_by = '" + replica + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String bulkRunStatus(SimulatedWorld world, long id) throws Exception {
        try (Connection c = DriverManager.getConnection(world.database.jdbcUrl(), world.database.user(), "");
             ResultSet rs = c.createStatement().executeQuery(
                     "SELECT status || ' ' || coalesce(stop_reason, '-') || ', ' || updated_salesforce || ' + ' || updated_intercom"
                             + " || ' written' FROM bulk_run WHERE id = " + id)) {
            rs.next();
            return rs.getString(1);
        }
    }
}

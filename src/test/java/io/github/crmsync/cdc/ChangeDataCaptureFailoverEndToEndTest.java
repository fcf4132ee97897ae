package io.github.crmsync.cdc;

import io.github.crmsync.mapping.MappingStore;
import io.github.crmsync.mapping.ObjectType;
import io.github.crmsync.mapping.SandboxMappings;
import io.github.crmsync.matching.RecordLinks;
import io.github.crmsync.sandbox.seed.SeedPerson;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.IntercomClientForTests;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.SalesforceClient;
import io.github.crmsync.testing.ServiceProcess;
import io.github.crmsync.testing.SimulatedWorld;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two replicas, each a JVM of its own, on one PostgreSQL and one org: only the lease holder
 * subscribes; killed with SIGKILL in the middle of a stream of Salesforce changes, it hands the
 * subscriptions to the other within seconds, which resumes after the stored replay id, and every
 * change reaches Intercom exactly once.
 */
// Its own start-up, not WholeService: two replicas, each a child JVM, one of them killed.
class ChangeDataCaptureFailoverEndToEndTest {

    private static final int CHANGES = 30;
    private static final long LEASE_MILLIS = 3000;

    @TempDir
    Path dataDir;

    @Test
    void theSubscriberKilledInAStreamOfChangesHandsOverAndEachChangeIsAppliedOnce() throws Exception {
        try (SimulatedWorld world = new SimulatedWorld(dataDir, 500)) {
            Map<String, String> a = replica(world, "replica-a", world.serverPort);
            Map<String, String> b = replica(world, "replica-b", RunningService.freePort());
            try (ServiceProcess first = ServiceProcess.start(a, dataDir.resolve("replica-a.log"))) {
                awaitHealthy(first, a, dataDir.resolve("replica-a.log"));
                await().atMost(Duration.ofSeconds(60)).until(() -> world.salesforce.pubSubSubscriptions() == 2);
                try (ServiceProcess second = ServiceProcess.start(b, dataDir.resolve("replica-b.log"))) {
                    awaitHealthy(second, b, dataDir.resolve("replica-b.log"));
                    DataSource database = database(world);
                    assertThat(leaseHolder(database)).isEqualTo("replica-a");
                    assertThat(world.salesforce.pubSubSubscriptions()).as("replica-b does not subscribe").isEqualTo(2);
                    new MappingStore(database).seedIfEmpty(SandboxMappings.defaults());
                    RecordLinks links = new RecordLinks(database);
                    List<SeedPerson> people = new ArrayList<>();
                    for (int i = 0; i < CHANGES; i++) {
                        SeedPerson p = world.unusedPerson(SimulatedWorld.inBoth(false));
                        links.link(ObjectType.CONTACT, p.salesforce().id(), p.intercom().id());
                        people.add(p);
                    }
                    SalesforceClient otherApp = SalesforceClient.asOtherClient(world.salesforce.baseUrl());
                    // the first change arrives: the mappings are in force on the subscriber
                    change(otherApp, people.get(0), 0);
                    await().atMost(Duration.ofSeconds(60)).until(() -> world.intercom.updateCount(people.get(0).intercom().id()) == 1);
                    // and its replay id committed (after the Intercom write): the hand-over resumes after it. Killed
                    // before any replay id is stored, a new subscriber starts from now on and the poll covers the rest
                    await().atMost(Duration.ofSeconds(60)).until(() -> storedReplayId(database) != null);

                    Instant killedAt = null;
                    for (int i = 1; i < CHANGES; i++) {
                        change(otherApp, people.get(i), i);
                        if (i == CHANGES / 2) {
                            first.kill();
                            killedAt = Instant.now();
                        }
                    }
                    Instant killed = killedAt;
                    // the lease moves once it has run out; subscribing then takes what the machine's load makes it
                    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                            .until(() -> "replica-b".equals(leaseHolder(database)));
                    assertThat(Duration.between(killed, Instant.now())).as("lease taken over within seconds")
                            .isLessThan(Duration.ofMillis(LEASE_MILLIS * 5));
                    await().atMost(Duration.ofSeconds(60)).until(() -> world.salesforce.pubSubSubscriptions() == 2);

                    IntercomClientForTests intercom = new IntercomClientForTests(world.intercom.baseUrl());
                    try {
                        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                            List<Integer> missing = new ArrayList<>();
                            for (int i = 0; i < CHANGES; i++) {
                                if (!("Stream " + i).equals(intercom.get(people.get(i).intercom().id()).path("custom_attributes")
                                        .path("job_title").asText())) {
                                    missing.add(i);
                                }
                            }
                            assertThat(missing).as("changes not in Intercom (killed after change %d)", CHANGES / 2).isEmpty();
                        });
                    } catch (AssertionError | org.awaitility.core.ConditionTimeoutException e) {
                        throw new AssertionError(e.getMessage() + "\n" + changeEventLines(dataDir.resolve("replica-a.log"))
                                + changeEventLines(dataDir.resolve("replica-b.log")), e);
                    }
                    for (int i = 0; i < CHANGES; i++) {
                        assertThat(world.intercom.updateCount(people.get(i).intercom().id()))
                                .as("change %d applied once", i).isEqualTo(1);
                    }
                    assertThat(Files.readString(dataDir.resolve("replica-b.log"))).contains("after the stored replay id");
                }
            }
        }
    }

    /** What a replica's log says of its change events and failures, for a failure's message. */
    private static String changeEventLines(Path log) throws java.io.IOException {
        StringBuilder lines = new StringBuilder("--- " + log.getFileName() + "\n");
        for (String line : Files.readAllLines(log)) {
            if (line.contains("WARN") || line.contains("ERROR") || line.contains("Change events") || line.contains("lease")) {
                lines.append(line, 0, Math.min(line.length(), 400)).append('\n');
            }
        }
        return lines.toString();
    }

    private static void change(SalesforceClient otherApp, SeedPerson p, int i) {
        assertThat(otherApp.update("Contact", p.salesforce().id(), Map.of("Title", "Stream " + i)).status()).isEqualTo(204);
    }

    private static Map<String, String> replica(SimulatedWorld world, String id, int serverPort) {
        Map<String, String> p = world.serviceProperties();
        p.put("crmsync.replica-id", id);
        p.put("camel.server.port", Integer.toString(serverPort));
        p.put("crmsync.cdc.enabled", "true");
        p.put("crmsync.cdc.lease-ms", Long.toString(LEASE_MILLIS));
        p.put("crmsync.cdc.backstop-poll-cron", "0 0 0 1 1 ? 2099");
        p.put("crmsync.quota.limits-poll-cron", "0 0 0 1 1 ? 2099");
        return p;
    }

    private static void awaitHealthy(ServiceProcess process, Map<String, String> properties, Path log) throws Exception {
        String health = "http://127.0.0.1:" + properties.get("camel.management.port") + "/observe/health";
        await().atMost(Duration.ofSeconds(120)).ignoreExceptions()
                .until(() -> !process.alive() || Http.get(health).status() == 200);
        if (!process.alive()) {
            throw new AssertionError("the replica ended:\n" + Files.readString(log));
        }
    }

    private static DataSource database(SimulatedWorld world) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(world.database.jdbcUrl());
        ds.setUser(world.database.user());
        return ds;
    }

    private static String storedReplayId(DataSource database) throws Exception {
        try (Connection c = database.getConnection(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT replay_id FROM cdc_replay WHERE topic = '/data/ContactChangeEvent'")) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static String leaseHolder(DataSource database) throws Exception {
        try (Connection c = database.getConnection(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT holder FROM cdc_lease WHERE expires_at > now()")) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}

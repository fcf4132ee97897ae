package io.github.crmsync.replicas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.crmsync.intercom.WebhookSignature;
import io.github.crmsync.mapping.MappingStore;
import io.github.crmsync.mapping.SandboxMappings;
import io.github.crmsync.sandbox.seed.SeedPerson;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.IntercomClientForTests;
import io.github.crmsync.testing.PrometheusScrape;
import io.github.crmsync.testing.RunningService;
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
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two replicas of the service, each in a JVM of its own, on one PostgreSQL: the scheduled polls
 * (Salesforce Contacts, Salesforce Leads, the Intercom fallback) fire once per interval across both, a replica killed with SIGKILL hands them to the other, and a
 * webhook delivered to both is applied once.
 */
// Its own start-up, not WholeService: two replicas, each a child JVM, share one world and are stopped in turn.
class ReplicasEndToEndTest {

    private static final long INTERVAL_SECONDS = 5;
    private static final long CHECKIN_MILLIS = 1000;
    /** Quartz declares an instance dead this long after its last check-in interval ran out. */
    private static final long QUARTZ_GRACE_MILLIS = 7500;
    private static final Pattern POLLED_OBJECT = Pattern.compile("FROM (\\w+) WHERE .* ORDER BY SystemModstamp");

    @TempDir
    Path dataDir;

    private record Poll(String object, Instant at) {
    }

    @Test
    void twoReplicasPollOncePerIntervalHandOverWhenOneDiesAndApplyAWebhookOnce() throws Exception {
        try (SimulatedWorld world = new SimulatedWorld(dataDir, 500)) {
            List<Poll> polls = new CopyOnWriteArrayList<>();
            world.salesforce.onQuery(soql -> {
                Matcher m = POLLED_OBJECT.matcher(soql);
                if (m.find()) {
                    polls.add(new Poll(m.group(1), Instant.now()));
                }
            });
            world.intercom.onSearch(body -> {
                // the fallback poll's first page: contacts updated since the watermark
                if (body.path("query").path("field").asText().equals("updated_at")
                        && body.path("pagination").path("starting_after").isMissingNode()) {
                    polls.add(new Poll("Intercom", Instant.now()));
                }
            });
            Map<String, String> a = replica(world, "replica-a", world.serverPort);
            Map<String, String> b = replica(world, "replica-b", RunningService.freePort());
            try (ServiceProcess first = ServiceProcess.start(a, dataDir.resolve("replica-a.log"));
                 ServiceProcess second = ServiceProcess.start(b, dataDir.resolve("replica-b.log"))) {
                awaitHealthy(first, a, dataDir.resolve("replica-a.log"));
                awaitHealthy(second, b, dataDir.resolve("replica-b.log"));
                DataSource database = database(world);
                new MappingStore(database).seedIfEmpty(SandboxMappings.defaults());
                assertThat(schedulerInstances(database)).containsExactlyInAnyOrder("replica-a", "replica-b");

                // 1. several intervals with both alive: each poll ran exactly once in each
                Instant from = nextFireTime(Instant.now().plusSeconds(INTERVAL_SECONDS));
                Instant to = from.plusSeconds(3 * INTERVAL_SECONDS);
                awaitTime(to.plusSeconds(2));
                for (Instant slot = from; slot.isBefore(to); slot = slot.plusSeconds(INTERVAL_SECONDS)) {
                    for (String object : List.of("Contact", "Lead", "Intercom")) {
                        assertThat(count(polls, object, slot, slot.plusSeconds(INTERVAL_SECONDS)))
                                .as("%s polls in the interval from %s", object, slot).isEqualTo(1);
                    }
                }

                // 2. the same webhook delivered to both replicas is applied once
                webhookToBothIsAppliedOnce(world, database, a, b);

                // 3. a bulk run started on one replica is watched and stopped from the other
                bulkRunStartedOnOneIsStoppedFromTheOther(world, a, b);

                // 4. kill the replica that ran (most of) the polls, half-way through an interval
                double pollsOnA = pollCalls(a);
                double pollsOnB = pollCalls(b);
                assertThat(pollsOnA + pollsOnB).as("the replicas' own metrics see the polls").isPositive();
                boolean killA = pollsOnA >= pollsOnB;
                Map<String, String> survivor = killA ? b : a;
                double survivorPollsBefore = pollCalls(survivor);
                awaitTime(nextFireTime(Instant.now()).plusMillis(INTERVAL_SECONDS * 500));
                Instant killedAt = Instant.now();
                (killA ? first : second).kill();

                Instant lastFire = nextFireTime(killedAt.plusMillis(INTERVAL_SECONDS * 1000 + CHECKIN_MILLIS + QUARTZ_GRACE_MILLIS))
                        .plusSeconds(INTERVAL_SECONDS);
                awaitTime(lastFire.plusSeconds(2));
                for (String object : List.of("Contact", "Lead", "Intercom")) {
                    Instant firstAfterKill = polls.stream().filter(p -> p.object().equals(object) && p.at().isAfter(killedAt))
                            .map(Poll::at).min(Instant::compareTo).orElseThrow();
                    assertThat(Duration.between(killedAt, firstAfterKill))
                            .as("%s polls move to the survivor within an interval plus the cluster check-in", object)
                            .isLessThanOrEqualTo(Duration.ofMillis(INTERVAL_SECONDS * 1000 + CHECKIN_MILLIS
                                    + QUARTZ_GRACE_MILLIS + 3000));
                    assertThat(count(polls, object, killedAt, lastFire.plusSeconds(2)))
                            .as("%s: every interval since the kill polled once, none lost, none twice", object)
                            .isEqualTo(fireTimesBetween(killedAt, lastFire));
                    for (Instant slot = lastFire.minusSeconds(INTERVAL_SECONDS); !slot.isAfter(lastFire);
                         slot = slot.plusSeconds(INTERVAL_SECONDS)) {
                        assertThat(count(polls, object, slot, slot.plusSeconds(INTERVAL_SECONDS)))
                                .as("%s polls in the interval from %s, on the survivor", object, slot).isEqualTo(1);
                    }
                }
                assertThat(pollCalls(survivor)).as("the survivor ran them").isGreaterThan(survivorPollsBefore);
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(schedulerInstances(database))
                        .as("the cluster forgot the dead replica").containsExactly(survivor.get("crmsync.replica-id")));


                assertThat(Files.readString(dataDir.resolve("replica-a.log"))).contains(" [replica-a] ");
                assertThat(Files.readString(dataDir.resolve("replica-b.log"))).contains(" [replica-b] ");
            }
        }
    }

    private static void bulkRunStartedOnOneIsStoppedFromTheOther(SimulatedWorld world, Map<String, String> a,
                                                                 Map<String, String> b) {
        // slow enough to be caught mid-run, even when the other replica is slow to answer on a loaded machine
        world.intercom.faults().set(1500, 0, 0, 0);
        try {
            Http.Answer started = Http.post(serviceUrl(a) + "/api/bulk-sync", "");
            assertThat(started.status()).as(started.body()).isEqualTo(202);
            long id = started.json().path("id").asLong();
            JsonNode seenOnB = Http.get(serviceUrl(b) + "/api/bulk-sync/current").json();
            assertThat(seenOnB.path("run").path("id").asLong()).as("the other replica sees the run").isEqualTo(id);
            assertThat(seenOnB.path("canStart").asBoolean()).isFalse();
            assertThat(Http.post(serviceUrl(b) + "/api/bulk-sync", "").status()).as("one run in the cluster").isEqualTo(409);

            Http.Answer stop = Http.post(serviceUrl(b) + "/api/bulk-sync/current/stop", "");
            assertThat(stop.status()).as(stop.body()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode run = Http.get(serviceUrl(a) + "/api/bulk-sync/runs?limit=1").json().path("runs").get(0);
                assertThat(run.path("id").asLong()).isEqualTo(id);
                assertThat(run.path("status").asText()).as("stopped by its owner, asked on the other replica")
                        .isEqualTo("STOPPED");
                assertThat(run.path("stopReason").asText()).isEqualTo("USER");
            });
        } finally {
            world.intercom.faults().set(0, 0, 0, 0);
        }
    }

    private static void webhookToBothIsAppliedOnce(SimulatedWorld world, DataSource database,
                                                   Map<String, String> a, Map<String, String> b) throws Exception {
        SeedPerson p = world.unusedPerson(SimulatedWorld.inBoth(false));
        IntercomClientForTests intercom = new IntercomClientForTests(world.intercom.baseUrl());
        world.intercom.setWebhookUrl(null);
        assertThat(intercom.update(p.intercom().id(), Map.of("custom_attributes", Map.of("seats", 777))).status())
                .isEqualTo(200);
        JsonNode contact = intercom.get(p.intercom().id());
        ObjectMapper json = new ObjectMapper();
        ObjectNode event = json.createObjectNode().put("type", "notification_event").put("app_id", "sandbox")
                .put("id", "notif_replicas_" + p.index()).put("topic", "contact.user.updated")
                .put("delivery_attempts", 1).put("created_at", Instant.now().getEpochSecond());
        event.putObject("data").put("type", "notification_event_data").set("item", contact);
        byte[] body = json.writeValueAsBytes(event);
        String signature = new WebhookSignature("sandbox-webhook-secret").hubSignature(body);
        long writesBefore = world.salesforce.writeCount();

        CompletableFuture<Http.Answer> toA = CompletableFuture.supplyAsync(() -> Http.postBytes(
                serviceUrl(a) + "/intercom/webhooks", body, "X-Hub-Signature", signature));
        CompletableFuture<Http.Answer> toB = CompletableFuture.supplyAsync(() -> Http.postBytes(
                serviceUrl(b) + "/intercom/webhooks", body, "X-Hub-Signature", signature));
        List<JsonNode> answers = new ArrayList<>();
        for (Http.Answer answer : List.of(toA.join(), toB.join())) {
            assertThat(answer.status()).as(answer.body()).isEqualTo(200);
            answers.add(answer.json());
        }
        assertThat(answers.stream().filter(x -> x.path("stored").asBoolean()).count())
                .as("one replica stored the change, the other recognised it").isEqualTo(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> world.salesforce.record("Contact", p.salesforce().id())
                .map(r -> r.get("Seats__c") instanceof Number n && n.intValue() == 777).orElse(false));
        await().atMost(Duration.ofSeconds(30)).until(() -> waitingChanges(database) == 0);
        assertThat(world.salesforce.writeCount() - writesBefore).as("applied once").isEqualTo(1);
    }

    private static Map<String, String> replica(SimulatedWorld world, String id, int serverPort) {
        Map<String, String> p = world.serviceProperties();
        p.put("crmsync.replica-id", id);
        p.put("camel.server.port", Integer.toString(serverPort));
        p.put("crmsync.event.poll-cron", "0/" + INTERVAL_SECONDS + " * * * * ?");
        p.put("crmsync.scheduling.cluster-checkin-interval-ms", Long.toString(CHECKIN_MILLIS));
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

    private static String serviceUrl(Map<String, String> properties) {
        return "http://127.0.0.1:" + properties.get("camel.server.port");
    }

    /** The Salesforce poll calls the replica counted itself ({@code salesforce-poll} route). */
    private static double pollCalls(Map<String, String> properties) {
        return PrometheusScrape.of("http://127.0.0.1:" + properties.get("camel.management.port") + "/observe/metrics")
                .sum("crmsync_salesforce_api_calls_total", Map.of("route", "salesforce-poll",
                        "replica", properties.get("crmsync.replica-id")));
    }

    private static long count(List<Poll> polls, String object, Instant from, Instant to) {
        return polls.stream().filter(p -> p.object().equals(object) && !p.at().isBefore(from) && p.at().isBefore(to)).count();
    }

    /** The first cron fire time (a multiple of the interval) at or after the instant. */
    private static Instant nextFireTime(Instant after) {
        long interval = INTERVAL_SECONDS * 1000;
        return Instant.ofEpochMilli((after.toEpochMilli() + interval - 1) / interval * interval);
    }

    private static long fireTimesBetween(Instant after, Instant upTo) {
        long n = 0;
        for (Instant t = nextFireTime(after); !t.isAfter(upTo); t = t.plusSeconds(INTERVAL_SECONDS)) {
            n++;
        }
        return n;
    }

    /** Observing "several intervals" takes their wall time; nothing to poll for meanwhile. */
    private static void awaitTime(Instant when) {
        await().atMost(Duration.ofMillis(Math.max(0, Duration.between(Instant.now(), when).toMillis()) + 5000))
                .pollInterval(Duration.ofMillis(100)).until(() -> !Instant.now().isBefore(when));
    }

    private static DataSource database(SimulatedWorld world) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(world.database.jdbcUrl());
        ds.setUser(world.database.user());
        return ds;
    }

    private static Set<String> schedulerInstances(DataSource database) throws Exception {
        Set<String> ids = new TreeSet<>();
        try (Connection c = database.getConnection(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT instance_name FROM qrtz_scheduler_state WHERE sched_name = 'crmsync'")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }

    private static long waitingChanges(DataSource database) throws Exception {
        try (Connection c = database.getConnection(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT count(*) FROM intercom_change")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}

package io.github.crmsync.bulksync;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import io.github.crmsync.mapping.MappingStore;
import io.github.crmsync.mapping.SandboxMappings;
import io.github.crmsync.sandbox.seed.SeedPerson;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.PrometheusScrape;
import io.github.crmsync.testing.IntercomClientForTests;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.SandboxPairValues;
import io.github.crmsync.testing.SimulatedWorld;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The manual bulk sync through the real service and both simulators: a run brings every mapped
 * attribute of every record in common in step, in the mapping's direction, and touches nothing
 * else; it is one at a time, can be stopped (also by saving mappings), mails its summary and is
 * marked INTERRUPTED when its replica died. The first runs are slowed down to be caught mid-way.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BulkSyncEndToEndTest {

    private static final String INSTALLER = "installer@example.com";

    @TempDir
    static Path dataDir;
    private SimulatedWorld world;
    private GreenMail mail;
    private Map<String, String> properties;
    private RunningService service;

    @BeforeAll
    void start() throws Exception {
        world = new SimulatedWorld(dataDir, 1200);
        mail = new GreenMail(new ServerSetup(RunningService.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        mail.start();
        properties = world.serviceProperties();
        properties.put("crmsync.mail.host", "127.0.0.1");
        properties.put("crmsync.mail.port", Integer.toString(mail.getSmtp().getPort()));
        properties.put("crmsync.bulk.notify-email", INSTALLER);
        // Contacts (about 800) through a Bulk API query job, Leads (about 350) through paged SOQL
        properties.put("crmsync.bulk.query-threshold", "500");
        properties.put("crmsync.bulk.ingest-threshold", "100000");
        properties.put("crmsync.bulk.job-poll-ms", "100");
        // the diff hands the first Intercom patches to the writers, the rest are read back: both ways
        properties.put("crmsync.bulk.early-patches", "20");
        properties.put("crmsync.bulk.lease-ms", "3000");
        properties.put("crmsync.bulk.lease-check-ms", "500");
        properties.put("crmsync.replica-id", "bulk-test-replica");
        properties.put("camel.main.jmxEnabled", "true");
        service = RunningService.start(properties);
        service.bean("mappingStore", MappingStore.class).seedIfEmpty(SandboxMappings.defaults());
    }

    @AfterAll
    void stop() throws Exception {
        try (AutoCloseable w = world; AutoCloseable s = service) {
            mail.stop();
        }
    }

    @Test
    @Order(1)
    void secondStartIsRefusedAndAStopMidRunEndsTheWritesAtTheNextBatch() {
        slowIntercom(300);
        Http.Answer started = Http.post(url("/api/bulk-sync"), "{\"startedBy\":\"e2e\"}");
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        long id = started.json().path("id").asLong();
        assertThat(started.json().path("startedBy").asText()).isEqualTo("e2e");

        Http.Answer second = Http.post(url("/api/bulk-sync"), "");
        assertThat(second.status()).isEqualTo(409);
        assertThat(second.json().path("error").asText()).isEqualTo("A bulk sync is already running");
        assertThat(second.json().path("runId").asLong()).isEqualTo(id);
        JsonNode current = Http.get(url("/api/bulk-sync/current")).json();
        assertThat(current.path("canStart").asBoolean()).isFalse();
        assertThat(current.path("run").path("id").asLong()).isEqualTo(id);

        // once staged, Intercom writes slower than the diff computes them, however slow a loaded machine makes
        // the diff: the stop comes while writes are still to do
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> !List.of("QUEUED", "STAGING").contains(current().path("run").path("status").asText("QUEUED")));
        slowIntercom(2500);
        await().atMost(Duration.ofSeconds(60)).until(() -> current().path("run").path("updatedInIntercom").asLong() > 0);
        assertThat(metrics().sum("crmsync_bulk_run_records")).as("the run's progress on /observe/metrics").isPositive();
        Http.Answer stop = Http.post(url("/api/bulk-sync/current/stop"), "");
        assertThat(stop.status()).as(stop.body()).isEqualTo(200);

        JsonNode stopped = awaitFinished(id);
        assertThat(stopped.path("status").asText()).isEqualTo("STOPPED");
        assertThat(stopped.path("stopReason").asText()).isEqualTo("USER");
        assertThat(stopped.path("processed").asLong()).as("stopped before the end").isLessThan(stopped.path("total").asLong());
        long intercomWrites = world.intercom.writeCount();
        long salesforceWrites = world.salesforce.writeCount();
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() ->
                world.intercom.writeCount() == intercomWrites && world.salesforce.writeCount() == salesforceWrites);
        assertThat(Http.post(url("/api/bulk-sync/current/stop"), "").status()).isEqualTo(404);
        assertThat(current().path("run").isNull()).isTrue();
    }

    @Test
    @Order(2)
    void savingMappingsWhileARunIsActiveNeedsConfirmationAndThenStopsTheRun() throws Exception {
        slowIntercom(300);
        // started over JMX this time
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        String answer = (String) jmx.invoke(new ObjectName("io.github.crmsync:type=BulkSync"), "start", null, null);
        long id = new com.fasterxml.jackson.databind.ObjectMapper().readTree(answer).path("id").asLong();
        assertThat(id).isPositive();
        await().atMost(Duration.ofSeconds(30)).until(() -> !current().path("run").isNull());

        Http.Answer settingsRefused = Http.put(url("/api/settings"),
                "{\"lowerThresholdPercent\":40,\"upperThresholdPercent\":80,\"allocation\":null}");
        assertThat(settingsRefused.status()).as("other settings need the same confirmation").isEqualTo(409);
        assertThat(settingsRefused.json().path("requiresConfirmation").asBoolean()).isTrue();
        assertThat(settingsRefused.json().path("run").path("id").asLong()).isEqualTo(id);

        JsonNode mapping = Http.get(url("/api/mappings")).json().path("mappings").get(0);
        String body = Http.json(Map.of("objectType", mapping.path("objectType").asText(),
                "intercomAttribute", mapping.path("intercomAttribute").asText(),
                "salesforceField", mapping.path("salesforceField").asText(),
                "direction", mapping.path("direction").asText()));
        Http.Answer refused = Http.put(url("/api/mappings/" + mapping.path("id").asLong()), body);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().path("requiresConfirmation").asBoolean()).isTrue();
        assertThat(refused.json().path("error").asText()).isEqualTo("A bulk sync is running; saving stops it");
        assertThat(refused.json().path("run").path("id").asLong()).isEqualTo(id);
        assertThat(runs().get(0).path("status").asText()).isIn(BulkRun.ACTIVE_STATUSES.toArray());

        Http.Answer saved = Http.put(url("/api/mappings/" + mapping.path("id").asLong() + "?confirm=true"), body);
        assertThat(saved.status()).as(saved.body()).isEqualTo(200);
        JsonNode run = runs().get(0);
        assertThat(run.path("id").asLong()).isEqualTo(id);
        assertThat(run.path("status").asText()).as("stopped before the save").isEqualTo("STOPPED");
        assertThat(run.path("stopReason").asText()).isEqualTo("SETTINGS_CHANGED");
        assertThat(run.path("startedBy").asText()).isEqualTo("jmx");
    }

    @Test
    @Order(3)
    void aRunBringsEveryRecordInCommonInStepAndLeavesEverythingElseAlone() throws Exception {
        slowIntercom(0);
        List<SeedPerson> pairs = new ArrayList<>();
        List<SeedPerson> oneSided = new ArrayList<>();
        for (int i = 0; i < world.seed.people(); i++) {
            SeedPerson p = world.seed.person(i);
            if (p.salesforce() != null && p.intercom() != null && !world.sharesEmail(i)) {
                pairs.add(p);
            } else if (p.salesforce() == null || p.intercom() == null || world.seed.isDuplicate(i)) {
                oneSided.add(p);
            }
        }
        Map<String, Object> before = new HashMap<>();
        for (SeedPerson p : oneSided) {
            if (p.salesforce() != null) {
                before.put(p.salesforce().id(), salesforce(p));
            }
            if (p.intercom() != null) {
                before.put(p.intercom().id(), world.intercom.contact(p.intercom().id()).orElseThrow());
            }
        }
        // the stopped runs above wrote the Salesforce side's few batches: someone changes five contacts'
        // seats in Intercom while the webhooks are off, so that only a bulk run can find them
        world.intercom.setWebhookUrl(null);
        IntercomClientForTests otherApp = new IntercomClientForTests(world.intercom.baseUrl());
        for (SeedPerson p : pairs.subList(0, 5)) {
            assertThat(otherApp.update(p.intercom().id(), Map.of("custom_attributes", Map.of("seats", 251 + p.index() % 7)))
                    .status()).isEqualTo(200);
        }
        world.intercom.setWebhookUrl("http://127.0.0.1:" + world.serverPort + "/intercom/webhooks");
        long differing = pairs.stream().filter(p -> !SandboxPairValues.inStep(world, p)).count();
        assertThat(differing).as("the seed has pairs that differ").isGreaterThan(20);
        long sfWrites = world.salesforce.writeCount();
        long icWrites = world.intercom.writeCount();
        mail.purgeEmailFromAllMailboxes();

        PrometheusScrape metricsBefore = metrics();
        Http.Answer started = Http.post(url("/api/bulk-sync"), "");
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        assertThat(started.json().path("startedBy").asText()).as("the logged-in admin").isEqualTo(RunningService.ADMIN_USER);
        JsonNode run = awaitFinished(started.json().path("id").asLong());
        PrometheusScrape metricsAfter = metrics();

        assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("COMPLETED");
        List<String> outOfStep = pairs.stream().filter(p -> !SandboxPairValues.inStep(world, p)).map(p -> p.index() + ": " + salesforce(p) + " / "
                + world.intercom.contact(p.intercom().id()).orElseThrow()).toList();
        assertThat(outOfStep).as("pairs whose mapped values still differ").isEmpty();
        for (SeedPerson p : oneSided) {
            if (p.salesforce() != null) {
                assertThat(salesforce(p)).as("Salesforce-only record " + p.index()).isEqualTo(before.get(p.salesforce().id()));
            }
            if (p.intercom() != null) {
                assertThat(world.intercom.contact(p.intercom().id()).orElseThrow()).as("Intercom-only contact " + p.index())
                        .isEqualTo(before.get(p.intercom().id()));
            }
        }
        assertThat(run.path("updatedInSalesforce").asLong()).isEqualTo(world.salesforce.writeCount() - sfWrites).isPositive();
        assertThat(run.path("updatedInIntercom").asLong()).isEqualTo(world.intercom.writeCount() - icWrites).isPositive();
        assertThat(run.path("processed").asLong()).isEqualTo(run.path("total").asLong());
        for (String direction : List.of("INTERCOM_TO_SALESFORCE", "SALESFORCE_TO_INTERCOM")) {
            Map<String, String> labels = Map.of("direction", direction, "sync_type", "BULK");
            assertThat(metricsAfter.sum("crmsync_records_synced_total", labels)
                    - metricsBefore.sum("crmsync_records_synced_total", labels)).as("records synced by the run, " + direction)
                    .isEqualTo(run.path(direction.startsWith("INTERCOM") ? "updatedInSalesforce" : "updatedInIntercom").asDouble());
        }
        assertThat(metricsAfter.sum("crmsync_bulk_run_records")).as("no run active any more").isZero();
        assertThat(run.path("percent").asDouble()).isEqualTo(100.0);
        assertThat(run.path("unchanged").asLong()).isGreaterThan(pairs.size() / 2);
        // staging both sides, Bulk API job for Contacts, one Collections call per 200 changes
        assertThat(run.path("salesforceCalls").asLong()).isBetween(6L, 20L);

        // the summary of this run (an earlier test's stopped run may still be delivering its own)
        String subjectStart = "Bulk sync #" + run.path("id").asLong() + " ";
        List<MimeMessage> summaries = await().atMost(Duration.ofSeconds(10)).until(() -> {
            List<MimeMessage> about = new java.util.ArrayList<>();
            for (MimeMessage m : mail.getReceivedMessages()) {
                if (m.getSubject().startsWith(subjectStart)) {
                    about.add(m);
                }
            }
            return about;
        }, about -> !about.isEmpty());
        assertThat(summaries).as("one summary of the run").hasSize(1);
        MimeMessage message = summaries.get(0);
        assertThat(message.getAllRecipients()[0].toString()).isEqualTo(INSTALLER);
        assertThat(message.getSubject()).isEqualTo("Bulk sync #" + run.path("id").asLong() + " completed: "
                + run.path("updatedInSalesforce").asLong() + " updated in Salesforce, " + run.path("updatedInIntercom").asLong()
                + " in Intercom, " + run.path("failed").asLong() + " failed");
        String text = GreenMailUtil.getBody(message).replace("\r\n", "\n");
        assertThat(text).containsPattern("Updated in Salesforce +" + String.format("%,d", run.path("updatedInSalesforce").asLong()) + "\n")
                .containsPattern("Updated in Intercom +" + String.format("%,d", run.path("updatedInIntercom").asLong()) + "\n")
                .containsPattern("Unchanged +" + String.format("%,d", run.path("unchanged").asLong()) + "\n")
                .containsPattern("Salesforce API calls used +" + run.path("salesforceCalls").asLong() + "\n")
                .contains("/api/sync-errors?syncType=BULK");

        // a second run finds everything in step and writes nothing
        Http.Answer again = Http.post(url("/api/bulk-sync"), "");
        JsonNode second = awaitFinished(again.json().path("id").asLong());
        assertThat(second.path("status").asText()).isEqualTo("COMPLETED");
        assertThat(second.path("updatedInSalesforce").asLong() + second.path("updatedInIntercom").asLong()).isZero();
    }

    @Test
    @Order(4)
    void ambiguousEmailsAreBulkSyncErrorsNotGuesses() {
        JsonNode errors = Http.get(url("/api/sync-errors?direction=ALL&syncType=BULK&code=AMBIGUOUS_MATCH&size=100")).json();
        List<String> ids = new ArrayList<>();
        errors.path("errors").forEach(e -> ids.add(e.path("salesforceId").asText() + e.path("intercomId").asText()));
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < world.seed.people(); i++) {
            if (world.seed.isDuplicate(i)) {
                SeedPerson duplicate = world.seed.person(i);
                SeedPerson original = world.seed.person(i - 1);
                expected.add(duplicate.salesforce() != null ? duplicate.salesforce().id() : duplicate.intercom().id());
                if (original.salesforce() != null && original.intercom() != null) {
                    expected.add(duplicate.salesforce() != null ? original.salesforce().id() : original.intercom().id());
                }
            }
        }
        assertThat(expected).isNotEmpty();
        assertThat(ids).as(errors.toString()).containsAll(expected);
        errors.path("errors").forEach(e -> assertThat(e.path("message").asText()).contains("records are matched only"));
    }

    @Test
    @Order(5)
    void aRunWhoseReplicaDiedIsMarkedInterrupted() throws Exception {
        // another replica died mid-run: its lease runs out and this replica marks the run
        long abandoned = insertActiveRun("replica-that-died", "now() - interval '1 second'");
        await().atMost(Duration.ofSeconds(10)).until(() -> status(abandoned).equals("INTERRUPTED"));

        // this replica died mid-run: when it starts again, its run is marked at once
        service.close();
        long own = insertActiveRun("bulk-test-replica", "now() + interval '1 hour'");
        service = RunningService.start(properties);
        assertThat(status(own)).isEqualTo("INTERRUPTED");
        JsonNode run = runs().stream().filter(r -> r.path("id").asLong() == own).findFirst().orElseThrow();
        assertThat(run.path("finishedAt").isNull()).isFalse();
        assertThat(Http.get(url("/api/bulk-sync/current")).json().path("canStart").asBoolean()).isTrue();
    }

    // ------------------------------------------------------------------ helpers

    private long insertActiveRun(String owner, String leaseUntil) throws Exception {
        try (Connection c = DriverManager.getConnection(world.database.jdbcUrl(), world.database.user(), "");
             Statement s = c.createStatement()) {
            var rs = s.executeQuery("INSERT INTO bulk_run (status, started_by, mapping_set, owner_replica, lease_until, "
                    + "total, processed) VALUES ('WRITING', 'e2e', '[]', '" + owner + "', " + leaseUntil + ", 10, 4) RETURNING id");
            rs.next();
            return rs.getLong(1);
        }
    }

    private String status(long id) {
        return runs().stream().filter(r -> r.path("id").asLong() == id).findFirst().orElseThrow().path("status").asText();
    }

    private void slowIntercom(long latencyMillis) {
        world.intercom.faults().set(latencyMillis, 0, 0, 0);
    }

    private PrometheusScrape metrics() {
        return PrometheusScrape.of(service.managementUrl() + "/observe/metrics");
    }

    private String url(String path) {
        return service.serviceUrl() + path;
    }

    private JsonNode current() {
        return Http.get(url("/api/bulk-sync/current")).json();
    }

    private List<JsonNode> runs() {
        List<JsonNode> runs = new ArrayList<>();
        Http.get(url("/api/bulk-sync/runs?limit=50")).json().path("runs").forEach(runs::add);
        return runs;
    }

    private JsonNode awaitFinished(long id) {
        await().atMost(Duration.ofSeconds(120)).until(() -> !BulkRun.ACTIVE_STATUSES.contains(status(id)));
        return runs().stream().filter(r -> r.path("id").asLong() == id).findFirst().orElseThrow();
    }

    private Map<String, Object> salesforce(SeedPerson p) {
        return world.salesforce.record(p.salesforce().type(), p.salesforce().id()).orElseThrow();
    }
}

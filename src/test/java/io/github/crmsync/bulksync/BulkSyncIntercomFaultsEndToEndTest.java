package io.github.crmsync.bulksync;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.crmsync.mapping.MappingStore;
import io.github.crmsync.mapping.SandboxMappings;
import io.github.crmsync.sandbox.seed.SeedPerson;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.PrometheusScrape;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.SandboxPairValues;
import io.github.crmsync.testing.SimulatedWorld;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A bulk run whose Intercom writes meet the faults FaultsEndToEndTest injects (10 % 5xx, 5 % 429,
 * 2 % dropped connections): each failed write is redelivered with the sync routes' backoff, every
 * value arrives, each contact is written once, and the run ends with no BULK error row for them;
 * the redeliveries show on /observe/metrics.
 */
class BulkSyncIntercomFaultsEndToEndTest {

    private static final Map<String, String> WRITE_ROUTE = Map.of("route", "bulk-write-intercom-contact");

    @TempDir
    Path dataDir;

    @Test
    void transientIntercomFailuresOfABulkRunAreRedeliveredAndLeaveNoBulkErrorRow() throws Exception {
        try (SimulatedWorld world = new SimulatedWorld(dataDir, 600)) {
            Map<String, String> properties = world.serviceProperties();
            properties.put("crmsync.retry.initial-delay-ms", "50");
            properties.put("crmsync.retry.max-delay-ms", "500");
            properties.put("crmsync.bulk.query-threshold", "100000");
            properties.put("crmsync.bulk.ingest-threshold", "100000");
            // the run's writes only: no webhook-driven event sync beside it
            world.intercom.setWebhookUrl(null);
            try (RunningService service = RunningService.start(properties)) {
                service.bean("mappingStore", MappingStore.class).seedIfEmpty(SandboxMappings.defaults());
                List<SeedPerson> pairs = new ArrayList<>();
                for (int i = 0; i < world.seed.people(); i++) {
                    SeedPerson p = world.seed.person(i);
                    if (p.salesforce() != null && p.intercom() != null && !world.sharesEmail(i)) {
                        pairs.add(p);
                    }
                }
                long differing = pairs.stream().filter(p -> !SandboxPairValues.salesforceToIntercomInStep(world, p)).count();
                assertThat(differing).as("contacts the run has to write").isGreaterThan(20);
                long writesBefore = world.intercom.writeCount();
                double redeliveriesBefore = metrics(service).sum("crmsync_redeliveries_total", WRITE_ROUTE);

                // slow enough that the writes are still to come once staging (which reads, unredelivered) is done
                world.intercom.faults().set(300, 0, 0, 0);
                Http.Answer started = Http.post(service.serviceUrl() + "/api/bulk-sync", "");
                assertThat(started.status()).as(started.body()).isEqualTo(202);
                long id = started.json().path("id").asLong();
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                        .until(() -> !List.of("QUEUED", "STAGING").contains(run(service, id).path("status").asText()));
                world.intercom.faults().update(Map.of("latencyMillis", 20, "serverErrorRate", 0.10,
                        "tooManyRequestsRate", 0.05, "dropConnectionRate", 0.02));

                await().atMost(Duration.ofSeconds(240)).until(() -> !BulkRun.ACTIVE_STATUSES.contains(
                        run(service, id).path("status").asText()));
                world.intercom.faults().set(0, 0, 0, 0);
                JsonNode run = run(service, id);
                JsonNode bulkErrors = Http.get(service.serviceUrl()
                        + "/api/sync-errors?direction=SALESFORCE_TO_INTERCOM&syncType=BULK&size=500").json();
                List<String> writeErrors = new ArrayList<>();
                bulkErrors.path("errors").forEach(e -> {
                    if (!e.path("errorCode").asText().equals("AMBIGUOUS_MATCH")) { // the seed's shared e-mails
                        writeErrors.add(e.path("intercomId").asText() + " " + e.path("errorCode").asText() + ": "
                                + e.path("message").asText());
                    }
                });
                assertThat(writeErrors).as("BULK error rows for Intercom writes").isEmpty();
                assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("COMPLETED");
                assertThat(run.path("failed").asLong()).as(run.toString()).isZero();
                List<String> outOfStep = pairs.stream().filter(p -> !SandboxPairValues.salesforceToIntercomInStep(world, p))
                        .map(p -> p.intercom().id()).toList();
                assertThat(outOfStep).as("contacts whose values did not arrive").isEmpty();
                assertThat(run.path("updatedInIntercom").asLong()).as("each contact written once")
                        .isEqualTo(world.intercom.writeCount() - writesBefore).isEqualTo(differing);
                double redeliveries = metrics(service).sum("crmsync_redeliveries_total", WRITE_ROUTE) - redeliveriesBefore;
                System.out.printf("Bulk run under Intercom faults: %d contacts written, %.0f redeliveries, %d requests, "
                        + "Intercom answered 429 %d times%n", differing, redeliveries, run.path("intercomRequests").asLong(),
                        world.intercom.rateLimitedCount());
                assertThat(redeliveries).as("writes redelivered, on /observe/metrics").isPositive();
                assertThat(run.path("intercomRequests").asLong()).as("the redelivered requests are the run's too")
                        .isGreaterThanOrEqualTo(differing + (long) redeliveries);
            }
        }
    }

    private static JsonNode run(RunningService service, long id) {
        for (JsonNode r : Http.get(service.serviceUrl() + "/api/bulk-sync/runs?limit=10").json().path("runs")) {
            if (r.path("id").asLong() == id) {
                return r;
            }
        }
        throw new AssertionError("no run " + id);
    }

    private static PrometheusScrape metrics(RunningService service) {
        return PrometheusScrape.of(service.managementUrl() + "/observe/metrics");
    }
}

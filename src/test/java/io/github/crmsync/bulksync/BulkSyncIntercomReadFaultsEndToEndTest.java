package io.github.crmsync.bulksync;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.crmsync.sandbox.seed.SeedPerson;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.PrometheusScrape;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.SandboxPairValues;
import io.github.crmsync.testing.SimulatedWorld;
import io.github.crmsync.testing.WholeService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A bulk run whose staging reads of Intercom (the listing's first page, the search slices' pages)
 * meet transient failures (5xx, 429, dropped connections): each failed read is redelivered by the
 * sync-errors configuration, the run completes with every pair in step and no BULK error row, and
 * the redelivered reads show on /observe/metrics under their route.
 */
class BulkSyncIntercomReadFaultsEndToEndTest {

    private static final Map<String, String> READ_ROUTE = Map.of("route", "bulk-read-intercom-page");

    @RegisterExtension
    static final WholeService whole = WholeService.inWorld(600)
            .with("crmsync.retry.initial-delay-ms", "50")
            .with("crmsync.retry.max-delay-ms", "500")
            .with("crmsync.bulk.query-threshold", "100000")
            .with("crmsync.bulk.ingest-threshold", "100000")
            .withSandboxMappings();

    @Test
    void transientFailuresOfStagingsIntercomReadsAreRedeliveredAndTheRunCompletes() {
        SimulatedWorld world = whole.world();
        RunningService service = whole.service();
        // the run's reads and writes only: no webhook-driven event sync beside it
        world.intercom.setWebhookUrl(null);
        List<SeedPerson> pairs = new ArrayList<>();
        for (int i = 0; i < world.seed.people(); i++) {
            SeedPerson p = world.seed.person(i);
            if (p.salesforce() != null && p.intercom() != null && !world.sharesEmail(i)) {
                pairs.add(p);
            }
        }
        assertThat(pairs.stream().filter(p -> !SandboxPairValues.inStep(world, p)).count()).as("pairs the run has to write").isGreaterThan(20);
        double redeliveriesBefore = metrics(service).sum("crmsync_redeliveries_total", READ_ROUTE);

        // about one read in five fails while the run stages; its writes then meet only slowness
        world.intercom.faults().update(Map.of("latencyMillis", 20, "serverErrorRate", 0.15,
                "tooManyRequestsRate", 0.05, "dropConnectionRate", 0.02));
        Http.Answer started = Http.post(service.serviceUrl() + "/api/bulk-sync", "");
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        long id = started.json().path("id").asLong();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20))
                .until(() -> !List.of("QUEUED", "STAGING").contains(run(service, id).path("status").asText()));
        world.intercom.faults().set(0, 0, 0, 0);
        await().atMost(Duration.ofSeconds(240)).until(() -> !BulkRun.ACTIVE_STATUSES.contains(run(service, id).path("status").asText()));

        JsonNode run = run(service, id);
        assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("COMPLETED");
        assertThat(run.path("failed").asLong()).as(run.toString()).isZero();
        List<String> bulkErrors = new ArrayList<>();
        Http.get(service.serviceUrl() + "/api/sync-errors?direction=ALL&syncType=BULK&size=500").json().path("errors")
                .forEach(e -> {
                    if (!e.path("errorCode").asText().equals("AMBIGUOUS_MATCH")) { // the seed's shared e-mails
                        bulkErrors.add(e.path("intercomId").asText() + " " + e.path("errorCode").asText() + ": "
                                + e.path("message").asText());
                    }
                });
        assertThat(bulkErrors).as("BULK error rows").isEmpty();
        assertThat(pairs.stream().filter(p -> !SandboxPairValues.inStep(world, p)).map(SeedPerson::index).toList())
                .as("pairs whose mapped values still differ").isEmpty();
        double redeliveries = metrics(service).sum("crmsync_redeliveries_total", READ_ROUTE) - redeliveriesBefore;
        assertThat(redeliveries).as("staging's reads redelivered, on /observe/metrics").isPositive();
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

package io.github.crmsync.history;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.crmsync.bulksync.BulkRun;
import io.github.crmsync.sandbox.seed.SeedPerson;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.SandboxPairValues;
import io.github.crmsync.testing.SimulatedWorld;
import io.github.crmsync.testing.WholeService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A bulk run whose Salesforce writes go through a Bulk API ingest job records each value the job
 * took, with the run's id, the Salesforce value before (from the run's staged copy) and the e-mail.
 */
class HistoryIngestEndToEndTest {

    @RegisterExtension
    static final WholeService whole = WholeService.inWorld(300)
            .with("crmsync.bulk.ingest-threshold", "1")
            .with("crmsync.bulk.job-poll-ms", "50")
            .withSandboxMappings();

    @Test
    void anIngestJobsWritesAreRecordedWithTheRunsIdTheOldValueAndTheEmail() {
        SimulatedWorld world = whole.world();
        RunningService service = whole.service();
        // a pair whose Intercom-owned values differ: the run writes it to Salesforce
        List<SeedPerson> differing = new ArrayList<>();
        for (int i = 0; i < world.seed.people() && differing.size() < 3; i++) {
            SeedPerson p = world.seed.person(i);
            if (p.salesforce() != null && p.intercom() != null && !world.sharesEmail(i)
                    && SandboxPairValues.salesforceToIntercomInStep(world, p) && !SandboxPairValues.inStep(world, p)) {
                differing.add(p);
            }
        }
        assertThat(differing).isNotEmpty();
        Map<String, Map<String, Object>> before = new java.util.HashMap<>();
        differing.forEach(p -> before.put(p.salesforce().id(),
                world.salesforce.record(p.salesforce().type(), p.salesforce().id()).orElseThrow()));

        Http.Answer started = Http.post(service.serviceUrl() + "/api/bulk-sync", "");
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        long runId = started.json().path("id").asLong();
        await().atMost(Duration.ofSeconds(120)).until(() -> !BulkRun.ACTIVE_STATUSES.contains(status(service, runId)));
        assertThat(status(service, runId)).isEqualTo("COMPLETED");

        for (SeedPerson p : differing) {
            JsonNode changes = Http.get(service.serviceUrl() + "/api/history?salesforceId=" + p.salesforce().id())
                    .json().path("changes");
            assertThat(changes.size()).as("rows of " + p.salesforce().id()).isPositive();
            for (JsonNode r : changes) {
                assertThat(r.path("syncType").asText()).isEqualTo("BULK");
                assertThat(r.path("direction").asText()).isEqualTo("INTERCOM_TO_SALESFORCE");
                assertThat(r.path("bulkRunId").asLong()).isEqualTo(runId);
                assertThat(r.path("sourceField").asText()).startsWith("custom_attributes.");
                assertThat(r.path("email").asText()).isEqualTo(p.intercom().email().toLowerCase(Locale.ROOT));
                Object was = before.get(p.salesforce().id()).get(r.path("field").asText());
                Object now = world.salesforce.record(p.salesforce().type(), p.salesforce().id()).orElseThrow()
                        .get(r.path("field").asText());
                assertThat(same(r.path("newValue").asText(), now)).as(r + " against " + now).isTrue();
                if (was != null && !(was instanceof Boolean)) {
                    assertThat(same(r.path("oldValue").asText(), was)).as(r + " against " + was).isTrue();
                }
            }
        }
    }

    /** A history value against the simulator's: numbers by value (12 and 12.0), the rest as text. */
    private static boolean same(String text, Object value) {
        if (value instanceof Number n) {
            return new BigDecimal(text).compareTo(new BigDecimal(n.toString())) == 0;
        }
        return text.equals(String.valueOf(value));
    }

    private static String status(RunningService service, long id) {
        for (JsonNode run : Http.get(service.serviceUrl() + "/api/bulk-sync/runs?limit=50").json().path("runs")) {
            if (run.path("id").asLong() == id) {
                return run.path("status").asText();
            }
        }
        return "";
    }
}

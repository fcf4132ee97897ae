package io.github.crmsync.bulksync;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.crmsync.mapping.AttributeMapping;
import io.github.crmsync.mapping.Direction;
import io.github.crmsync.mapping.SandboxMappings;
import io.github.crmsync.sandbox.salesforce.SalesforceSimulator;
import io.github.crmsync.sandbox.seed.SeedPerson;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.SimulatedWorld;
import io.github.crmsync.testing.WholeService;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A bulk run on the Bulk API 2.0 paths (query jobs for both objects, an ingest job per object for
 * the Salesforce writes) that meets an org whose API usage is past the bulk-sync tier: it waits as
 * WAITING_FOR_CAPACITY, writes nothing meanwhile, and resumes by itself when usage drops.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BulkSyncIngestEndToEndTest {

    @RegisterExtension
    static final WholeService whole = WholeService.inWorld(400)
            .with("crmsync.bulk.query-threshold", "0")
            .with("crmsync.bulk.ingest-threshold", "1")
            .with("crmsync.bulk.job-poll-ms", "50")
            .with("crmsync.bulk.capacity-check-ms", "200")
            // the org's usage is read from /limits every second while the service makes no other call
            .with("crmsync.quota.limits-poll-cron", "0/1 * * * * ?")
            .with("crmsync.quota.limits-poll-idle-ms", "500")
            .withSandboxMappings();
    private SimulatedWorld world;
    private RunningService service;

    @BeforeAll
    void start() throws Exception {
        world = whole.world();
        service = whole.service();
    }

    @Test
    void aRunWaitsForApiCapacityThenWritesSalesforceThroughIngestJobs() {
        List<SeedPerson> pairs = new ArrayList<>();
        for (int i = 0; i < world.seed.people(); i++) {
            SeedPerson p = world.seed.person(i);
            if (p.salesforce() != null && p.intercom() != null && !world.sharesEmail(i)) {
                pairs.add(p);
            }
        }
        assertThat(pairs.stream().filter(p -> !intercomOwnedValuesInSalesforce(p))).as("pairs to write").hasSizeGreaterThan(5);
        // other integrations have used half of the org's 24-hour allowance: past the 40 % bulk-sync tier
        world.salesforce.addApiRequests(SalesforceSimulator.OTHER_CLIENT_ID, 50_000);
        await().atMost(Duration.ofSeconds(30)).until(() -> "NO_BULK_SYNC".equals(
                Http.get(service.serviceUrl() + "/api/salesforce-usage").json().path("tier").asText()));
        JsonNode current = Http.get(service.serviceUrl() + "/api/bulk-sync/current").json();
        assertThat(current.path("canStart").asBoolean()).isFalse();
        assertThat(current.path("cannotStartReason").asText()).contains("WAITING_FOR_CAPACITY");
        long sfWrites = world.salesforce.writeCount();
        long icWrites = world.intercom.writeCount();

        Http.Answer started = Http.post(service.serviceUrl() + "/api/bulk-sync", "");
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        long id = started.json().path("id").asLong();
        await().atMost(Duration.ofSeconds(30)).until(() -> "WAITING_FOR_CAPACITY".equals(run(id).path("status").asText()));
        AtomicBoolean wroteWhileWaiting = new AtomicBoolean();
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> {
            wroteWhileWaiting.compareAndSet(false, world.salesforce.writeCount() != sfWrites || world.intercom.writeCount() != icWrites);
            return "WAITING_FOR_CAPACITY".equals(run(id).path("status").asText());
        });
        assertThat(wroteWhileWaiting).as("nothing written while waiting").isFalse();

        world.salesforce.resetApiRequests();
        await().atMost(Duration.ofSeconds(60)).until(() -> "COMPLETED".equals(run(id).path("status").asText()));

        JsonNode run = run(id);
        assertThat(run.path("updatedInSalesforce").asLong()).isEqualTo(world.salesforce.writeCount() - sfWrites).isPositive();
        assertThat(run.path("updatedInIntercom").asLong()).isEqualTo(world.intercom.writeCount() - icWrites);
        assertThat(pairs.stream().filter(p -> !intercomOwnedValuesInSalesforce(p)).map(SeedPerson::index).toList())
                .as("pairs whose Intercom-owned values are not in Salesforce").isEmpty();
        // per object: count, query job, its look(s), results; ingest job: create, upload, close, look(s)
        assertThat(run.path("salesforceCalls").asLong()).isBetween(12L, 30L);
        assertThat(world.salesforce.apiRequestsByPath()).as("ingest jobs that count no failed record: their failed "
                + "records are not asked for").containsKey("GET/services/data/{id}/jobs/ingest/{id}")
                .doesNotContainKey("GET/services/data/{id}/jobs/ingest/{id}/failedResults");
    }

    private JsonNode run(long id) {
        for (JsonNode r : Http.get(service.serviceUrl() + "/api/bulk-sync/runs?limit=5").json().path("runs")) {
            if (r.path("id").asLong() == id) {
                return r;
            }
        }
        throw new IllegalStateException("run " + id + " not listed");
    }

    @SuppressWarnings("unchecked")
    private boolean intercomOwnedValuesInSalesforce(SeedPerson p) {
        Map<String, Object> sf = world.salesforce.record(p.salesforce().type(), p.salesforce().id()).orElseThrow();
        Map<String, Object> ic = world.intercom.contact(p.intercom().id()).orElseThrow();
        Map<String, Object> custom = (Map<String, Object>) ic.getOrDefault("custom_attributes", Map.of());
        for (AttributeMapping m : SandboxMappings.defaults().forObject(p.lead()
                ? io.github.crmsync.mapping.ObjectType.LEAD : io.github.crmsync.mapping.ObjectType.CONTACT,
                Direction.INTERCOM_TO_SALESFORCE)) {
            Object target = sf.get(m.salesforceField());
            Object source = custom.get(m.intercomKey());
            boolean same = source instanceof Number n && target != null
                    ? new BigDecimal(n.toString()).compareTo(new BigDecimal(target.toString())) == 0
                    : source instanceof Boolean b ? b.equals(Boolean.TRUE.equals(target))
                    : String.valueOf(source == null ? "" : source).equals(String.valueOf(target == null ? "" : target));
            if (!same) {
                return false;
            }
        }
        return true;
    }
}

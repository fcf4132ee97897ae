package io.github.crmsync.bulksync;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.RunningService;
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
 * The bulk sync as a newcomer tries it in the sandbox: one call, progress that moves forward in
 * every phase and never back, and the summary lands in the sandbox mailbox.
 */
class BulkSyncSandboxTest {

    private static final List<String> ACTIVE = List.of("STAGING", "DIFFING", "WRITING", "WAITING_FOR_CAPACITY");

    @TempDir
    Path dataDir;

    /** One look at {@code GET /api/bulk-sync/current} while the run was active. */
    private record Sample(String phase, double percent) {
    }

    @Test
    void aSandboxRunShowsProgressThatOnlyMovesForwardAndMailsItsSummaryToTheSandboxMailbox() throws Exception {
        Map<String, String> properties = RunningService.sandboxProperties(dataDir);
        // enough people, and simulators slow enough (as real APIs are), for every phase to be seen
        properties.put("crmsync.sandbox.people", "3000");
        properties.put("crmsync.sandbox.latency-ms", "20");
        properties.put("crmsync.bulk.progress-ms", "100");
        try (RunningService service = RunningService.start(properties)) {
            // the first /api answer also loads the API description the answers are checked against: not during staging
            assertThat(Http.get(service.serviceUrl() + "/api/bulk-sync/current").status()).isEqualTo(200);
            Http.Answer started = Http.post(service.serviceUrl() + "/api/bulk-sync", "{\"startedBy\":\"newcomer\"}");
            assertThat(started.status()).as(started.body()).isEqualTo(202);
            long id = started.json().path("id").asLong();

            List<Sample> samples = new ArrayList<>();
            await().atMost(Duration.ofSeconds(120)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(25))
                    .until(() -> {
                        JsonNode run = Http.get(service.serviceUrl() + "/api/bulk-sync/current").json().path("run");
                        if (run.isNull() || !ACTIVE.contains(run.path("status").asText())) {
                            return true;
                        }
                        samples.add(new Sample(run.path("phase").asText(), run.path("percent").asDouble()));
                        return false;
                    });
            JsonNode run = Http.get(service.serviceUrl() + "/api/bulk-sync/runs").json().path("runs").get(0);
            assertThat(run.path("id").asLong()).isEqualTo(id);
            assertThat(run.path("status").asText()).isEqualTo("COMPLETED");
            samples.add(new Sample("COMPLETED", run.path("percent").asDouble()));

            List<Double> percents = samples.stream().map(Sample::percent).toList();
            assertThat(percents).as("the percent never goes down: %s", samples).isSorted();
            assertThat(percents.get(percents.size() - 1)).isEqualTo(100.0);
            double writingStarts = samples.stream().filter(s -> s.phase().equals("WRITING")).mapToDouble(Sample::percent)
                    .findFirst().orElse(100.0);
            List<Sample> beforeWriting = samples.stream()
                    .filter(s -> s.phase().equals("STAGING") || s.phase().equals("DIFFING")).toList();
            assertThat(beforeWriting).as("staging and diffing show how far they are: %s", samples)
                    .anyMatch(s -> s.phase().equals("STAGING") && s.percent() > 0 && s.percent() < writingStarts)
                    .allMatch(s -> s.percent() < writingStarts);
            long updated = run.path("updatedInSalesforce").asLong() + run.path("updatedInIntercom").asLong();
            assertThat(run.path("progress").path("writesDone").asLong()).as("every update found was written")
                    .isEqualTo(run.path("progress").path("writesToDo").asLong())
                    .isBetween(updated, updated + run.path("failed").asLong());

            await().atMost(Duration.ofSeconds(60)).until(() ->
                    Http.get(service.serviceUrl() + "/sandbox/mail").json().path("messages").size() == 1);
            assertThat(run.path("updatedInSalesforce").asLong() + run.path("updatedInIntercom").asLong())
                    .as("the sandbox seed has pairs that differ").isPositive();
            JsonNode message = Http.get(service.serviceUrl() + "/sandbox/mail").json().path("messages").get(0);
            assertThat(message.path("to").get(0).asText()).isEqualTo("installer@sandbox.example");
            assertThat(message.path("subject").asText()).startsWith("Bulk sync #" + id + " completed: "
                    + run.path("updatedInSalesforce").asLong() + " updated in Salesforce");
            assertThat(message.path("body").asText()).contains("started by newcomer")
                    .contains("Updated in Intercom").contains("Salesforce API calls used");
            assertThat(Http.post(service.serviceUrl() + "/api/bulk-sync", "{\"startedBy\": 7}").status())
                    .as("a startedBy that is not a name").isEqualTo(400);
        }
    }
}

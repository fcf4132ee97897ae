package io.github.crmsync.bulksync;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.RunningService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The bulk sync as a newcomer tries it in the sandbox: one call, and the summary lands in the sandbox mailbox. */
class BulkSyncSandboxTest {

    @TempDir
    Path dataDir;

    @Test
    void aSandboxRunMailsItsSummaryToTheSandboxMailbox() throws Exception {
        Map<String, String> properties = RunningService.sandboxProperties(dataDir);
        try (RunningService service = RunningService.start(properties)) {
            Http.Answer started = Http.post(service.serviceUrl() + "/api/bulk-sync", "{\"startedBy\":\"newcomer\"}");
            assertThat(started.status()).as(started.body()).isEqualTo(202);
            long id = started.json().path("id").asLong();

            await().atMost(Duration.ofSeconds(60)).until(() ->
                    Http.get(service.serviceUrl() + "/sandbox/mail").json().path("messages").size() == 1);
            JsonNode run = Http.get(service.serviceUrl() + "/api/bulk-sync/runs").json().path("runs").get(0);
            assertThat(run.path("id").asLong()).isEqualTo(id);
            assertThat(run.path("status").asText()).isEqualTo("COMPLETED");
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

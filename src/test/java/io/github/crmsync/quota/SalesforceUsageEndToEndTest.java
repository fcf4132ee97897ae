package io.github.crmsync.quota;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.crmsync.mapping.MappingStore;
import io.github.crmsync.mapping.SandboxMappings;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.SimulatedWorld;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The usage figures match what Salesforce counted per OAuth client, and the tier follows them. */
class SalesforceUsageEndToEndTest {

    @TempDir
    Path dataDir;

    @Test
    void ownAndOthersUsageMatchSalesforcesCountPerClientAndTheTierMovesWithIt() throws Exception {
        try (SimulatedWorld world = new SimulatedWorld(dataDir, 500)) {
            Map<String, String> properties = world.serviceProperties();
            // the /limits poll every second while idle, so the test need not wait a minute
            properties.put("crmsync.quota.limits-poll-cron", "* * * * * ?");
            properties.put("crmsync.quota.limits-poll-idle-ms", "1000");
            try (RunningService service = RunningService.start(properties)) {
                service.bean("mappingStore", MappingStore.class).seedIfEmpty(SandboxMappings.defaults());
                String usage = service.serviceUrl() + "/api/salesforce-usage";
                assertThat(Http.post(service.serviceUrl() + "/api/event-sync/run", "").status()).isEqualTo(200);
                world.salesforce.addApiRequests("other-client", 45_000);
                assertThat(Http.post(service.serviceUrl() + "/api/event-sync/run", "").status()).isEqualTo(200);

                JsonNode figures = Http.get(usage).json();
                Map<String, Long> perClient = world.salesforce.apiRequestsUsedByClient();
                assertThat(figures.path("limit").asLong()).isEqualTo(100_000);
                assertThat(figures.path("ownUsed").asLong()).isEqualTo(perClient.get("sandbox-client"));
                assertThat(figures.path("orgUsed").asLong()).isEqualTo(world.salesforce.apiRequestsUsed());
                assertThat(figures.path("othersUsed").asLong()).isEqualTo(perClient.get("other-client"));
                assertThat(figures.path("tier").asText()).isEqualTo("NO_BULK_SYNC");
                assertThat(figures.path("allows").toString()).contains("EVENT_SYNC").doesNotContain("BULK_SYNC");

                world.salesforce.addApiRequests("other-client", 40_000);
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).untilAsserted(() ->
                        assertThat(Http.get(usage).json().path("tier").asText())
                                .as("the idle-time /limits poll sees the org's new consumption").isEqualTo("INBOX_APP_ONLY"));
            }
        }
    }
}

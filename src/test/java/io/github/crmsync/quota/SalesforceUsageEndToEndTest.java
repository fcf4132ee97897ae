package io.github.crmsync.quota;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.SimulatedWorld;
import io.github.crmsync.testing.WholeService;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The usage figures match what Salesforce counted per OAuth client, and the tier follows them. */
class SalesforceUsageEndToEndTest {

    // the /limits poll every second while idle, so the test need not wait a minute
    @RegisterExtension
    static final WholeService whole = WholeService.inWorld(500)
            .with("crmsync.quota.limits-poll-cron", "* * * * * ?")
            .with("crmsync.quota.limits-poll-idle-ms", "1000")
            .withSandboxMappings();

    @Test
    void ownAndOthersUsageMatchSalesforcesCountPerClientAndTheTierMovesWithIt() throws Exception {
        RunningService service = whole.service();
        SimulatedWorld world = whole.world();
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
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(Http.get(usage).json().path("tier").asText())
                        .as("the idle-time /limits poll sees the org's new consumption").isEqualTo("INBOX_APP_ONLY"));
    }
}

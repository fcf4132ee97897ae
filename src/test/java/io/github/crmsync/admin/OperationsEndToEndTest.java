package io.github.crmsync.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.SimulatedWorld;
import io.github.crmsync.testing.WholeService;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Operating the service: the API-budget settings over HTTP ({@code /api/settings}) and the same
 * figures, thresholds and operations over JMX through Jolokia, as Hawtio reaches them, with the
 * access policy keeping the rest of the JVM out of reach.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OperationsEndToEndTest {

    private static final String SERVICE_MBEAN = "io.github.crmsync:type=service,name=crmsync";

    @RegisterExtension
    static final WholeService whole = WholeService.inWorld(500).with("camel.main.jmxEnabled", "true").withSandboxMappings();
    private SimulatedWorld world;
    private RunningService service;

    @BeforeAll
    void start() throws Exception {
        world = whole.world();
        service = whole.service();
    }

    @Test
    void settingsAreReadSavedAndRefusedWithTheProblemNamed() {
        JsonNode defaults = Http.get(settings()).json();
        assertThat(defaults.path("lowerThresholdPercent").asInt()).isEqualTo(40);
        assertThat(defaults.path("upperThresholdPercent").asInt()).isEqualTo(80);
        assertThat(defaults.path("allocation").isNull()).isTrue();

        Map<String, String> bad = Map.of(
                "{\"lowerThresholdPercent\":80,\"upperThresholdPercent\":40}", "must be below upperThresholdPercent",
                "{\"lowerThresholdPercent\":0,\"upperThresholdPercent\":80}", "lowerThresholdPercent must be from 1 to 100",
                "{\"lowerThresholdPercent\":40,\"upperThresholdPercent\":101}", "upperThresholdPercent must be from 1 to 100",
                "{\"lowerThresholdPercent\":40.5,\"upperThresholdPercent\":80}", "lowerThresholdPercent must be a whole number",
                "{\"upperThresholdPercent\":80}", "lowerThresholdPercent is required",
                "{\"lowerThresholdPercent\":40,\"upperThresholdPercent\":80,\"allocation\":-5}", "allocation must be a positive number",
                "{\"lowerThresholdPercent\":40,\"upperThresholdPercent\":80,\"allocation\":\"lots\"}", "allocation must be a whole number",
                "{\"lowerThresholdPercent\":40,\"upperThresholdPercent\":80,\"budget\":1}", "unknown setting: budget",
                "[40, 80]", "Send a JSON object");
        bad.forEach((body, problem) -> {
            Http.Answer answer = Http.put(settings(), body);
            assertThat(answer.status()).as(body).isEqualTo(400);
            assertThat(answer.json().path("problems").toString()).as(body).contains(problem);
        });
        Http.Answer notJson = Http.put(settings(), "{\"lowerThresholdPercent\": 40,");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.json().path("error").asText()).startsWith("The body is not JSON");
        assertThat(Http.get(settings()).json()).as("nothing saved by a refused request").isEqualTo(defaults);

        Http.Answer saved = Http.put(settings(), "{\"lowerThresholdPercent\":30,\"upperThresholdPercent\":60,\"allocation\":50000}");
        assertThat(saved.status()).as(saved.body()).isEqualTo(200);
        assertThat(saved.json().path("allocation").asLong()).isEqualTo(50_000);
        assertThat(Http.get(settings()).json().path("upperThresholdPercent").asInt()).isEqualTo(60);
        assertThat(Http.get(service.serviceUrl() + "/api/salesforce-usage").json().path("allocation").asLong()).isEqualTo(50_000);
        Http.Answer reset = Http.put(settings(), "{\"lowerThresholdPercent\":40,\"upperThresholdPercent\":80,\"allocation\":null}");
        assertThat(reset.status()).isEqualTo(200);
        assertThat(Http.get(settings()).json()).isEqualTo(defaults);
    }

    @Test
    void jolokiaReadsTheTierRunsPollNowAndChangesAThresholdButReachesNothingElse() {
        assertThat(Http.post(service.serviceUrl() + "/api/event-sync/run", "").status()).isEqualTo(200);
        world.salesforce.addApiRequests("other-client", 50_000);

        JsonNode poll = jolokia(Map.of("type", "exec", "mbean", SERVICE_MBEAN, "operation", "pollNow"));
        assertThat(poll.path("status").asInt()).as(poll.toString()).isEqualTo(200);
        assertThat(poll.path("value").asText()).contains("Polled");

        JsonNode tier = Http.get(service.managementUrl() + "/observe/jolokia/read/" + SERVICE_MBEAN + "/Tier").json();
        assertThat(tier.path("status").asInt()).as(tier.toString()).isEqualTo(200);
        assertThat(tier.path("value").asText()).as("50 %% consumed after the poll").isEqualTo("NO_BULK_SYNC");
        JsonNode ratio = jolokia(Map.of("type", "read", "mbean", SERVICE_MBEAN, "attribute", "OrgConsumptionRatio"));
        assertThat(ratio.path("value").asDouble()).isBetween(0.5, 0.51);

        JsonNode written = jolokia(Map.of("type", "write", "mbean", SERVICE_MBEAN, "attribute", "UpperThresholdPercent", "value", 50));
        assertThat(written.path("status").asInt()).as(written.toString()).isEqualTo(200);
        try {
            assertThat(Http.get(settings()).json().path("upperThresholdPercent").asInt()).as("saved for every replica").isEqualTo(50);
            assertThat(jolokia(Map.of("type", "read", "mbean", SERVICE_MBEAN, "attribute", "Tier")).path("value").asText())
                    .isEqualTo("INBOX_APP_ONLY");
            JsonNode refused = jolokia(Map.of("type", "write", "mbean", SERVICE_MBEAN, "attribute", "UpperThresholdPercent", "value", 20));
            assertThat(refused.path("status").asInt()).as("below the lower threshold").isNotEqualTo(200);
            assertThat(refused.toString()).doesNotContain("\tat ");
        } finally {
            Http.put(settings(), "{\"lowerThresholdPercent\":40,\"upperThresholdPercent\":80,\"allocation\":null}");
            world.salesforce.resetApiRequests();
        }

        JsonNode routes = jolokia(Map.of("type", "read", "mbean", "org.apache.camel:context=crmsync,type=routes,name=\"intercom-webhook\"",
                "attribute", "State"));
        assertThat(routes.path("value").asText()).as("Camel's own MBeans are there").isEqualTo("Started");
        JsonNode bulk = jolokia(Map.of("type", "read", "mbean", "io.github.crmsync:type=BulkSync", "attribute", "Running"));
        assertThat(bulk.path("value").asBoolean(true)).as("the bulk sync's MBean is reachable: " + bulk).isFalse();
        assertThat(bulk.path("status").asInt()).isEqualTo(200);

        for (Map<String, Object> forbidden : List.<Map<String, Object>>of(
                Map.of("type", "read", "mbean", "java.lang:type=Runtime", "attribute", "SystemProperties"),
                Map.of("type", "read", "mbean", "java.lang:type=Memory", "attribute", "HeapMemoryUsage"),
                Map.of("type", "exec", "mbean", "com.sun.management:type=DiagnosticCommand", "operation", "vmSystemProperties"))) {
            JsonNode answer = jolokia(forbidden);
            assertThat(answer.path("status").asInt()).as(forbidden.toString()).isEqualTo(403);
            assertThat(answer.has("value")).isFalse();
        }
        Http.Answer runtime = Http.get(service.managementUrl() + "/observe/jolokia/read/java.lang:type=Runtime/Uptime");
        assertThat(runtime.body()).contains("403").doesNotContain("\"value\"");
    }

    private JsonNode jolokia(Map<String, Object> request) {
        Http.Answer answer = Http.post(service.managementUrl() + "/observe/jolokia", Http.json(request));
        return answer.json();
    }

    private String settings() {
        return service.serviceUrl() + "/api/settings";
    }
}

package io.github.crmsync.quota;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.crmsync.sandbox.SimulatorFaults;
import io.github.crmsync.sandbox.salesforce.SalesforceSimulator;
import io.github.crmsync.sandbox.salesforce.SalesforceSimulatorSettings;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.SimulatedWorld;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The usage page knows the org's budget from the moment the service runs: {@code /limits} is read
 * once at start-up (a counted call), and a Salesforce that cannot be reached then costs one warning,
 * not the start.
 */
class SalesforceUsageAtStartEndToEndTest {

    /** A Quartz cron that never fires while a test runs: only the start-up read may call /limits. */
    private static final String NEVER = "0 0 0 1 1 ? 2099";

    @TempDir
    Path dataDir;

    @Test
    void rightAfterStartTheUsageHasTheOrgsLimitFromOneLimitsCall() throws Exception {
        try (SimulatedWorld world = new SimulatedWorld(dataDir, 300)) {
            world.salesforce.addApiRequests("other-client", 1_234);
            Map<String, String> properties = world.serviceProperties();
            properties.put("crmsync.quota.limits-poll-cron", NEVER);
            Instant before = Instant.now();
            try (RunningService service = RunningService.start(properties)) {
                JsonNode usage = Http.get(service.serviceUrl() + "/api/salesforce-usage").json();

                assertThat(usage.path("limit").isNull()).as(usage.toString()).isFalse();
                assertThat(usage.path("limit").asLong()).isEqualTo(100_000);
                assertThat(usage.path("orgUsed").asLong()).isEqualTo(world.salesforce.apiRequestsUsed()).isEqualTo(1_235);
                assertThat(world.salesforce.apiRequestsUsedByClient()).as("Salesforce's own count per client")
                        .containsEntry("sandbox-client", 1L);
                assertThat(usage.path("ownUsed").asLong()).as("counted like every Salesforce call").isEqualTo(1);
                assertThat(service.bean("salesforceApiUsage", SalesforceApiUsage.class).ownCallsByRoute(before))
                        .containsExactly(Map.entry("salesforce-limits-at-start", 1L));
            }
        }
    }

    @Test
    void aSalesforceThatCannotBeReachedAtStartIsOneWarningAndThePollReadsTheLimitsLater() throws Exception {
        StringWriter log = new StringWriter();
        String appender = capture(log);
        try (SimulatedWorld world = new SimulatedWorld(dataDir, 300)) {
            int salesforcePort = RunningService.freePort();
            Map<String, String> properties = world.serviceProperties();
            properties.put("camel.component.salesforce.loginUrl", "http://127.0.0.1:" + salesforcePort);
            properties.put("crmsync.quota.limits-poll-cron", "* * * * * ?");
            properties.put("crmsync.quota.limits-poll-idle-ms", "1000");
            try (RunningService service = RunningService.start(properties)) {
                String usageUrl = service.serviceUrl() + "/api/salesforce-usage";
                assertThat(Http.get(usageUrl).json().path("limit").isNull()).as("nothing could be read").isTrue();
                assertThat(log.toString().lines().filter(line -> line.contains("at start-up failed")))
                        .as(log.toString()).hasSize(1)
                        .allSatisfy(line -> assertThat(line).startsWith("WARN").contains("/limits"));

                // Salesforce comes back where the service looks for it: the idle-time poll takes over
                try (SalesforceSimulator salesforce = new SalesforceSimulator(new SalesforceSimulatorSettings("127.0.0.1",
                        salesforcePort, Duration.ofHours(2), 100_000, SimulatorFaults.none()), world.seed)) {
                    salesforce.start();
                    await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                            assertThat(Http.get(usageUrl).json().path("limit").asLong()).isEqualTo(100_000));
                }
            }
        } finally {
            release(appender);
        }
    }

    private static String capture(StringWriter into) {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        String name = "capture-" + System.nanoTime();
        WriterAppender appender = WriterAppender.newBuilder().setName(name).setTarget(into)
                .setLayout(PatternLayout.newBuilder().withPattern("%-5level %c{1.} - %msg%n").build()).build();
        appender.start();
        config.addAppender(appender);
        config.getRootLogger().addAppender(appender, null, null);
        context.updateLoggers();
        return name;
    }

    private static void release(String name) {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        config.getRootLogger().removeAppender(name);
        context.updateLoggers();
    }
}

package io.github.crmsync.quota;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.crmsync.sandbox.SimulatorFaults;
import io.github.crmsync.sandbox.salesforce.SalesforceSimulator;
import io.github.crmsync.sandbox.salesforce.SalesforceSimulatorSettings;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.SimulatedWorld;
import io.github.crmsync.testing.WholeService;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.StringWriter;
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

    /** The org has used some of its budget before the service starts. */
    @Nested
    class SalesforceUp {

        private static Instant before;

        @RegisterExtension
        static final WholeService whole = WholeService.inWorld(300)
                .with("crmsync.quota.limits-poll-cron", NEVER)
                .beforeStart((world, properties, directory) -> {
                    world.salesforce.addApiRequests("other-client", 1_234);
                    before = Instant.now();
                    return () -> { };
                });

        @Test
        void rightAfterStartTheUsageHasTheOrgsLimitFromOneLimitsCall() {
            SimulatedWorld world = whole.world();
            RunningService service = whole.service();
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

    /** The service starts while Salesforce cannot be reached where it looks for it (the log is captured from before the start). */
    @Nested
    class SalesforceDownAtStart {

        private static final StringWriter LOG = new StringWriter();
        private static final int SALESFORCE_PORT = RunningService.freePort();

        @RegisterExtension
        static final WholeService whole = WholeService.inWorld(300)
                .with("camel.component.salesforce.loginUrl", "http://127.0.0.1:" + SALESFORCE_PORT)
                .with("crmsync.quota.limits-poll-cron", "* * * * * ?")
                .with("crmsync.quota.limits-poll-idle-ms", "1000")
                .beforeStart((world, properties, directory) -> {
                    String appender = capture(LOG);
                    return () -> release(appender);
                });

        @Test
        void aSalesforceThatCannotBeReachedAtStartIsOneWarningAndThePollReadsTheLimitsLater() throws Exception {
            SimulatedWorld world = whole.world();
            RunningService service = whole.service();
            String usageUrl = service.serviceUrl() + "/api/salesforce-usage";
            assertThat(Http.get(usageUrl).json().path("limit").isNull()).as("nothing could be read").isTrue();
            assertThat(LOG.toString().lines().filter(line -> line.contains("at start-up failed")))
                    .as(LOG.toString()).hasSize(1)
                    .allSatisfy(line -> assertThat(line).startsWith("WARN").contains("/limits"));

            // Salesforce comes back where the service looks for it: the idle-time poll takes over
            try (SalesforceSimulator salesforce = new SalesforceSimulator(new SalesforceSimulatorSettings("127.0.0.1",
                    SALESFORCE_PORT, Duration.ofHours(2), 100_000, SimulatorFaults.none()), world.seed)) {
                salesforce.start();
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                        assertThat(Http.get(usageUrl).json().path("limit").asLong()).isEqualTo(100_000));
            }
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

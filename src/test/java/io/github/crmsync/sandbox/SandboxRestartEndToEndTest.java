package io.github.crmsync.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.ServiceProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The README's run command works after any crash: a sandbox killed with {@code kill -9} leaves its
 * embedded PostgreSQL running, and the next sandbox on the same data directory stops that server
 * cleanly and starts with all the data; a sandbox started while another one runs on the directory
 * is refused, naming the directory and the running one, and leaves it alone.
 */
// Its own start-up, not WholeService: the subject is three starts of child JVMs on one sandbox data directory.
class SandboxRestartEndToEndTest {

    private static final String SAVED = "{\"lowerThresholdPercent\":33,\"upperThresholdPercent\":77,\"allocation\":5555}";

    @TempDir
    Path dataDir;

    @Test
    void aSandboxKilledHardIsFollowedByOneThatStartsWithItsDataAndALiveOneIsNeverTouched() throws Exception {
        Map<String, String> properties = RunningService.sandboxProperties(dataDir.resolve("data"));
        properties.put("crmsync.sandbox.people", "300");
        properties.put("camel.main.jmxEnabled", "false");
        String service = "http://127.0.0.1:" + properties.get("camel.server.port");

        long orphan;
        try (ServiceProcess first = ServiceProcess.start(properties, dataDir.resolve("first.log"))) {
            awaitHealthy(first, properties, dataDir.resolve("first.log"));
            assertThat(Http.put(service + "/api/settings", SAVED).status()).isEqualTo(200);

            // the same command again, while the first runs: refused, naming the directory and the first
            Path secondLog = dataDir.resolve("second.log");
            try (ServiceProcess second = ServiceProcess.start(properties, secondLog)) {
                assertThat(second.awaitExit(Duration.ofSeconds(120))).as("the second sandbox ends by itself, failing")
                        .isNotIn(0, -1);
            }
            assertThat(Files.readString(secondLog))
                    .contains("The sandbox data directory " + dataDir.resolve("data").toAbsolutePath() + " is in use by a "
                            + "sandbox that is still running (process " + first.pid() + ")");
            assertThat(first.alive()).isTrue();
            assertThat(Http.get(health(properties)).status()).as("the first is undisturbed").isEqualTo(200);
            assertSaved(service, "its database still answers");

            orphan = postmasterPid().orElseThrow();
            first.kill();
        }
        assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive)).as("the killed sandbox's PostgreSQL runs on")
                .contains(true);

        Path thirdLog = dataDir.resolve("third.log");
        try (ServiceProcess third = ServiceProcess.start(properties, thirdLog)) {
            awaitHealthy(third, properties, thirdLog);
            assertSaved(service, "the data written before the crash");
            assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false))
                    .as("the leftover server was stopped").isFalse();
            assertThat(Files.readString(thirdLog)).contains("still running on").contains("left by a sandbox");
            assertThat(third.terminate(Duration.ofSeconds(60))).as("stops cleanly").isNotEqualTo(-1);
        }
        assertThat(postmasterPid()).as("no server left behind by a clean stop").isEmpty();
    }

    /** Whatever happened above, no PostgreSQL of this test outlives it. */
    @AfterEach
    void stopLeftoverServer() throws Exception {
        Optional<Long> pid = postmasterPid();
        if (pid.isPresent()) {
            ProcessHandle.of(pid.get()).ifPresent(ProcessHandle::destroy);
        }
    }

    private Optional<Long> postmasterPid() throws Exception {
        Path pidFile = dataDir.resolve("data").resolve("postgres").resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
        return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).trim()));
    }

    /** The API-budget settings saved through the API before ({@link #SAVED}). */
    private static void assertSaved(String service, String description) {
        JsonNode settings = Http.get(service + "/api/settings").json();
        assertThat(List.of(settings.path("lowerThresholdPercent").asInt(), settings.path("upperThresholdPercent").asInt(),
                settings.path("allocation").asInt())).as(description + ": " + settings).containsExactly(33, 77, 5555);
    }

    private static String health(Map<String, String> properties) {
        return "http://127.0.0.1:" + properties.get("camel.management.port") + "/observe/health";
    }

    private static void awaitHealthy(ServiceProcess process, Map<String, String> properties, Path log) throws Exception {
        await().atMost(Duration.ofSeconds(180)).ignoreExceptions()
                .until(() -> !process.alive() || Http.get(health(properties)).status() == 200);
        if (!process.alive()) {
            throw new AssertionError("the sandbox ended:\n" + Files.readString(log));
        }
    }
}

package io.github.crmsync.operations;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.crmsync.CrmSyncConfiguration;
import io.github.crmsync.sandbox.seed.SeedPerson;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.IntercomClientForTests;
import io.github.crmsync.testing.SalesforceClient;
import io.github.crmsync.testing.SimulatedWorld;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The route-editing recipe of docs/editing-routes.md as CI runs it: the project's
 * {@code routes/*.camel.yaml}, copied to a directory of their own, run by
 * {@code org.apache.camel.main.KameletMain} (the runtime {@code camel run} starts) in a JVM of its
 * own, with the service's classes and dependencies, the configuration class and route reloading on
 * (what {@code --dev} sets), in live mode against PostgreSQL and both simulators. The real flows are
 * checked through the public API only, and reloading by an added route file whose answer is edited,
 * so that the test does not depend on what any one route of the project looks like inside.
 */
class CamelRunEndToEndTest {

    private static final Duration STARTUP = Duration.ofSeconds(60);
    private static final Duration RELOAD = Duration.ofSeconds(30);

    @TempDir
    Path dataDir;

    @Test
    void theRoutesRunUnderCamelRunsRuntimeReachTheSimulatorsAndAnEditedRouteFileIsReloaded() throws Exception {
        try (SimulatedWorld world = new SimulatedWorld(dataDir, 200)) {
            Path routes = Files.createDirectories(dataDir.resolve("routes"));
            try (DirectoryStream<Path> files = Files.newDirectoryStream(Path.of("routes"), "*.camel.yaml")) {
                for (Path file : files) {
                    Files.copy(file, routes.resolve(file.getFileName()));
                }
            }
            Path probe = routes.resolve("reload-probe.camel.yaml");
            Files.writeString(probe, probeRoute("first answer"));

            Map<String, String> properties = world.serviceProperties();
            properties.put("camel.main.configurationClasses", CrmSyncConfiguration.class.getName());
            // the copies on disk, not the ones in target/classes that application.properties names
            properties.put("camel.main.routesIncludePattern", "file:" + routes + "/*.camel.yaml");
            properties.put("camel.main.routesReloadEnabled", "true");
            properties.put("camel.main.routesReloadDirectory", routes.toString());
            properties.put("camel.main.routesReloadPattern", "*.camel.yaml");
            // only the saved file's routes are replaced: with Camel 4.18's default (stop and reload every
            // route) the reload of this project's routes fails on a duplicate route id and leaves none
            properties.put("camel.main.routesReloadRemoveAllRoutes", "false");
            String service = "http://127.0.0.1:" + properties.get("camel.server.port");
            String management = "http://127.0.0.1:" + properties.get("camel.management.port");

            Path log = dataDir.resolve("camel-run.log");
            Process process = start(properties, log);
            try {
                await().atMost(STARTUP).ignoreExceptions().until(
                        () -> !process.isAlive() || Http.get(management + "/observe/health").status() == 200);
                assertThat(process.isAlive()).as("KameletMain ended:\n%s", Files.readString(log)).isTrue();
                assertThat(Http.get(service + "/api/reload-probe").body()).isEqualTo("first answer");

                Files.writeString(probe, probeRoute("second answer"));
                await().atMost(RELOAD).ignoreExceptions().untilAsserted(
                        () -> assertThat(Http.get(service + "/api/reload-probe").body()).isEqualTo("second answer"));

                // after the reload, the project's routes still carry a change from Salesforce to Intercom
                Http.Answer created = Http.post(service + "/api/mappings", Http.json(Map.of("objectType", "CONTACT",
                        "intercomAttribute", "phone", "salesforceField", "Phone", "direction", "SALESFORCE_TO_INTERCOM")));
                assertThat(created.status()).as(created.body()).isEqualTo(201);
                SeedPerson person = world.unusedPerson(SimulatedWorld.inBoth(false));
                assertThat(SalesforceClient.asOtherClient(world.salesforce.baseUrl())
                        .update("Contact", person.salesforce().id(), Map.of("Phone", "+1 555 0142 0001")).status())
                        .isEqualTo(204);
                Http.Answer run = Http.post(service + "/api/event-sync/run", "");
                assertThat(run.status()).as(run.body()).isEqualTo(200);
                assertThat(new IntercomClientForTests(world.intercom.baseUrl()).get(person.intercom().id())
                        .path("phone").asText()).isEqualTo("+1 555 0142 0001");

                Http.Answer health = Http.get(management + "/observe/health");
                assertThat(health.status()).as(health.body()).isEqualTo(200);
                assertThat(checkState(health.json(), "salesforce")).isEqualTo("UP");
                assertThat(checkState(health.json(), "intercom")).isEqualTo("UP");
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(e.getMessage() + "\nKameletMain's log:\n" + Files.readString(log), e);
            } finally {
                stop(process);
            }
        }
    }

    /** A route of its own in the copied directory (under /api/, behind the admin login): it answers a constant the test then edits. */
    private static String probeRoute(String answer) {
        return """
                - route:
                    id: reload-probe
                    from:
                      uri: platform-http:/api/reload-probe
                      steps:
                        - setBody:
                            id: reload-probe-answer
                            constant: "%s"
                """.formatted(answer);
    }

    private static String checkState(JsonNode health, String name) {
        for (JsonNode check : health.path("checks")) {
            if (check.path("name").asText().equals(name)) {
                return check.path("status").asText();
            }
        }
        throw new AssertionError("no health check " + name + " in " + health);
    }

    /**
     * KameletMain on the test JVM's class path (the service's classes and dependencies, and
     * camel-kamelet-main), with the settings as system properties, as a started service gets them.
     * It may not download anything: everything it needs is on the class path.
     */
    private static Process start(Map<String, String> properties, Path log) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-cp");
        // no empty entry: it would put the working directory on the class path
        command.add(Arrays.stream(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"))
                .split(File.pathSeparator)).filter(entry -> !entry.isBlank()).collect(Collectors.joining(File.pathSeparator)));
        command.add("org.apache.camel.main.KameletMain");
        command.add("-download");
        command.add("false");
        return new ProcessBuilder(command).directory(log.getParent().toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** SIGTERM, as Ctrl-C stops {@code camel run}; SIGKILL when it has not ended in time. */
    private static void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}

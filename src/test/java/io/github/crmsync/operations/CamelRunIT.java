package io.github.crmsync.operations;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The route-editing recipe of docs/editing-routes.md, read from that page and run as written
 * against the packaged artifact (after {@code package}: the jar, target/lib/ and target/camel-run/):
 * {@code org.apache.camel.main.KameletMain}, the runtime {@code camel run} starts, in a JVM of its
 * own, on a copy of the project's {@code routes/*.camel.yaml} with route reloading on, in live mode
 * against a PostgreSQL and both simulators the test owns. A value is synced through the real flows,
 * then a saved edit of a route file, and saving it back, each change what a poll does, without a restart.
 */
class CamelRunIT {

    private static final Path PROJECT = Path.of("").toAbsolutePath();
    private static final Path RECIPE_PAGE = PROJECT.resolve("docs/editing-routes.md");
    private static final Duration STARTUP = Duration.ofSeconds(180);
    private static final Duration RELOAD = Duration.ofSeconds(90);
    /** The step of "poll now" (admin-api.camel.yaml) that polls Salesforce (Contacts and Leads). */
    private static final String POLL_SALESFORCE_NOW = """
                          - to: { id: poll-salesforce-now, uri: direct:salesforce-poll }
            """;

    @TempDir
    Path workDir;

    @Test
    void theDocumentedRecipeRunsTheRoutesOnThePackagedJarReachesTheSimulatorsAndReloadsAnEditedRouteFile() throws Exception {
        try (SimulatedWorld world = new SimulatedWorld(workDir.resolve("world"), 200)) {
            // the project's layout, with copies of the files the recipe names, so that the test edits no file of the project
            Path runDir = Files.createDirectories(workDir.resolve("run"));
            Path routes = Files.createDirectories(runDir.resolve("routes"));
            try (DirectoryStream<Path> files = Files.newDirectoryStream(PROJECT.resolve("routes"), "*.camel.yaml")) {
                for (Path file : files) {
                    Files.copy(file, routes.resolve(file.getFileName()));
                }
            }
            Files.copy(PROJECT.resolve("application.properties"), runDir.resolve("application.properties"));
            Path adminApi = routes.resolve("admin-api.camel.yaml");
            String adminApiAsShipped = Files.readString(adminApi);
            assertThat(adminApiAsShipped).as("admin-api.camel.yaml, the route file this test edits").contains(POLL_SALESFORCE_NOW);

            Map<String, String> properties = world.serviceProperties();
            String service = "http://127.0.0.1:" + properties.get("camel.server.port");
            String management = "http://127.0.0.1:" + properties.get("camel.management.port");
            Path log = workDir.resolve("camel-run.log");
            Process process = start(recipe(), properties, runDir, log);
            try {
                await().atMost(STARTUP).until(() -> !process.isAlive() || healthy(management));
                assertThat(process.isAlive()).as("KameletMain ended").isTrue();

                // the project's routes carry a change from Salesforce to Intercom
                Http.Answer created = Http.post(service + "/api/mappings", Http.json(Map.of("objectType", "CONTACT",
                        "intercomAttribute", "phone", "salesforceField", "Phone", "direction", "SALESFORCE_TO_INTERCOM")));
                assertThat(created.status()).as(created.body()).isEqualTo(201);
                SeedPerson person = world.unusedPerson(SimulatedWorld.inBoth(false));
                SalesforceClient salesforce = SalesforceClient.asOtherClient(world.salesforce.baseUrl());
                IntercomClientForTests intercom = new IntercomClientForTests(world.intercom.baseUrl());
                AtomicInteger phones = new AtomicInteger();
                String phone = changePhone(salesforce, person, phones);
                pollNow(service);
                assertThat(intercomPhone(intercom, person)).isEqualTo(phone);
                Http.Answer health = Http.get(management + "/observe/health");
                assertThat(health.status()).as(health.body()).isEqualTo(200);
                assertThat(checkState(health.json(), "salesforce")).isEqualTo("UP");
                assertThat(checkState(health.json(), "intercom")).isEqualTo("UP");

                // saved without the Contacts poll: once reloaded, a poll leaves the Contact's next change in Salesforce
                Files.writeString(adminApi, adminApiAsShipped.replace(POLL_SALESFORCE_NOW, ""));
                await().atMost(RELOAD).pollInterval(Duration.ofSeconds(1)).until(() -> {
                    String next = changePhone(salesforce, person, phones);
                    pollNow(service);
                    return !intercomPhone(intercom, person).equals(next);
                });

                // saved as shipped: once reloaded, a poll brings it again
                String last = changePhone(salesforce, person, phones);
                Files.writeString(adminApi, adminApiAsShipped);
                await().atMost(RELOAD).pollInterval(Duration.ofSeconds(1)).until(() -> {
                    pollNow(service);
                    return intercomPhone(intercom, person).equals(last);
                });
                assertThat(process.isAlive()).as("KameletMain still runs").isTrue();
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(e.getMessage() + "\nKameletMain's log:\n" + Files.readString(log), e);
            } finally {
                stop(process);
            }
        }
    }

    /** A new phone number on the Salesforce Contact, as another API client would write it. */
    private static String changePhone(SalesforceClient salesforce, SeedPerson person, AtomicInteger phones) {
        String phone = "+1 555 0142 %04d".formatted(phones.incrementAndGet());
        assertThat(salesforce.update("Contact", person.salesforce().id(), Map.of("Phone", phone)).status()).isEqualTo(204);
        return phone;
    }

    private static String intercomPhone(IntercomClientForTests intercom, SeedPerson person) {
        return intercom.get(person.intercom().id()).path("phone").asText();
    }

    /** "Poll now": answers once the polls have run and their changes are written. */
    private static void pollNow(String service) {
        Http.Answer run = Http.post(service + "/api/event-sync/run", "");
        assertThat(run.status()).as(run.body()).isEqualTo(200);
    }

    private static boolean healthy(String management) {
        try {
            return Http.get(management + "/observe/health").status() == 200;
        } catch (RuntimeException notYetListening) {
            return false;
        }
    }

    private static String checkState(JsonNode health, String name) {
        for (JsonNode check : health.path("checks")) {
            if (check.path("name").asText().equals(name)) {
                return check.path("status").asText();
            }
        }
        throw new AssertionError("no health check " + name + " in " + health);
    }

    /** The {@code java …} command of the page's "The recipe CI runs" block, split into words as bash does. */
    static List<String> recipe() throws IOException {
        String page = Files.readString(RECIPE_PAGE);
        Matcher block = Pattern.compile("## The recipe CI runs\\s+```bash\\n(.*?)```", Pattern.DOTALL).matcher(page);
        assertThat(block.find()).as("the recipe's bash block in " + RECIPE_PAGE).isTrue();
        String command = block.group(1).replace("\\\n", " ").lines()
                .filter(line -> line.startsWith("java ")).findFirst()
                .orElseThrow(() -> new AssertionError("no java command in the recipe of " + RECIPE_PAGE));
        List<String> words = words(command);
        assertThat(words).as("the recipe's command").startsWith("java", "-cp")
                .endsWith("org.apache.camel.main.KameletMain", "-download", "false");
        return words;
    }

    /** Words as bash splits them: blanks separate, quotes (single or double, no escapes inside) group; # starts a comment. */
    static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        char quote = 0;
        for (char c : line.toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                word = word == null ? new StringBuilder() : word;
            } else if (Character.isWhitespace(c)) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
            } else if (c == '#' && word == null) {
                break;
            } else {
                word = word == null ? new StringBuilder().append(c) : word.append(c);
            }
        }
        assertThat(quote == 0).as("an unclosed quote in: " + line).isTrue();
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }

    /**
     * The recipe as written, run from {@code runDir}: {@code java} is this JVM's, the class path's
     * entries are resolved against the project (its target/ holds what {@code package} made), and the
     * world's settings come first as system properties, so that the recipe's own win where both set one.
     */
    private static Process start(List<String> recipe, Map<String, String> properties, Path runDir, Path log) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        for (int i = 1; i < recipe.size(); i++) {
            String word = recipe.get(i);
            command.add(word);
            if (word.equals("-cp")) {
                command.add(Arrays.stream(recipe.get(++i).split(File.pathSeparator))
                        .map(entry -> PROJECT.resolve(entry).toString()).collect(Collectors.joining(File.pathSeparator)));
            }
        }
        return new ProcessBuilder(command).directory(runDir.toFile())
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

package io.github.crmsync.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * Hawtio run the way README.md tells operators to run it: Hawtio's war (io.hawt:hawtio-war) in
 * Jetty's own distribution (org.eclipse.jetty:jetty-home), both put under target/hawtio/ by the
 * build from Maven Central, in a JVM of its own with a Jetty base of its own.
 */
public final class Hawtio implements AutoCloseable {

    private static final Path DISTRIBUTION = Path.of("target", "hawtio");

    private final Process process;
    private final int port;
    private final Path log;

    private Hawtio(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts Hawtio on 127.0.0.1:{@code port} with its Jetty base in {@code base}; {@link #awaitUp} waits for it. */
    public static Hawtio start(Path base, int port) throws IOException, InterruptedException {
        Path startJar = jettyHome().resolve("start.jar").toAbsolutePath();
        Files.createDirectories(base.resolve("webapps"));
        Files.copy(DISTRIBUTION.resolve("hawtio.war"), base.resolve("webapps").resolve("hawtio.war"));
        Path log = base.resolve("hawtio.log");
        // README: `java -jar $JETTY_HOME/start.jar --add-modules=http,ee10-deploy` in an empty base, once
        Process setup = java(base, log, startJar, List.of("--add-modules=http,ee10-deploy"), List.of()).start();
        if (!setup.waitFor(2, TimeUnit.MINUTES) || setup.exitValue() != 0) {
            setup.destroyForcibly();
            throw new IllegalStateException("Jetty's base could not be set up: " + Files.readString(log));
        }
        Path tmp = Files.createDirectories(base.resolve("tmp"));
        Process process = java(base, log, startJar,
                List.of("jetty.http.host=127.0.0.1", "jetty.http.port=" + port),
                // Hawtio's own login is off: it would need a JAAS realm in Jetty; the service asks for its own
                List.of("-Dhawtio.authenticationEnabled=false", "-Xmx256m", "-Djava.io.tmpdir=" + tmp)).start();
        return new Hawtio(process, port, log);
    }

    private static ProcessBuilder java(Path base, Path log, Path startJar, List<String> args, List<String> jvmArgs) {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.addAll(ServiceProcess.testJvmOptions());
        command.add("-jar");
        command.add(startJar.toString());
        command.addAll(args);
        return new ProcessBuilder(command).directory(base.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    }

    private static Path jettyHome() throws IOException {
        try (Stream<Path> entries = Files.list(DISTRIBUTION)) {
            return entries.filter(p -> p.getFileName().toString().startsWith("jetty-home-")).findFirst()
                    .orElseThrow(() -> new IllegalStateException(DISTRIBUTION.toAbsolutePath()
                            + " has no jetty-home-*: run the build's generate-test-resources phase (mvn test does)"));
        }
    }

    /** The console's address, e.g. http://127.0.0.1:8090/hawtio */
    public String url() {
        return origin() + "/hawtio";
    }

    /** What a browser sends as Origin from Hawtio's pages. */
    public String origin() {
        return "http://127.0.0.1:" + port;
    }

    /** Waits until Hawtio serves its page and its proxy is on. */
    public void awaitUp(Duration atMost) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try {
            await().atMost(atMost).pollInterval(Duration.ofMillis(500)).ignoreExceptionsInstanceOf(IOException.class).until(() -> {
                if (!process.isAlive()) {
                    throw new AssertionError("Hawtio ended: " + Files.readString(log));
                }
                HttpResponse<String> enabled = client.send(HttpRequest.newBuilder(URI.create(url() + "/proxy/enabled"))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                return enabled.statusCode() == 200 && enabled.body().trim().equals("true");
            });
        } catch (RuntimeException e) {
            throw new AssertionError("Hawtio did not come up: " + logText(), e);
        }
    }

    public String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}

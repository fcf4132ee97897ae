package io.github.crmsync.testing;

import io.github.crmsync.Application;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The service in a JVM of its own, so that a test can crash it the hard way ({@code kill -9}): no
 * shutdown hook, no graceful stop, in-flight work simply gone.
 */
public final class ServiceProcess implements AutoCloseable {

    private final Process process;

    private ServiceProcess(Process process) {
        this.process = process;
    }

    public static ServiceProcess start(Map<String, String> properties, Path log) throws Exception {
        return start(properties, Map.of(), log);
    }

    /**
     * As {@link #start(Map, Path)}, with environment variables added to the ones this JVM has (as a
     * container's environment sets the service's settings).
     */
    public static ServiceProcess start(Map<String, String> properties, Map<String, String> environment, Path log)
            throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        command.addAll(testJvmOptions());
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-cp");
        // no empty entry: it would put the working directory (with its routes/ folder) on the class path
        command.add(java.util.Arrays.stream(System.getProperty("surefire.test.class.path",
                        System.getProperty("java.class.path")).split(File.pathSeparator))
                .filter(entry -> !entry.isBlank()).collect(java.util.stream.Collectors.joining(File.pathSeparator)));
        command.add(Application.class.getName());
        ProcessBuilder builder = new ProcessBuilder(command).directory(log.getParent().toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        return new ServiceProcess(process);
    }

    /**
     * The JVM options the build gives the services that tests start ({@code tests.jvm} in pom.xml);
     * none when a benchmark starts the service, so its figures are the JVM's defaults'.
     */
    public static List<String> testJvmOptions() {
        String options = System.getProperty("crmsync.test.service-jvm-options", "").trim();
        return options.isEmpty() ? List.of() : List.of(options.split("\\s+"));
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** SIGKILL: the way a node dies when its machine goes away. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /**
     * SIGTERM, as Kubernetes stops a pod: the service drains and stops in order. Returns the exit
     * code, or -1 when it had not ended within {@code timeout}.
     */
    public int terminate(java.time.Duration timeout) throws InterruptedException {
        process.destroy();
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    /** Waits for the process to end by itself: its exit code, or -1 when it still runs after {@code timeout}. */
    public int awaitExit(java.time.Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}

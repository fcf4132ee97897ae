package io.github.crmsync.database;

import io.zonky.test.db.postgres.util.LinuxUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A PostgreSQL server still running on a data directory whose owner died without stopping it (an
 * embedded server outlives a JVM killed with {@code kill -9}): found through the directory's
 * {@code postmaster.pid}, and stopped cleanly with {@code pg_ctl stop -m fast} from its own
 * binaries, so that a new server can start there with all the data.
 */
final class LeftoverPostmaster {

    private static final Logger LOG = LoggerFactory.getLogger(LeftoverPostmaster.class);
    private static final long STOP_SECONDS = 60;

    private LeftoverPostmaster() {
    }

    /**
     * Stops the server running on {@code dataDirectory}, if any. Only for a caller that owns the
     * directory (no live process of its own uses that server).
     */
    static void stopIfRunning(Path dataDirectory) throws IOException {
        Path pidFile = dataDirectory.resolve("postmaster.pid");
        Optional<Long> pid = pidOf(pidFile);
        Optional<ProcessHandle> process = pid.flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive);
        if (process.isEmpty()) {
            return; // no file, or its server is gone: PostgreSQL replaces such a stale file itself
        }
        Optional<Path> binary = postgresOn(process.get(), dataDirectory);
        if (binary.isEmpty()) {
            if (process.get().info().command().isPresent()) {
                // the number now belongs to another program, which PostgreSQL would take for a live server
                LOG.info("Removing {}: process {} is not PostgreSQL on this directory", pidFile, pid.get());
                Files.deleteIfExists(pidFile);
            }
            return;
        }
        LOG.warn("PostgreSQL (process {}) is still running on {}, left by a sandbox that ended without stopping it; "
                + "stopping it", pid.get(), dataDirectory.toAbsolutePath());
        stop(process.get(), binary.get().resolveSibling("pg_ctl"), dataDirectory);
        LOG.info("The leftover PostgreSQL is stopped; its data stays in {}", dataDirectory.toAbsolutePath());
    }

    /** The first line of {@code postmaster.pid} is the server's process id. */
    static Optional<Long> pidOf(Path pidFile) throws IOException {
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
        try {
            return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The server binary when the process is a PostgreSQL server started with {@code -D dataDirectory}. */
    static Optional<Path> postgresOn(ProcessHandle process, Path dataDirectory) {
        Optional<String> command = process.info().command();
        Optional<String[]> arguments = process.info().arguments();
        if (command.isEmpty() || arguments.isEmpty()
                || !Path.of(command.get()).getFileName().toString().equals("postgres")) {
            return Optional.empty();
        }
        String[] args = arguments.get();
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("-D") && sameDirectory(Path.of(args[i + 1]), dataDirectory)) {
                return Optional.of(Path.of(command.get()));
            }
        }
        return Optional.empty();
    }

    private static boolean sameDirectory(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    private static void stop(ProcessHandle server, Path pgCtl, Path dataDirectory) throws IOException {
        if (Files.isExecutable(pgCtl)) {
            List<String> command = new ArrayList<>();
            if (LinuxUtils.isUnshareAvailable()) {
                // as the embedded server itself runs: PostgreSQL's tools refuse to run as root
                command.addAll(List.of("unshare", "-U"));
            }
            command.addAll(List.of(pgCtl.toString(), "stop", "-D", dataDirectory.toAbsolutePath().toString(),
                    "-m", "fast", "-w", "-t", Long.toString(STOP_SECONDS)));
            Process stop = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(stop.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (waitFor(stop) != 0) {
                LOG.warn("pg_ctl stop failed ({}); sending the server SIGTERM", output);
                server.destroy();
            }
        } else {
            server.destroy(); // SIGTERM: the dead owner's connections are gone, so it stops at once
        }
        try {
            server.onExit().get(STOP_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException e) {
            throw new IllegalStateException("PostgreSQL (process " + server.pid() + ") on " + dataDirectory.toAbsolutePath()
                    + " did not stop within " + STOP_SECONDS + " s; stop it, then start again");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while stopping the leftover PostgreSQL", e);
        }
    }

    private static int waitFor(Process process) throws IOException {
        try {
            return process.waitFor(STOP_SECONDS + 10, TimeUnit.SECONDS) ? process.exitValue() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while stopping the leftover PostgreSQL", e);
        }
    }
}

package io.github.crmsync.database;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The sandbox's PostgreSQL: real server binaries started in-process, with a data directory that
 * survives restarts so the sandbox keeps its mappings, links and history between runs.
 */
public final class EmbeddedDatabase implements AutoCloseable {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EmbeddedDatabase.class);

    private final EmbeddedPostgres postgres;

    private EmbeddedDatabase(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /** Starts PostgreSQL on the port (0 = any free port) with its data in {@code dataDirectory}. */
    public static EmbeddedDatabase start(Path dataDirectory, int port) throws IOException {
        return start(dataDirectory, port, true);
    }

    /**
     * As {@link #start(Path, int)}; without {@code stopWithJvm} the server is stopped only by
     * {@link #close()}, so that an owner that drains its work on SIGTERM stops it last instead of
     * racing the JVM's shutdown hooks.
     */
    public static EmbeddedDatabase start(Path dataDirectory, int port, boolean stopWithJvm) throws IOException {
        Files.createDirectories(dataDirectory);
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setRegisterShutdownHook(stopWithJvm)
                .setDataDirectory(dataDirectory)
                .setCleanDataDirectory(false)
                .setServerConfig("max_connections", "100");
        if (port > 0) {
            builder.setPort(port);
        }
        return new EmbeddedDatabase(builder.start());
    }

    /**
     * As {@link #start(Path, int, boolean)} for a caller that owns {@code dataDirectory} alone (the
     * sandbox, holding its lock): a server still running there was left by an owner that died
     * without stopping it, and is stopped cleanly first, its data kept.
     */
    public static EmbeddedDatabase startOwned(Path dataDirectory, int port, boolean stopWithJvm) throws IOException {
        Files.createDirectories(dataDirectory);
        LeftoverPostmaster.stopIfRunning(dataDirectory);
        return start(dataDirectory, port, stopWithJvm);
    }

    public String jdbcUrl() {
        return postgres.getJdbcUrl("postgres", "postgres");
    }

    public String user() {
        return "postgres";
    }

    public int port() {
        return postgres.getPort();
    }

    @Override
    public void close() throws IOException {
        postgres.close();
        LOG.info("Embedded PostgreSQL stopped");
    }
}

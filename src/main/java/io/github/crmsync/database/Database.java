package io.github.crmsync.database;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;

/**
 * The service's one connection pool to PostgreSQL, migrated to the current schema before anything
 * uses it. Every piece of state lives here, so replicas share it.
 */
public final class Database implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    private final HikariDataSource pool;
    private final int migrationsApplied;

    private Database(HikariDataSource pool, int migrationsApplied) {
        this.pool = pool;
        this.migrationsApplied = migrationsApplied;
    }

    /** Opens the pool and applies pending Flyway migrations (a no-op on an up-to-date schema). */
    public static Database open(String url, String user, String password, int poolSize, String poolName) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(poolSize);
        config.setPoolName(poolName);
        config.setConnectionTimeout(10_000);
        HikariDataSource pool = new HikariDataSource(config);
        MigrateResult result;
        try {
            result = Flyway.configure()
                    .dataSource(pool)
                    .locations("classpath:db/migration")
                    .load()
                    .migrate();
            LOG.info("Database schema at version {} ({} migration(s) applied now)",
                    result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion,
                    result.migrationsExecuted);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        return new Database(pool, result.migrationsExecuted);
    }

    /** How many migrations this start applied (0 on an up-to-date schema). */
    public int migrationsApplied() {
        return migrationsApplied;
    }

    public DataSource dataSource() {
        return pool;
    }

    @Override
    public void close() {
        pool.close();
        LOG.info("Database pool closed");
    }
}

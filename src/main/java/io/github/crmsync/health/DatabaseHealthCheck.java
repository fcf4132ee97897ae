package io.github.crmsync.health;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;

/** Ready only while PostgreSQL, where all state lives, answers a query. */
public final class DatabaseHealthCheck extends AbstractHealthCheck {

    private final DataSource dataSource;

    public DatabaseHealthCheck(DataSource dataSource) {
        super("crmsync", "database");
        this.dataSource = dataSource;
    }

    @Override
    public boolean isLiveness() {
        // a database outage is not cured by restarting the service
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.setQueryTimeout(5);
            statement.execute("SELECT 1");
            builder.up();
        } catch (Exception e) {
            builder.down().message("PostgreSQL does not answer: " + e.getMessage());
        }
    }
}

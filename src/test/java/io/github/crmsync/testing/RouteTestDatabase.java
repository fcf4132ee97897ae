package io.github.crmsync.testing;

import io.github.crmsync.database.Database;
import io.github.crmsync.database.EmbeddedDatabase;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The embedded PostgreSQL of the route tests whose flow reads or writes the database: started once a
 * JVM (a few seconds), its tables emptied before each test by {@link #emptied()}.
 */
public final class RouteTestDatabase {

    private static Database database;

    private RouteTestDatabase() {
    }

    /** The database with the service's schema and no rows in the tables the sync writes. */
    public static synchronized DataSource emptied() {
        if (database == null) {
            try {
                EmbeddedDatabase postgres = EmbeddedDatabase.start(Files.createTempDirectory("route-tests-db"), 0, true);
                database = Database.open(postgres.jdbcUrl(), postgres.user(), "", 4, "route-tests");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE intercom_change, webhook_notification, intercom_contact_version, sync_error,"
                    + " salesforce_api_call, salesforce_org_usage, salesforce_event_delivery, record_link, sync_watermark");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return database.dataSource();
    }
}

package io.github.crmsync.alerts;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The sync-error rate an operator can check in the list: records (rows of {@code sync_error}, one
 * per record and direction) whose last failure was within the last 60 minutes.
 */
public final class SyncErrorCount {

    private final DataSource dataSource;

    public SyncErrorCount(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public long lastHour() {
        try (Connection c = dataSource.getConnection(); PreparedStatement count = c.prepareStatement(
                "SELECT count(*) FROM sync_error WHERE occurred_at > now() - INTERVAL '60 minutes'");
             ResultSet rs = count.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException("Counting the sync errors of the last hour failed: " + e.getMessage(), e);
        }
    }
}

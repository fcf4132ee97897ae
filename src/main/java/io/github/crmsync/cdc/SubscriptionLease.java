package io.github.crmsync.cdc;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;

/**
 * Which replica holds the change-event subscriptions: a lease row in PostgreSQL that its holder
 * renews well before it runs out; when the holder dies, the lease runs out and the next replica to
 * try takes it. The database's clock decides, so replicas' clocks need not agree.
 */
public final class SubscriptionLease {

    static final String NAME = "cdc-subscriber";

    private final DataSource dataSource;
    private final String replica;
    private final Duration length;

    public SubscriptionLease(DataSource dataSource, String replica, Duration length) {
        this.dataSource = dataSource;
        this.replica = replica;
        this.length = length;
    }

    public Duration length() {
        return length;
    }

    /** Takes or renews the lease; true while this replica holds it. */
    public boolean hold() {
        try (Connection c = dataSource.getConnection(); PreparedStatement take = c.prepareStatement(
                "INSERT INTO cdc_lease (name, holder, expires_at) VALUES (?, ?, now() + ?::interval) "
                        + "ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at "
                        + "WHERE cdc_lease.holder = EXCLUDED.holder OR cdc_lease.expires_at < now()")) {
            take.setString(1, NAME);
            take.setString(2, replica);
            take.setString(3, length.toMillis() + " milliseconds");
            return take.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new IllegalStateException("The subscription lease could not be taken: " + e.getMessage(), e);
        }
    }

    /** Gives the lease up (a replica stopping), so another takes over at once. */
    public void release() {
        try (Connection c = dataSource.getConnection(); PreparedStatement drop = c.prepareStatement(
                "DELETE FROM cdc_lease WHERE name = ? AND holder = ?")) {
            drop.setString(1, NAME);
            drop.setString(2, replica);
            drop.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("The subscription lease could not be released: " + e.getMessage(), e);
        }
    }
}

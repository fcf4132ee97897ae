package io.github.crmsync.alerts;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;

/**
 * Whether an alert of a kind may be sent now, decided in PostgreSQL ({@code alert_sent}, one row per
 * kind) so that of several replicas noticing the same thing only one sends it: the conditional
 * upsert takes the row's lock, and a second replica's sees the first one's {@code last_sent_at}.
 * The claim is taken before sending: a send that then fails is not tried again within the period
 * (its failure is logged instead).
 */
public final class QuietPeriod {

    private final DataSource dataSource;

    public QuietPeriod(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** True when no alert of this kind was sent within {@code quiet}: it is now marked sent. False: held back (and noted). */
    public boolean claim(AlertKind kind, Duration quiet) {
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement claim = c.prepareStatement("""
                    INSERT INTO alert_sent (kind, last_sent_at) VALUES (?, now())
                    ON CONFLICT (kind) DO UPDATE SET last_sent_at = now(), held_back_at = NULL
                    WHERE alert_sent.last_sent_at <= now() - ? * INTERVAL '1 millisecond'
                    """)) {
                claim.setString(1, kind.name());
                claim.setLong(2, quiet.toMillis());
                if (claim.executeUpdate() == 1) {
                    return true;
                }
            }
            try (PreparedStatement held = c.prepareStatement("UPDATE alert_sent SET held_back_at = now() WHERE kind = ?")) {
                held.setString(1, kind.name());
                held.executeUpdate();
            }
            return false;
        } catch (SQLException e) {
            throw new IllegalStateException("Deciding the quiet period of alert " + kind + " failed: " + e.getMessage(), e);
        }
    }
}

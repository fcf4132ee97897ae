package io.github.crmsync.cdc;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * The replay id (base64, as camel-salesforce gives and takes it) of the last change event handled per
 * channel, in PostgreSQL, so that any replica's subscription resumes after it. Camel's own position
 * is in memory only and moves even when handling failed; this one moves when an event was handled
 * (applied, found to cost nothing, or recorded as a sync error).
 */
public final class ReplayIds {

    private final DataSource dataSource;

    public ReplayIds(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public Optional<String> get(String topic) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement("SELECT replay_id FROM cdc_replay WHERE topic = ?")) {
            select.setString(1, topic);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Reading the replay id of " + topic + " failed: " + e.getMessage(), e);
        }
    }

    public void handled(String topic, String replayId) {
        try (Connection c = dataSource.getConnection(); PreparedStatement upsert = c.prepareStatement(
                "INSERT INTO cdc_replay (topic, replay_id, handled_at) VALUES (?, ?, now()) "
                        + "ON CONFLICT (topic) DO UPDATE SET replay_id = EXCLUDED.replay_id, handled_at = now()")) {
            upsert.setString(1, topic);
            upsert.setString(2, replayId);
            upsert.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Storing the replay id of " + topic + " failed: " + e.getMessage(), e);
        }
    }

    /** Forgets a channel's replay id (it was refused: corrupted, or events after it expired). */
    public void forget(String topic) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement delete = c.prepareStatement("DELETE FROM cdc_replay WHERE topic = ?")) {
            delete.setString(1, topic);
            delete.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Forgetting the replay id of " + topic + " failed: " + e.getMessage(), e);
        }
    }
}

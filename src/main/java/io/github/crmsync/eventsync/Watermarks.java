package io.github.crmsync.eventsync;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

/**
 * How far each poll has got, per name ({@code salesforce:Contact}, {@code intercom:contacts} …),
 * in PostgreSQL so any replica continues where another stopped. A watermark only moves forward,
 * and callers move it only past records that were handled.
 */
public final class Watermarks {

    /** A position: records after {@code at}, or at {@code at} with an id greater than {@code lastId}. */
    public record Watermark(Instant at, String lastId) {
        public boolean isAfter(Watermark other) {
            int byTime = at.compareTo(other.at);
            if (byTime != 0) {
                return byTime > 0;
            }
            return lastId != null && (other.lastId == null || lastId.compareTo(other.lastId) > 0);
        }
    }

    private final DataSource dataSource;

    public Watermarks(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The stored watermark, or {@code initial} stored and returned when there is none yet. */
    public Watermark getOrStart(String name, Watermark initial) {
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO sync_watermark (name, watermark_at, last_id) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING")) {
                insert.setString(1, name);
                insert.setTimestamp(2, Timestamp.from(initial.at()));
                insert.setString(3, initial.lastId());
                insert.executeUpdate();
            }
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT watermark_at, last_id FROM sync_watermark WHERE name = ?")) {
                select.setString(1, name);
                try (ResultSet rs = select.executeQuery()) {
                    rs.next();
                    return new Watermark(rs.getTimestamp(1).toInstant(), rs.getString(2));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Reading watermark " + name + " failed: " + e.getMessage(), e);
        }
    }

    /** Moves the watermark to {@code to} unless it is already there or further. */
    public void advance(String name, Watermark to) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement update = c.prepareStatement(
                     "UPDATE sync_watermark SET watermark_at = ?, last_id = ?, updated_at = now() WHERE name = ? "
                             + "AND (watermark_at < ? OR (watermark_at = ? AND (last_id IS NULL OR last_id < ?)))")) {
            Timestamp at = Timestamp.from(to.at());
            update.setTimestamp(1, at);
            update.setString(2, to.lastId());
            update.setString(3, name);
            update.setTimestamp(4, at);
            update.setTimestamp(5, at);
            update.setString(6, to.lastId() == null ? "" : to.lastId());
            update.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Advancing watermark " + name + " failed: " + e.getMessage(), e);
        }
    }
}

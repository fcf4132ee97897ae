package io.github.crmsync.eventsync;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;

/**
 * How far each poll has got, per name ({@code salesforce:Contact}, {@code intercom:contacts} …),
 * in PostgreSQL so any replica continues where another stopped. A watermark only moves forward,
 * and callers move it only past records that were handled. Beside the position it keeps when the
 * last poll that read to the end started ({@code readUntil}) and how many times the page after the
 * position failed as a whole since the position last moved.
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

    /** A stored watermark: its position, when the last complete poll started, and the page's failures as a whole. */
    public record State(Watermark position, Instant readUntil, int pageFailures) {
    }

    private final DataSource dataSource;

    public Watermarks(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Starts the watermark at {@code at} (a poll becomes responsible for changes from then on) unless
     * one is stored already; true when this call stored it.
     */
    public boolean start(String name, Instant at) {
        try (Connection c = dataSource.getConnection(); PreparedStatement insert = c.prepareStatement(
                "INSERT INTO sync_watermark (name, watermark_at, last_id, read_until) VALUES (?, ?, NULL, ?) "
                        + "ON CONFLICT (name) DO NOTHING")) {
            insert.setString(1, name);
            insert.setTimestamp(2, Timestamp.from(at));
            insert.setTimestamp(3, Timestamp.from(at));
            return insert.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new IllegalStateException("Starting watermark " + name + " failed: " + e.getMessage(), e);
        }
    }

    /** The stored watermark, or {@code initial} stored and returned when there is none yet. */
    public Watermark getOrStart(String name, Watermark initial) {
        return stateOrStart(name, initial).position();
    }

    /** The stored state, or a state at {@code initial} stored and returned when there is none yet. */
    public State stateOrStart(String name, Watermark initial) {
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO sync_watermark (name, watermark_at, last_id, read_until) VALUES (?, ?, ?, ?) "
                            + "ON CONFLICT (name) DO NOTHING")) {
                insert.setString(1, name);
                insert.setTimestamp(2, Timestamp.from(initial.at()));
                insert.setString(3, initial.lastId());
                insert.setTimestamp(4, Timestamp.from(initial.at()));
                insert.executeUpdate();
            }
            return read(c, name).orElseThrow();
        } catch (SQLException e) {
            throw new IllegalStateException("Reading watermark " + name + " failed: " + e.getMessage(), e);
        }
    }

    /** The stored state, empty when the watermark was never started. */
    public Optional<State> state(String name) {
        try (Connection c = dataSource.getConnection()) {
            return read(c, name);
        } catch (SQLException e) {
            throw new IllegalStateException("Reading watermark " + name + " failed: " + e.getMessage(), e);
        }
    }

    /** Moves the watermark to {@code to} unless it is already there or further; a move clears the page's failures. */
    public void advance(String name, Watermark to) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement update = c.prepareStatement(
                     "UPDATE sync_watermark SET watermark_at = ?, last_id = ?, page_failures = 0, updated_at = now() WHERE name = ? "
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

    /** A poll that started at {@code startedAt} read to the end: every change committed before then was seen. */
    public void readUntil(String name, Instant startedAt) {
        try (Connection c = dataSource.getConnection(); PreparedStatement update = c.prepareStatement(
                "UPDATE sync_watermark SET read_until = ?, updated_at = now() "
                        + "WHERE name = ? AND (read_until IS NULL OR read_until < ?)")) {
            Timestamp at = Timestamp.from(startedAt);
            update.setTimestamp(1, at);
            update.setString(2, name);
            update.setTimestamp(3, at);
            update.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Updating watermark " + name + " failed: " + e.getMessage(), e);
        }
    }

    /** The page after the watermark failed as a whole once more; returns how many times it has now. */
    public int pageFailed(String name) {
        try (Connection c = dataSource.getConnection(); PreparedStatement update = c.prepareStatement(
                "UPDATE sync_watermark SET page_failures = page_failures + 1, updated_at = now() WHERE name = ? "
                        + "RETURNING page_failures")) {
            update.setString(1, name);
            try (ResultSet rs = update.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Counting a failed page of " + name + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Seconds since the poll of this watermark last read to the end (since it started, before its
     * first complete poll), by the database's clock; empty when the watermark was never started.
     */
    public Optional<Double> ageSeconds(String name) {
        try (Connection c = dataSource.getConnection(); PreparedStatement select = c.prepareStatement(
                "SELECT EXTRACT(EPOCH FROM now() - COALESCE(read_until, watermark_at)) FROM sync_watermark WHERE name = ?")) {
            select.setString(1, name);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? Optional.of(Math.max(0, rs.getDouble(1))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Reading watermark " + name + " failed: " + e.getMessage(), e);
        }
    }

    private static Optional<State> read(Connection c, String name) throws SQLException {
        try (PreparedStatement select = c.prepareStatement(
                "SELECT watermark_at, last_id, read_until, page_failures FROM sync_watermark WHERE name = ?")) {
            select.setString(1, name);
            try (ResultSet rs = select.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Timestamp readUntil = rs.getTimestamp(3);
                return Optional.of(new State(new Watermark(rs.getTimestamp(1).toInstant(), rs.getString(2)),
                        readUntil == null ? null : readUntil.toInstant(), rs.getInt(4)));
            }
        }
    }
}

package io.github.crmsync.errors;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import io.github.crmsync.mapping.Direction;
import io.github.crmsync.mapping.ObjectType;
import io.github.crmsync.metrics.SyncMetrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashMap;
import java.util.Optional;

/** The sync-errors list: one row per record and direction, updated (not duplicated) when it fails again. */
public final class SyncErrorStore {

    private final DataSource dataSource;
    private final SyncMetrics metrics;

    public SyncErrorStore(DataSource dataSource) {
        this(dataSource, SyncMetrics.none());
    }

    public SyncErrorStore(DataSource dataSource, SyncMetrics metrics) {
        this.dataSource = dataSource;
        this.metrics = metrics;
    }

    public void record(SyncError error) {
        try (Connection c = dataSource.getConnection(); PreparedStatement upsert = c.prepareStatement("""
                INSERT INTO sync_error (sync_type, direction, object_type, salesforce_id, intercom_id, attributes,
                                        error_code, message, details)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (direction, object_type, salesforce_id, intercom_id) DO UPDATE SET
                    sync_type = excluded.sync_type, attributes = excluded.attributes, error_code = excluded.error_code,
                    message = excluded.message, details = excluded.details, occurred_at = now(),
                    attempts = sync_error.attempts + 1
                """)) {
            upsert.setString(1, error.syncType());
            upsert.setString(2, error.direction().name());
            upsert.setString(3, error.objectType().name());
            upsert.setString(4, error.salesforceId());
            upsert.setString(5, error.intercomId());
            upsert.setArray(6, c.createArrayOf("text", error.attributes().toArray()));
            upsert.setString(7, error.errorCode());
            upsert.setString(8, error.message());
            upsert.setString(9, error.details());
            upsert.executeUpdate();
            metrics.syncError(error.direction(), error.syncType(), error.errorCode());
        } catch (SQLException e) {
            throw new IllegalStateException("Recording a sync error failed: " + e.getMessage(), e);
        }
    }

    /** A record that synced after all clears its error row for that direction. */
    public void clear(String direction, String salesforceId, String intercomId) {
        try (Connection c = dataSource.getConnection(); PreparedStatement delete = c.prepareStatement(
                "DELETE FROM sync_error WHERE direction = ? AND ((salesforce_id = ? AND salesforce_id <> '') "
                        + "OR (intercom_id = ? AND intercom_id <> ''))")) {
            delete.setString(1, direction);
            delete.setString(2, salesforceId == null ? "" : salesforceId);
            delete.setString(3, intercomId == null ? "" : intercomId);
            delete.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Clearing a sync error failed: " + e.getMessage(), e);
        }
    }

    /** The newest rows first, as maps for the admin API. */
    public List<Map<String, Object>> list(String direction, int limit) {
        List<Map<String, Object>> rows = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement select = c.prepareStatement(
                "SELECT id, occurred_at, sync_type, direction, object_type, salesforce_id, intercom_id, attributes, "
                        + "error_code, message, attempts FROM sync_error WHERE (? IS NULL OR direction = ?) "
                        + "ORDER BY occurred_at DESC, id DESC LIMIT ?")) {
            select.setString(1, direction);
            select.setString(2, direction);
            select.setInt(3, limit);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("id", rs.getLong(1));
                    row.put("occurredAt", rs.getTimestamp(2).toInstant().toString());
                    row.put("syncType", rs.getString(3));
                    row.put("direction", rs.getString(4));
                    row.put("objectType", rs.getString(5));
                    row.put("salesforceId", rs.getString(6));
                    row.put("intercomId", rs.getString(7));
                    row.put("attributes", List.of((String[]) rs.getArray(8).getArray()));
                    row.put("errorCode", rs.getString(9));
                    row.put("message", rs.getString(10));
                    row.put("attempts", rs.getInt(11));
                    rows.add(row);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Reading sync errors failed: " + e.getMessage(), e);
        }
        return rows;
    }

    private static final String COLUMNS = "id, occurred_at, first_occurred_at, sync_type, direction, object_type, "
            + "salesforce_id, intercom_id, attributes, error_code, message, details, attempts";
    private static final String MATCHING = "(?::text IS NULL OR direction = ?) AND (?::text IS NULL OR sync_type = ?) "
            + "AND (?::text IS NULL OR object_type = ?) AND (?::text IS NULL OR error_code = ?) "
            + "AND (?::text IS NULL OR message ILIKE ? ESCAPE '\\' OR salesforce_id ILIKE ? ESCAPE '\\' "
            + "OR intercom_id ILIKE ? ESCAPE '\\')";

    /** One page of the rows the filter matches, newest first. */
    public List<StoredSyncError> page(SyncErrorFilter filter, int page, int size) {
        return select("SELECT " + COLUMNS + " FROM sync_error WHERE " + MATCHING
                + " ORDER BY occurred_at DESC, id DESC LIMIT ? OFFSET ?", filter, (long) size, (long) page * size);
    }

    /** How many rows the filter matches. */
    public long count(SyncErrorFilter filter) {
        try (Connection c = dataSource.getConnection(); PreparedStatement select = c.prepareStatement(
                "SELECT count(*) FROM sync_error WHERE " + MATCHING)) {
            bind(select, filter);
            try (ResultSet rs = select.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Counting sync errors failed: " + e.getMessage(), e);
        }
    }

    /** The rows the filter matches with an id in ({@code afterId}, {@code upToId}], oldest id first: for walking all of them. */
    public List<StoredSyncError> after(SyncErrorFilter filter, long afterId, long upToId, int limit) {
        return select("SELECT " + COLUMNS + " FROM sync_error WHERE " + MATCHING
                + " AND id > ? AND id <= ? ORDER BY id LIMIT ?", filter, afterId, upToId, (long) limit);
    }

    /** The highest row id so far (0 when there is none). */
    public long lastId() {
        try (Connection c = dataSource.getConnection(); PreparedStatement select = c.prepareStatement(
                "SELECT coalesce(max(id), 0) FROM sync_error"); ResultSet rs = select.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException("Reading sync errors failed: " + e.getMessage(), e);
        }
    }

    public Optional<StoredSyncError> find(long id) {
        return select("SELECT " + COLUMNS + " FROM sync_error WHERE id = ?", null, id).stream().findFirst();
    }

    /** The row of one record and direction, as {@link #record} keys it. */
    public Optional<StoredSyncError> find(Direction direction, ObjectType objectType, String salesforceId, String intercomId) {
        try (Connection c = dataSource.getConnection(); PreparedStatement select = c.prepareStatement(
                "SELECT " + COLUMNS + " FROM sync_error WHERE direction = ? AND object_type = ? AND salesforce_id = ? "
                        + "AND intercom_id = ?")) {
            select.setString(1, direction.name());
            select.setString(2, objectType.name());
            select.setString(3, salesforceId == null ? "" : salesforceId);
            select.setString(4, intercomId == null ? "" : intercomId);
            return read(select).stream().findFirst();
        } catch (SQLException e) {
            throw new IllegalStateException("Reading a sync error failed: " + e.getMessage(), e);
        }
    }

    /** Dismisses a row; false when there was none. */
    public boolean delete(long id) {
        try (Connection c = dataSource.getConnection(); PreparedStatement delete = c.prepareStatement(
                "DELETE FROM sync_error WHERE id = ?")) {
            delete.setLong(1, id);
            return delete.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new IllegalStateException("Deleting a sync error failed: " + e.getMessage(), e);
        }
    }

    /**
     * Gives a row the ids its record is now known by (a match found on retry), so that the next
     * failure updates it; when another row already holds those ids, that one is the record's row
     * and this one is removed.
     */
    public void rekey(long id, String salesforceId, String intercomId) {
        try (Connection c = dataSource.getConnection(); PreparedStatement update = c.prepareStatement("""
                UPDATE sync_error e SET salesforce_id = ?, intercom_id = ? WHERE e.id = ? AND NOT EXISTS (
                    SELECT 1 FROM sync_error o WHERE o.direction = e.direction AND o.object_type = e.object_type
                    AND o.salesforce_id = ? AND o.intercom_id = ? AND o.id <> e.id)
                """)) {
            update.setString(1, salesforceId);
            update.setString(2, intercomId);
            update.setLong(3, id);
            update.setString(4, salesforceId);
            update.setString(5, intercomId);
            if (update.executeUpdate() == 0) {
                delete(id);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Updating a sync error failed: " + e.getMessage(), e);
        }
    }

    private List<StoredSyncError> select(String sql, SyncErrorFilter filter, long... more) {
        try (Connection c = dataSource.getConnection(); PreparedStatement select = c.prepareStatement(sql)) {
            int next = filter == null ? 1 : bind(select, filter);
            for (long value : more) {
                select.setLong(next++, value);
            }
            return read(select);
        } catch (SQLException e) {
            throw new IllegalStateException("Reading sync errors failed: " + e.getMessage(), e);
        }
    }

    /** Binds the filter's parameters; returns the index of the next parameter. */
    private static int bind(PreparedStatement statement, SyncErrorFilter filter) throws SQLException {
        int i = 1;
        for (String value : new String[] {filter.direction(), filter.syncType(), filter.objectType(), filter.code()}) {
            statement.setString(i++, value);
            statement.setString(i++, value);
        }
        String like = filter.text() == null ? null : "%" + filter.text().replace("\\", "\\\\").replace("%", "\\%")
                .replace("_", "\\_") + "%";
        statement.setString(i++, like);
        for (int k = 0; k < 3; k++) {
            statement.setString(i++, like);
        }
        return i;
    }

    private static List<StoredSyncError> read(PreparedStatement select) throws SQLException {
        List<StoredSyncError> rows = new ArrayList<>();
        try (ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                SyncError error = new SyncError(rs.getString("sync_type"), Direction.valueOf(rs.getString("direction")),
                        ObjectType.valueOf(rs.getString("object_type")), rs.getString("salesforce_id"),
                        rs.getString("intercom_id"), List.of((String[]) rs.getArray("attributes").getArray()),
                        rs.getString("error_code"), rs.getString("message"), rs.getString("details"));
                rows.add(new StoredSyncError(rs.getLong("id"), rs.getTimestamp("occurred_at").toInstant(),
                        rs.getTimestamp("first_occurred_at").toInstant(), error, rs.getInt("attempts")));
            }
        }
        return rows;
    }
}

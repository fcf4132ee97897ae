package io.github.crmsync.errors;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashMap;

/** The sync-errors list: one row per record and direction, updated (not duplicated) when it fails again. */
public final class SyncErrorStore {

    private final DataSource dataSource;

    public SyncErrorStore(DataSource dataSource) {
        this.dataSource = dataSource;
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
}

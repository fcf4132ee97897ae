package io.github.crmsync.history;

import io.github.crmsync.mapping.Direction;
import io.github.crmsync.mapping.ObjectType;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The change history table: written one statement per write batch (a multi-row INSERT from arrays,
 * never a round trip per field), read newest first by one of the person's keys, pruned by age in
 * batches. A bulk run's rows without values take the e-mail and the old value from the run's
 * staged copy of the target (its writers have only the patches).
 */
public class ChangeHistory {

    /** What a look-up is keyed by. */
    public enum Key {
        SALESFORCE_ID("salesforce_id"), INTERCOM_ID("intercom_id"), EMAIL("email");

        final String column;

        Key(String column) {
            this.column = column;
        }
    }

    /** One stored row. */
    public record Row(long id, Instant changedAt, String syncType, Direction direction, ObjectType objectType,
                      String salesforceId, String intercomId, String email, String field, String sourceField,
                      String oldValue, String newValue, Long bulkRunId) {
    }

    private static final String INSERT = """
            INSERT INTO change_history (sync_type, direction, object_type, salesforce_id, intercom_id, email, field,
                                        source_field, old_value, new_value, bulk_run_id)
            SELECT u.sync_type, u.direction, u.object_type, u.sf, u.ic, COALESCE(u.email, st.email), u.field,
                   u.source_field, COALESCE(u.old_value, st.old_value), u.new_value, u.run_id
            FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                        ?::text[], ?::text[], ?::bigint[])
                 AS u(sync_type, direction, object_type, sf, ic, email, field, source_field, old_value, new_value, run_id)
            LEFT JOIN LATERAL (
                SELECT s.email_lower AS email, s.field_values ->> u.field AS old_value FROM bulk_stage_salesforce s
                WHERE u.direction = 'INTERCOM_TO_SALESFORCE' AND s.run_id = u.run_id AND s.salesforce_id = u.sf::char(18)
                UNION ALL
                SELECT i.email_lower, i.contact #>> CASE WHEN u.field LIKE 'custom\\_attributes.%'
                    THEN ARRAY['custom_attributes', substr(u.field, 19)] ELSE ARRAY[u.field] END
                FROM bulk_stage_intercom i
                WHERE u.direction = 'SALESFORCE_TO_INTERCOM' AND i.run_id = u.run_id AND i.intercom_id = u.ic
                LIMIT 1) st ON u.run_id IS NOT NULL AND (u.email IS NULL OR u.old_value IS NULL)""";

    private final DataSource dataSource;

    public ChangeHistory(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Records nothing: for services and tests without a database. */
    public static ChangeHistory none() {
        return new ChangeHistory(null) {
            @Override
            public void record(List<FieldChange> changes) {
            }
        };
    }

    /** Stores one write batch's changes in one statement. */
    public void record(List<FieldChange> changes) {
        if (changes.isEmpty()) {
            return;
        }
        int n = changes.size();
        String[][] text = new String[10][n];
        Long[] runs = new Long[n];
        for (int i = 0; i < n; i++) {
            FieldChange c = changes.get(i);
            text[0][i] = c.syncType();
            text[1][i] = c.direction().name();
            text[2][i] = c.objectType().name();
            text[3][i] = c.salesforceId();
            text[4][i] = c.intercomId();
            text[5][i] = c.email();
            text[6][i] = c.field();
            text[7][i] = c.sourceField();
            text[8][i] = c.oldValue();
            text[9][i] = c.newValue();
            runs[i] = c.bulkRunId();
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement insert = c.prepareStatement(INSERT)) {
            for (int column = 0; column < text.length; column++) {
                insert.setArray(column + 1, c.createArrayOf("text", text[column]));
            }
            insert.setArray(11, c.createArrayOf("bigint", runs));
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Recording the change history failed: " + e.getMessage(), e);
        }
    }

    /** Up to {@code limit} rows of the key's value with an id below {@code before} (null: from the newest), newest first. */
    public List<Row> page(Key key, String value, Long before, int limit) {
        String sql = "SELECT id, changed_at, sync_type, direction, object_type, salesforce_id, intercom_id, email, field, "
                + "source_field, old_value, new_value, bulk_run_id FROM change_history WHERE " + key.column + " = ?"
                + (before == null ? "" : " AND id < ?") + " ORDER BY id DESC LIMIT ?";
        List<Row> rows = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement select = c.prepareStatement(sql)) {
            int i = 1;
            select.setString(i++, key == Key.EMAIL ? value.trim().toLowerCase(java.util.Locale.ROOT) : value.trim());
            if (before != null) {
                select.setLong(i++, before);
            }
            select.setInt(i, limit);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    Long run = rs.getObject(13) == null ? null : rs.getLong(13);
                    rows.add(new Row(rs.getLong(1), rs.getTimestamp(2).toInstant(), rs.getString(3),
                            Direction.valueOf(rs.getString(4)), ObjectType.valueOf(rs.getString(5)), rs.getString(6),
                            rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10), rs.getString(11),
                            rs.getString(12), run));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Reading the change history failed: " + e.getMessage(), e);
        }
        return rows;
    }

    /** When the service last wrote a value of this Salesforce record, if it ever did (within the retention). */
    public Optional<Instant> lastChange(String salesforceId) {
        try (Connection c = dataSource.getConnection(); PreparedStatement select = c.prepareStatement(
                "SELECT changed_at FROM change_history WHERE salesforce_id = ? ORDER BY id DESC LIMIT 1")) {
            select.setString(1, salesforceId);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? Optional.of(rs.getTimestamp(1).toInstant()) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Reading the change history failed: " + e.getMessage(), e);
        }
    }

    /**
     * Deletes up to {@code batch} rows older than {@code cutoff}, oldest first; the count deleted. Rows
     * another replica is deleting at the same time are skipped, not waited for.
     */
    public int pruneBatch(Instant cutoff, int batch) {
        try (Connection c = dataSource.getConnection(); PreparedStatement delete = c.prepareStatement("""
                DELETE FROM change_history WHERE id IN (
                    SELECT id FROM change_history WHERE changed_at < ? ORDER BY changed_at LIMIT ? FOR UPDATE SKIP LOCKED)""")) {
            delete.setTimestamp(1, Timestamp.from(cutoff));
            delete.setInt(2, batch);
            return delete.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Pruning the change history failed: " + e.getMessage(), e);
        }
    }
}

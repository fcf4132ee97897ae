package io.github.crmsync.bulksync;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crmsync.mapping.ObjectType;

import javax.sql.DataSource;
import java.io.Closeable;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;

/** Reads one side's stored patches of a run in order, through a server-side cursor (1,000 rows at a time). */
final class PatchCursor implements Closeable {

    /** One record's patch for one side. */
    record Patch(ObjectType objectType, String salesforceId, String intercomId, Map<String, Object> patch,
                 String intercomState) {
    }

    // decimals as written (12.30 stays a decimal, never 1.23E1 in a CSV cell)
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private final Connection connection;
    private final PreparedStatement select;
    private final ResultSet rows;
    private boolean open = true;

    PatchCursor(DataSource dataSource, long runId, String target, ObjectType only) throws SQLException {
        this(dataSource, runId, target, only, 0);
    }

    /** The patches after {@code afterSeq} only (those up to it were handed over already). */
    PatchCursor(DataSource dataSource, long runId, String target, ObjectType only, long afterSeq) throws SQLException {
        connection = dataSource.getConnection();
        try {
            connection.setAutoCommit(false);
            select = connection.prepareStatement("SELECT object_type, trim(salesforce_id), intercom_id, patch::text, "
                    + "intercom_state FROM bulk_stage_patch WHERE run_id = ? AND target = ? AND seq > ?"
                    + (only == null ? "" : " AND object_type = ?") + " ORDER BY seq");
            select.setFetchSize(1000);
            select.setLong(1, runId);
            select.setString(2, target);
            select.setLong(3, afterSeq);
            if (only != null) {
                select.setString(4, only.name());
            }
            rows = select.executeQuery();
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
    }

    /** The next patch, or null at the end (the cursor is then closed). */
    Patch next() {
        if (!open) {
            return null;
        }
        try {
            if (!rows.next()) {
                close();
                return null;
            }
            return new Patch(ObjectType.valueOf(rows.getString(1)), rows.getString(2), rows.getString(3),
                    patch(rows.getString(4)), rows.getString(5));
        } catch (SQLException | IOException e) {
            close();
            throw new IllegalStateException("Reading the bulk run's patches failed: " + e.getMessage(), e);
        }
    }

    /** A stored patch's JSON as the writers get it. */
    static Map<String, Object> patch(String json) throws IOException {
        return JSON.readValue(json, MAP);
    }

    @Override
    public void close() {
        if (!open) {
            return;
        }
        open = false;
        try (connection; select; rows) {
            connection.commit();
        } catch (SQLException e) {
            // closing a read-only cursor: nothing to lose
        }
    }
}

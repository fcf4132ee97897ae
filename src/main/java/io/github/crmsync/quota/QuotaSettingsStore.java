package io.github.crmsync.quota;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * The API-budget settings in the {@code setting} table, so that every replica works with the same
 * thresholds and allocation; until an operator saves them, the configured ones apply.
 */
public final class QuotaSettingsStore {

    static final String LOWER = "quota.lower-threshold-percent";
    static final String UPPER = "quota.upper-threshold-percent";
    static final String ALLOCATION = "quota.allocation";
    private static final String NONE = "none";

    private final DataSource dataSource;
    private final QuotaSettings configured;

    public QuotaSettingsStore(DataSource dataSource, QuotaSettings configured) {
        this.dataSource = dataSource;
        this.configured = configured;
    }

    public QuotaSettings current() {
        Map<String, String> stored = new HashMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement select = c.prepareStatement(
                "SELECT key, value FROM setting WHERE key IN (?, ?, ?)")) {
            select.setString(1, LOWER);
            select.setString(2, UPPER);
            select.setString(3, ALLOCATION);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    stored.put(rs.getString(1), rs.getString(2));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Reading the API-budget settings failed: " + e.getMessage(), e);
        }
        String allocation = stored.get(ALLOCATION);
        return new QuotaSettings(
                stored.containsKey(LOWER) ? Integer.parseInt(stored.get(LOWER)) : configured.lowerThresholdPercent(),
                stored.containsKey(UPPER) ? Integer.parseInt(stored.get(UPPER)) : configured.upperThresholdPercent(),
                allocation == null ? configured.allocation() : NONE.equals(allocation) ? null : Long.valueOf(allocation));
    }

    /** Saves all three in one transaction; the caller has validated them. */
    public void save(QuotaSettings settings) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement upsert = c.prepareStatement(
                    "INSERT INTO setting (key, value, updated_at) VALUES (?, ?, now()) "
                            + "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at")) {
                for (Map.Entry<String, String> e : Map.of(LOWER, Integer.toString(settings.lowerThresholdPercent()),
                        UPPER, Integer.toString(settings.upperThresholdPercent()),
                        ALLOCATION, settings.allocation() == null ? NONE : settings.allocation().toString()).entrySet()) {
                    upsert.setString(1, e.getKey());
                    upsert.setString(2, e.getValue());
                    upsert.addBatch();
                }
                upsert.executeBatch();
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Saving the API-budget settings failed: " + e.getMessage(), e);
        }
    }
}

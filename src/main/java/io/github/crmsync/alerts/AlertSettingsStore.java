package io.github.crmsync.alerts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The alert settings as one JSON value in the {@code setting} table (key {@value #KEY}), so that
 * every replica alerts by the same ones; {@link AlertSettings#DEFAULTS} until an operator saves.
 */
public final class AlertSettingsStore {

    static final String KEY = "alerts";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DataSource dataSource;

    public AlertSettingsStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public AlertSettings current() {
        String stored;
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement("SELECT value FROM setting WHERE key = ?")) {
            select.setString(1, KEY);
            try (ResultSet rs = select.executeQuery()) {
                stored = rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Reading the alert settings failed: " + e.getMessage(), e);
        }
        if (stored == null) {
            return AlertSettings.DEFAULTS;
        }
        try {
            AlertSettings.Parsed parsed = AlertSettings.fromJson(JSON.readTree(stored), AlertSettings.DEFAULTS);
            if (parsed.settings() == null) {
                throw new IllegalStateException("The stored alert settings are not valid: " + parsed.problems());
            }
            return parsed.settings();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("The stored alert settings are not JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Saves them whole; the caller has validated them. */
    public void save(AlertSettings settings) {
        try (Connection c = dataSource.getConnection(); PreparedStatement upsert = c.prepareStatement(
                "INSERT INTO setting (key, value, updated_at) VALUES (?, ?, now()) "
                        + "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at")) {
            upsert.setString(1, KEY);
            upsert.setString(2, JSON.writeValueAsString(settings.asStoredJson()));
            upsert.executeUpdate();
        } catch (SQLException | JsonProcessingException e) {
            throw new IllegalStateException("Saving the alert settings failed: " + e.getMessage(), e);
        }
    }
}

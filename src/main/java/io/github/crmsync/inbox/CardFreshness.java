package io.github.crmsync.inbox;

import io.github.crmsync.eventsync.SalesforceToIntercom;
import io.github.crmsync.mapping.ObjectType;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

/**
 * What PostgreSQL knows of a contact's inbox card, read with one local query before a card is
 * served, so that every replica sees the syncs of every other: the database's clock, the contact's
 * record link, when a sync last wrote or read its record ({@code record_link.last_synced_at}) and
 * when the Salesforce poll of its object type last read to the end ({@code sync_watermark.read_until}).
 */
public final class CardFreshness {

    /**
     * @param now                the database's clock (the one {@code lastSynced} is written with)
     * @param linkedSalesforceId the record the contact is linked to, or null
     * @param lastSynced         when a sync last wrote or read the linked record, or null
     * @param polledUntil        the start of the last Salesforce poll of the type that read every page, or null
     */
    public record State(Instant now, String linkedSalesforceId, Instant lastSynced, Instant polledUntil) {
    }

    private final DataSource dataSource;

    public CardFreshness(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    State of(String intercomId, ObjectType type) {
        try (Connection c = dataSource.getConnection(); PreparedStatement select = c.prepareStatement("""
                SELECT now(), l.salesforce_id, l.last_synced_at, w.read_until FROM (SELECT 1) AS one
                LEFT JOIN record_link l ON l.intercom_id = ?
                LEFT JOIN sync_watermark w ON w.name = ?""")) {
            select.setString(1, intercomId == null ? "" : intercomId);
            select.setString(2, SalesforceToIntercom.watermarkName(type));
            try (ResultSet rs = select.executeQuery()) {
                rs.next();
                String linked = rs.getString(2);
                return new State(rs.getTimestamp(1).toInstant(), linked == null ? null : linked.trim(),
                        instant(rs.getTimestamp(3)), instant(rs.getTimestamp(4)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Reading the inbox card's record link failed: " + e.getMessage(), e);
        }
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}

package io.github.crmsync.intercom;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Keeps a captured, rightly signed webhook from being posted again to undo a newer change. Three
 * checks, on the signed body only: the notification is younger than {@code window} (by its
 * {@code created_at}, or {@code first_sent_at}); its id was not accepted before (ids are kept for the
 * window, in PostgreSQL for every replica); and the contact's {@code updated_at} is not older than
 * the newest one accepted for that contact (so even a replay that outlived the window changes nothing).
 */
public final class WebhookReplayGuard {

    /** FRESH, or why a notification is refused. */
    public enum Verdict {
        FRESH, TOO_OLD, NO_TIMESTAMP, SEEN, STALE_CONTACT
    }

    private final DataSource dataSource;
    private final Duration window;
    private final Clock clock;

    public WebhookReplayGuard(DataSource dataSource, Duration window, Clock clock) {
        this.dataSource = dataSource;
        this.window = window;
        this.clock = clock;
    }

    public Duration window() {
        return window;
    }

    /** Forgets a notification id whose change could not be stored, so that Intercom's redelivery is taken. */
    public void forget(String notificationId) {
        if (notificationId == null) {
            return;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement delete = c.prepareStatement(
                "DELETE FROM webhook_notification WHERE notification_id = ?")) {
            delete.setString(1, notificationId);
            delete.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Forgetting an Intercom notification failed: " + e.getMessage(), e);
        }
    }

    /** The age check alone (no database): a notification sent more than the window ago, or from too far ahead. */
    public Verdict age(long createdAt, long firstSentAt) {
        long sent = createdAt > 0 ? createdAt : firstSentAt;
        if (sent <= 0) {
            return Verdict.NO_TIMESTAMP;
        }
        Instant at = Instant.ofEpochSecond(sent);
        Instant now = clock.instant();
        return at.isBefore(now.minus(window)) || at.isAfter(now.plus(window)) ? Verdict.TOO_OLD : Verdict.FRESH;
    }

    /**
     * Records the notification id (when it has one) and the contact's version; FRESH only when both are new.
     * A refused notification records nothing.
     */
    public Verdict admit(String notificationId, String contactId, long updatedAt) {
        Instant now = clock.instant();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (notificationId != null) {
                    try (PreparedStatement purge = c.prepareStatement("DELETE FROM webhook_notification WHERE received_at < ?");
                         PreparedStatement insert = c.prepareStatement("INSERT INTO webhook_notification (notification_id, "
                                 + "received_at) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
                        // kept twice the window: a notification is refused by age before its id is forgotten
                        purge.setTimestamp(1, Timestamp.from(now.minus(window.multipliedBy(2))));
                        purge.executeUpdate();
                        insert.setString(1, notificationId);
                        insert.setTimestamp(2, Timestamp.from(now));
                        if (insert.executeUpdate() == 0) {
                            c.rollback();
                            return Verdict.SEEN;
                        }
                    }
                }
                if (updatedAt > 0) {
                    try (PreparedStatement version = c.prepareStatement("""
                            INSERT INTO intercom_contact_version (intercom_id, updated_at) VALUES (?, ?)
                            ON CONFLICT (intercom_id) DO UPDATE SET updated_at = EXCLUDED.updated_at
                            WHERE intercom_contact_version.updated_at <= EXCLUDED.updated_at
                            """)) {
                        version.setString(1, contactId);
                        version.setLong(2, updatedAt);
                        if (version.executeUpdate() == 0) {
                            c.rollback();
                            return Verdict.STALE_CONTACT;
                        }
                    }
                }
                c.commit();
                return Verdict.FRESH;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Checking an Intercom notification failed: " + e.getMessage(), e);
        }
    }
}

package io.github.crmsync.eventsync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import javax.sql.DataSource;
import java.io.IOException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Intercom changes accepted and not yet written to Salesforce, in PostgreSQL: a webhook is answered
 * as soon as its change is stored here, so nothing is lost while event sync is paused, a batch
 * fails, or a replica dies. A replica claims a batch; a claim that outlives its lease is free again.
 * A change whose batch failed as a whole {@code wholeBatchAttempts} times is claimed on its own
 * (with the other waiting changes of the same contact), so one bad change cannot hold back others.
 */
public final class IntercomChanges {

    /** A claimed change: the row id, the contact's role and the contact as Intercom last sent it. */
    public record Change(long id, String intercomId, String role, JsonNode contact) {
    }

    /**
     * What one claim took: every row id (to complete) and the newest change per contact (to sync);
     * {@code alone} when it is one contact's changes taken on their own after failed batches.
     */
    public record Claim(List<Long> rowIds, List<Change> changes, boolean alone) {
        public Claim(List<Long> rowIds, List<Change> changes) {
            this(rowIds, changes, false);
        }

        public boolean isEmpty() {
            return rowIds.isEmpty();
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final DataSource dataSource;
    /** The advisory lock that serializes claims (an arbitrary key of this table's own). */
    private static final long CLAIM_LOCK = 0x1c_c4a9_e5L;
    private final Duration claimLease;
    private final int wholeBatchAttempts;

    public IntercomChanges(DataSource dataSource, Duration claimLease) {
        this(dataSource, claimLease, 3);
    }

    public IntercomChanges(DataSource dataSource, Duration claimLease, int wholeBatchAttempts) {
        this.dataSource = dataSource;
        this.claimLease = claimLease;
        this.wholeBatchAttempts = wholeBatchAttempts;
    }

    /** Stores a change; false when the same notification was stored before (a redelivery). */
    public boolean add(JsonNode contact, String source, String notificationId) {
        try (Connection c = dataSource.getConnection(); PreparedStatement insert = c.prepareStatement(
                "INSERT INTO intercom_change (intercom_id, role, source, notification_id, contact) VALUES (?, ?, ?, ?, ?::jsonb) "
                        + "ON CONFLICT DO NOTHING")) {
            insert.setString(1, contact.path("id").asText());
            insert.setString(2, contact.path("role").asText(null));
            insert.setString(3, source);
            insert.setString(4, notificationId);
            insert.setString(5, JSON.writeValueAsString(contact));
            return insert.executeUpdate() == 1;
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("Storing an Intercom change failed: " + e.getMessage(), e);
        }
    }

    public long pending() {
        try (Connection c = dataSource.getConnection(); PreparedStatement select = c.prepareStatement(
                "SELECT count(*) FROM intercom_change"); ResultSet rs = select.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException("Counting Intercom changes failed: " + e.getMessage(), e);
        }
    }

    /** Changes a replica has claimed and is writing now (claims past their lease not counted). */
    public long inFlight() {
        try (Connection c = dataSource.getConnection(); PreparedStatement select = c.prepareStatement(
                "SELECT count(*) FROM intercom_change WHERE claimed_by IS NOT NULL "
                        + "AND claimed_at >= now() - (? * interval '1 millisecond')")) {
            select.setLong(1, claimLease.toMillis());
            try (ResultSet rs = select.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Counting Intercom changes failed: " + e.getMessage(), e);
        }
    }

    /**
     * The contacts with a change in a batch being written now (claimed within the lease): a contact
     * is never in two batches at once, else both would read its old Salesforce values and both write
     * (its webhook and the fallback poll each store a change for it).
     */
    private static final String IN_FLIGHT = "SELECT intercom_id FROM intercom_change WHERE claimed_by IS NOT NULL "
            + "AND claimed_at >= now() - (? * interval '1 millisecond')";

    /** Claims are taken one at a time across replicas: a claim sees the batches claimed before it. */
    private static void serializeClaims(Connection c) throws SQLException {
        try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
            lock.setLong(1, CLAIM_LOCK);
            lock.execute();
        }
    }

    /** {@link #claim(String, Collection, int, Duration)} for one role. */
    public Claim claim(String replicaId, String role, int limit, Duration window) {
        return claim(replicaId, List.of(role), limit, window);
    }

    /**
     * Claims the unclaimed changes of up to {@code limit} contacts of these roles for this replica (all
     * of each contact's): when at least {@code limit} changes wait or the oldest has waited
     * {@code window}; otherwise none yet, so that a burst is written in few large batches. Only the
     * newest change per contact is returned.
     */
    public Claim claim(String replicaId, Collection<String> roles, int limit, Duration window) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            Array roleArray = c.createArrayOf("text", roles.toArray());
            try (PreparedStatement ready = c.prepareStatement(
                    "SELECT count(*) >= ? OR min(received_at) <= now() - (? * interval '1 millisecond') FROM intercom_change "
                            + "WHERE role = ANY (?) AND (claimed_by IS NULL OR claimed_at < now() - (? * interval '1 millisecond')) "
                            + "AND batch_failures < ?")) {
                ready.setInt(1, limit);
                ready.setLong(2, window.toMillis());
                ready.setArray(3, roleArray);
                ready.setLong(4, claimLease.toMillis());
                ready.setInt(5, wholeBatchAttempts);
                try (ResultSet rs = ready.executeQuery()) {
                    if (!rs.next() || !rs.getBoolean(1)) {
                        c.rollback();
                        return new Claim(List.of(), List.of());
                    }
                }
            }
            List<Change> claimed = new ArrayList<>();
            serializeClaims(c);
            // whole contacts: every waiting change of the first {@code limit} contacts, so that no older
            // change of a contact is left behind for a later batch to write (or fail) again
            try (PreparedStatement claim = c.prepareStatement("""
                    UPDATE intercom_change SET claimed_by = ?, claimed_at = now()
                    WHERE id IN (SELECT id FROM intercom_change
                                 WHERE role = ANY (?) AND (claimed_by IS NULL OR claimed_at < now() - (? * interval '1 millisecond'))
                                   AND batch_failures < ?
                                   AND intercom_id IN (SELECT intercom_id FROM intercom_change
                                                       WHERE role = ANY (?)
                                                         AND (claimed_by IS NULL OR claimed_at < now() - (? * interval '1 millisecond'))
                                                         AND batch_failures < ?
                                                         AND intercom_id NOT IN (%s)
                                                       GROUP BY intercom_id ORDER BY min(id) LIMIT ?)
                                 FOR UPDATE SKIP LOCKED)
                    RETURNING id, intercom_id, role, contact::text
                    """.formatted(IN_FLIGHT))) {
                claim.setString(1, replicaId);
                claim.setArray(2, roleArray);
                claim.setLong(3, claimLease.toMillis());
                claim.setInt(4, wholeBatchAttempts);
                claim.setArray(5, roleArray);
                claim.setLong(6, claimLease.toMillis());
                claim.setInt(7, wholeBatchAttempts);
                claim.setLong(8, claimLease.toMillis());
                claim.setInt(9, limit);
                try (ResultSet rs = claim.executeQuery()) {
                    while (rs.next()) {
                        claimed.add(change(rs));
                    }
                }
            }
            c.commit();
            return new Claim(claimed.stream().map(Change::id).toList(), newestPerContact(claimed));
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("Claiming Intercom changes failed: " + e.getMessage(), e);
        }
    }

    private static Change change(ResultSet rs) throws SQLException, IOException {
        return new Change(rs.getLong(1), rs.getString(2), rs.getString(3), JSON.readTree(rs.getString(4)));
    }

    /**
     * Claims, for this replica, the waiting changes of one contact of the role whose batch failed as
     * a whole {@code wholeBatchAttempts} times, with that contact's other waiting changes (so the
     * newest of them is written, never an older one after it); empty when there is none.
     */
    public Claim claimAlone(String replicaId, String role) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            List<Change> claimed = new ArrayList<>();
            serializeClaims(c);
            try (PreparedStatement claim = c.prepareStatement("""
                    UPDATE intercom_change SET claimed_by = ?, claimed_at = now()
                    WHERE id IN (SELECT id FROM intercom_change
                                 WHERE intercom_id = (SELECT intercom_id FROM intercom_change
                                                      WHERE role = ? AND batch_failures >= ?
                                                        AND (claimed_by IS NULL OR claimed_at < now() - (? * interval '1 millisecond'))
                                                        AND intercom_id NOT IN (%s)
                                                      ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
                                   AND (claimed_by IS NULL OR claimed_at < now() - (? * interval '1 millisecond'))
                                 FOR UPDATE SKIP LOCKED)
                    RETURNING id, intercom_id, role, contact::text
                    """.formatted(IN_FLIGHT))) {
                claim.setString(1, replicaId);
                claim.setString(2, role);
                claim.setInt(3, wholeBatchAttempts);
                claim.setLong(4, claimLease.toMillis());
                claim.setLong(5, claimLease.toMillis());
                claim.setLong(6, claimLease.toMillis());
                try (ResultSet rs = claim.executeQuery()) {
                    while (rs.next()) {
                        claimed.add(change(rs));
                    }
                }
            }
            c.commit();
            return new Claim(claimed.stream().map(Change::id).toList(), newestPerContact(claimed), true);
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("Claiming Intercom changes failed: " + e.getMessage(), e);
        }
    }

    /**
     * The batch holding these claimed changes failed as a whole: counts the failure on the changes of
     * these contacts and gives them back, to be claimed again (on their own once they have failed
     * {@code wholeBatchAttempts} times). Returns the row ids given back.
     */
    public List<Long> batchFailed(List<Long> claimedIds, Collection<String> intercomIds) {
        return giveBack(claimedIds, intercomIds, true);
    }

    /** Gives claimed changes of these contacts back; returns the row ids given back. */
    private List<Long> giveBack(List<Long> claimedIds, Collection<String> intercomIds, boolean countFailure) {
        List<Long> released = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement update = c.prepareStatement(
                "UPDATE intercom_change SET claimed_by = NULL, claimed_at = NULL"
                        + (countFailure ? ", batch_failures = batch_failures + 1" : "")
                        + " WHERE id = ANY (?) AND intercom_id = ANY (?) RETURNING id")) {
            update.setArray(1, c.createArrayOf("bigint", claimedIds.toArray()));
            update.setArray(2, c.createArrayOf("text", intercomIds.toArray()));
            try (ResultSet rs = update.executeQuery()) {
                while (rs.next()) {
                    released.add(rs.getLong(1));
                }
            }
            return released;
        } catch (SQLException e) {
            throw new IllegalStateException("Giving back Intercom changes failed: " + e.getMessage(), e);
        }
    }

    /** Seconds since the oldest change still waiting to be written was received (0 when none waits). */
    public double oldestWaitingSeconds() {
        try (Connection c = dataSource.getConnection(); PreparedStatement select = c.prepareStatement(
                "SELECT COALESCE(EXTRACT(EPOCH FROM now() - min(received_at)), 0) FROM intercom_change");
             ResultSet rs = select.executeQuery()) {
            rs.next();
            return Math.max(0, rs.getDouble(1));
        } catch (SQLException e) {
            throw new IllegalStateException("Reading the oldest Intercom change failed: " + e.getMessage(), e);
        }
    }

    /**
     * Gives back, uncounted, the claimed changes of these contacts (e.g. when Salesforce has no API
     * calls left today, or its breaker is open). Returns the row ids given back.
     */
    public List<Long> release(List<Long> claimedIds, Collection<String> intercomIds) {
        return giveBack(claimedIds, intercomIds, false);
    }

    /** How long a claim holds without renewal. */
    public Duration claimLease() {
        return claimLease;
    }

    /**
     * Renews the lease of changes this replica still holds (a batch still being written), so that no
     * claimer takes them while the write goes on. Returns the ids it still held.
     */
    public Set<Long> renew(String replicaId, Collection<Long> ids) {
        Set<Long> held = new HashSet<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement update = c.prepareStatement(
                "UPDATE intercom_change SET claimed_at = now() WHERE id = ANY (?) AND claimed_by = ? RETURNING id")) {
            update.setArray(1, c.createArrayOf("bigint", ids.toArray()));
            update.setString(2, replicaId);
            try (ResultSet rs = update.executeQuery()) {
                while (rs.next()) {
                    held.add(rs.getLong(1));
                }
            }
            return held;
        } catch (SQLException e) {
            throw new IllegalStateException("Renewing claims of Intercom changes failed: " + e.getMessage(), e);
        }
    }

    /**
     * Hands back the replica's claims (changes it took and has not completed), so that another
     * replica takes them at once instead of after the lease. Returns how many it gave back.
     */
    public int releaseAllOf(String replicaId) {
        try (Connection c = dataSource.getConnection(); PreparedStatement release = c.prepareStatement(
                "UPDATE intercom_change SET claimed_by = NULL, claimed_at = NULL WHERE claimed_by = ?")) {
            release.setString(1, replicaId);
            return release.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Handing back Intercom changes failed: " + e.getMessage(), e);
        }
    }

    /** Removes changes that were written (or recorded as errors). */
    public void complete(List<Long> ids) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement delete = c.prepareStatement("DELETE FROM intercom_change WHERE id = ANY (?)")) {
            Array array = c.createArrayOf("bigint", ids.toArray());
            delete.setArray(1, array);
            delete.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Completing Intercom changes failed: " + e.getMessage(), e);
        }
    }

    private static List<Change> newestPerContact(List<Change> changes) {
        Map<String, Change> newest = new LinkedHashMap<>();
        for (Change change : changes) {
            newest.merge(change.intercomId(), change, (a, b) ->
                    b.contact().path("updated_at").asLong() >= a.contact().path("updated_at").asLong() ? b : a);
        }
        return List.copyOf(newest.values());
    }
}

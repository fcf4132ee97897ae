package io.github.crmsync.bulksync;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code bulk_run} rows. The partial unique index on {@code active} makes the insert of a new
 * run the cluster-wide lock; the owner renews a lease with every progress update, and a run whose
 * lease ran out (its replica died) is marked INTERRUPTED by whichever replica looks first.
 */
public final class BulkRunStore {

    private static final String COLUMNS = "id, status, active, started_by, owner_replica, stop_requested, stop_reason, "
            + "started_at, updated_at, finished_at, total, processed, updated_salesforce, updated_intercom, unchanged, "
            + "failed, salesforce_calls, intercom_requests, failure_message, phase, salesforce_to_stage, salesforce_staged, "
            + "intercom_to_stage, intercom_staged, matching_steps, pairs_to_diff, pairs_diffed, writes_to_do, writes_done, "
            + "phase_started_at, eta_seconds, kind, preview_id";

    private final DataSource dataSource;

    public BulkRunStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The new run, or empty when another run is active anywhere in the cluster. */
    public Optional<BulkRun> start(String startedBy, String mappingSetJson, String replicaId, Duration lease) {
        return start(BulkRun.RUN, null, startedBy, mappingSetJson, replicaId, lease);
    }

    /**
     * The new run or preview ({@code kind}), a run possibly started from a preview; empty when a run or
     * preview is active anywhere in the cluster (both take the one lock).
     */
    public Optional<BulkRun> start(String kind, Long previewId, String startedBy, String mappingSetJson, String replicaId,
                                   Duration lease) {
        try (Connection c = dataSource.getConnection(); PreparedStatement insert = c.prepareStatement(
                "INSERT INTO bulk_run (status, phase, phase_started_at, started_by, mapping_set, owner_replica, lease_until, "
                        + "kind, preview_id) "
                        + "VALUES ('STAGING', 'STAGING', now(), ?, ?::jsonb, ?, now() + ? * interval '1 millisecond', ?, ?) "
                        + "ON CONFLICT (active) WHERE active DO NOTHING RETURNING " + COLUMNS)) {
            insert.setString(1, startedBy);
            insert.setString(2, mappingSetJson);
            insert.setString(3, replicaId);
            insert.setLong(4, lease.toMillis());
            insert.setString(5, kind);
            insert.setObject(6, previewId, java.sql.Types.BIGINT);
            try (ResultSet rs = insert.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Starting a bulk run failed: " + e.getMessage(), e);
        }
    }

    public Optional<BulkRun> active() {
        return one("SELECT " + COLUMNS + " FROM bulk_run WHERE active", null);
    }

    public Optional<BulkRun> find(long id) {
        return one("SELECT " + COLUMNS + " FROM bulk_run WHERE id = ?", id);
    }

    public String mappingSetJson(long id) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement("SELECT mapping_set::text FROM bulk_run WHERE id = ?")) {
            select.setLong(1, id);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Reading bulk run " + id + " failed: " + e.getMessage(), e);
        }
    }

    /** The stored figures of a preview (JSON), once it has completed; null before, and for a run. */
    public String previewJson(long id) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement("SELECT preview::text FROM bulk_run WHERE id = ? AND kind = 'PREVIEW'")) {
            select.setLong(1, id);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Reading bulk preview " + id + " failed: " + e.getMessage(), e);
        }
    }

    /** Keeps what a preview found (before it is marked COMPLETED). */
    public void savePreview(long id, String previewJson) {
        try (Connection c = dataSource.getConnection(); PreparedStatement update = c.prepareStatement(
                "UPDATE bulk_run SET preview = ?::jsonb, updated_at = now() WHERE id = ? AND kind = 'PREVIEW'")) {
            update.setString(1, previewJson);
            update.setLong(2, id);
            update.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Saving bulk preview " + id + " failed: " + e.getMessage(), e);
        }
    }

    /** Runs (not previews), newest first. */
    public List<BulkRun> recent(int limit) {
        List<BulkRun> runs = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement select = c.prepareStatement(
                "SELECT " + COLUMNS + " FROM bulk_run WHERE kind = 'RUN' ORDER BY id DESC LIMIT ?")) {
            select.setInt(1, limit);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    runs.add(read(rs));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Reading bulk runs failed: " + e.getMessage(), e);
        }
        return runs;
    }

    /** Sets the active run's stop flag (the first reason given stays); the run it was set on, if any. */
    public Optional<BulkRun> requestStop(String reason) {
        return one("UPDATE bulk_run SET stop_requested = TRUE, stop_reason = COALESCE(stop_reason, ?), updated_at = now() "
                + "WHERE active RETURNING " + COLUMNS, reason);
    }

    /**
     * Writes the owner's counters, phase counts and ETA (a new phase's start time is the database's
     * now, as {@code updated_at} is), renews the lease, and answers whether a stop was asked for. A
     * run this replica no longer owns (marked INTERRUPTED meanwhile) answers "stop" too.
     */
    public boolean heartbeat(RunProgress progress, String replicaId, Duration lease, long intercomRequests) {
        try (Connection c = dataSource.getConnection(); PreparedStatement update = c.prepareStatement("""
                UPDATE bulk_run SET status = ?, total = ?, processed = ?, updated_salesforce = ?, updated_intercom = ?,
                       unchanged = ?, failed = ?, salesforce_calls = ?, intercom_requests = ?, updated_at = now(),
                       lease_until = now() + ? * interval '1 millisecond',
                       phase_started_at = CASE WHEN phase IS DISTINCT FROM ? THEN now() ELSE phase_started_at END,
                       phase = ?, eta_seconds = ?, salesforce_to_stage = ?, salesforce_staged = ?,
                       intercom_to_stage = ?, intercom_staged = ?, matching_steps = ?, pairs_to_diff = ?,
                       pairs_diffed = ?, writes_to_do = ?, writes_done = ?
                WHERE id = ? AND active AND owner_replica = ? RETURNING stop_requested""")) {
            BulkProgress counts = progress.snapshot(); // before the counters below: see snapshot()
            Long eta = progress.etaSeconds(counts);
            int i = 1;
            update.setString(i++, progress.status());
            update.setLong(i++, progress.total.get());
            update.setLong(i++, progress.processed());
            update.setLong(i++, progress.updatedInSalesforce.get());
            update.setLong(i++, progress.updatedInIntercom.get());
            update.setLong(i++, progress.unchanged.get());
            update.setLong(i++, progress.failed.get());
            update.setLong(i++, progress.salesforceCalls.get());
            update.setLong(i++, intercomRequests);
            update.setLong(i++, lease.toMillis());
            update.setString(i++, counts.phase());
            update.setString(i++, counts.phase());
            update.setObject(i++, eta, java.sql.Types.BIGINT);
            update.setObject(i++, counts.salesforceToStage(), java.sql.Types.BIGINT);
            update.setLong(i++, counts.salesforceStaged());
            update.setObject(i++, counts.intercomToStage(), java.sql.Types.BIGINT);
            update.setLong(i++, counts.intercomStaged());
            update.setInt(i++, counts.matchingSteps());
            update.setObject(i++, counts.pairsToDiff(), java.sql.Types.BIGINT);
            update.setLong(i++, counts.pairsDiffed());
            update.setLong(i++, counts.writesToDo());
            update.setLong(i++, counts.writesDone());
            update.setLong(i++, progress.runId());
            update.setString(i, replicaId);
            try (ResultSet rs = update.executeQuery()) {
                return !rs.next() || rs.getBoolean(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Updating bulk run " + progress.runId() + " failed: " + e.getMessage(), e);
        }
    }

    /** Ends the run with a final status; it no longer holds the lock. */
    public void finish(long id, String status, String failureMessage) {
        try (Connection c = dataSource.getConnection(); PreparedStatement update = c.prepareStatement(
                "UPDATE bulk_run SET status = ?, active = FALSE, finished_at = now(), updated_at = now(), lease_until = NULL, "
                        + "failure_message = COALESCE(?, failure_message) WHERE id = ? AND active")) {
            update.setString(1, status);
            update.setString(2, failureMessage);
            update.setLong(3, id);
            update.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Finishing bulk run " + id + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Marks INTERRUPTED every active run whose lease ran out, and those owned by this replica when it
     * has just started (it runs nothing yet, so what it owned died with its previous life).
     */
    public List<Long> interruptAbandoned(String restartedReplica) {
        List<Long> ids = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement update = c.prepareStatement(
                "UPDATE bulk_run SET status = 'INTERRUPTED', active = FALSE, finished_at = now(), updated_at = now(), "
                        + "lease_until = NULL, failure_message = 'The replica running it (' || coalesce(owner_replica, '?') "
                        + "|| ') stopped without finishing it' "
                        + "WHERE active AND (lease_until < now() OR owner_replica = ?) RETURNING id")) {
            update.setString(1, restartedReplica);
            try (ResultSet rs = update.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Checking bulk run leases failed: " + e.getMessage(), e);
        }
        return ids;
    }

    private Optional<BulkRun> one(String sql, Object parameter) {
        try (Connection c = dataSource.getConnection(); PreparedStatement select = c.prepareStatement(sql)) {
            if (parameter != null) {
                select.setObject(1, parameter);
            }
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Reading bulk runs failed: " + e.getMessage(), e);
        }
    }

    private static BulkRun read(ResultSet rs) throws SQLException {
        return new BulkRun(rs.getLong("id"), rs.getString("status"), rs.getBoolean("active"), rs.getString("started_by"),
                rs.getString("owner_replica"), rs.getBoolean("stop_requested"), rs.getString("stop_reason"),
                instant(rs.getTimestamp("started_at")), instant(rs.getTimestamp("updated_at")),
                instant(rs.getTimestamp("finished_at")), rs.getLong("total"), rs.getLong("processed"),
                rs.getLong("updated_salesforce"), rs.getLong("updated_intercom"), rs.getLong("unchanged"),
                rs.getLong("failed"), rs.getLong("salesforce_calls"), rs.getLong("intercom_requests"),
                rs.getString("failure_message"), rs.getObject("eta_seconds", Long.class),
                new BulkProgress(rs.getString("phase"), rs.getObject("salesforce_to_stage", Long.class), rs.getLong("salesforce_staged"),
                rs.getObject("intercom_to_stage", Long.class), rs.getLong("intercom_staged"), rs.getInt("matching_steps"),
                rs.getObject("pairs_to_diff", Long.class), rs.getLong("pairs_diffed"), rs.getLong("writes_to_do"),
                rs.getLong("writes_done"), instant(rs.getTimestamp("phase_started_at"))), rs.getString("kind"),
                rs.getObject("preview_id", Long.class));
    }

    private static java.time.Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}

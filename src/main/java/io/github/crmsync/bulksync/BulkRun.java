package io.github.crmsync.bulksync;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One bulk sync run as stored in {@code bulk_run}: who started it, where it is, its counters. Its
 * JSON form is the shared API contract (rate and ETA are worked out from the counters and times, so
 * every replica answers the same).
 */
public record BulkRun(long id, String status, boolean active, String startedBy, String ownerReplica,
                      boolean stopRequested, String stopReason, Instant startedAt, Instant updatedAt,
                      Instant finishedAt, long total, long processed, long updatedInSalesforce,
                      long updatedInIntercom, long unchanged, long failed, long salesforceCalls,
                      long intercomRequests, String failureMessage, Long estimatedSecondsLeft,
                      BulkProgress progress, String kind, Long previewId) {

    /** A run ({@code RUN}) writes; a preview ({@code PREVIEW}) stages and diffs the same way and writes nothing. */
    public static final String RUN = "RUN";
    public static final String PREVIEW = "PREVIEW";

    /** A run (not a preview) started from scratch. */
    public BulkRun(long id, String status, boolean active, String startedBy, String ownerReplica,
                   boolean stopRequested, String stopReason, Instant startedAt, Instant updatedAt,
                   Instant finishedAt, long total, long processed, long updatedInSalesforce,
                   long updatedInIntercom, long unchanged, long failed, long salesforceCalls,
                   long intercomRequests, String failureMessage, Long estimatedSecondsLeft,
                   BulkProgress progress) {
        this(id, status, active, startedBy, ownerReplica, stopRequested, stopReason, startedAt, updatedAt, finishedAt, total,
                processed, updatedInSalesforce, updatedInIntercom, unchanged, failed, salesforceCalls, intercomRequests,
                failureMessage, estimatedSecondsLeft, progress, RUN, null);
    }

    public boolean preview() {
        return PREVIEW.equals(kind);
    }

    public static final Set<String> ACTIVE_STATUSES = Set.of("STAGING", "DIFFING", "WRITING", "WAITING_FOR_CAPACITY");

    /** How far the run is (see {@link BulkProgress}); 100 once it completed, frozen where it ended otherwise. */
    public double percent() {
        return "COMPLETED".equals(status) ? 100.0 : progress.percent();
    }

    /** Records processed per second since the run started (to the finish for a finished run). */
    public double recordsPerSecond() {
        Instant end = finishedAt != null ? finishedAt : updatedAt;
        double seconds = Duration.between(startedAt, end).toMillis() / 1000.0;
        return seconds <= 0 ? 0 : Math.round(10.0 * processed / seconds) / 10.0;
    }

    /**
     * Seconds left as the owner worked them out at its last save (see {@link ProgressRate}); null
     * while unknown or while the run waits for API capacity, 0 once the run ended.
     */
    public Long etaSeconds() {
        if (!active) {
            return 0L;
        }
        return "WAITING_FOR_CAPACITY".equals(status) ? null : estimatedSecondsLeft;
    }

    public Map<String, Object> asJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("kind", kind);
        m.put("previewId", previewId);
        m.put("status", status);
        m.put("startedBy", startedBy);
        m.put("startedAt", startedAt == null ? null : startedAt.toString());
        m.put("updatedAt", updatedAt == null ? null : updatedAt.toString());
        m.put("finishedAt", finishedAt == null ? null : finishedAt.toString());
        m.put("stopReason", stopReason);
        m.put("failureMessage", failureMessage);
        m.put("phase", active && progress.phase() != null ? progress.phase() : status);
        m.put("total", total);
        m.put("processed", processed);
        m.put("updatedInSalesforce", updatedInSalesforce);
        m.put("updatedInIntercom", updatedInIntercom);
        m.put("unchanged", unchanged);
        m.put("failed", failed);
        m.put("percent", percent());
        m.put("recordsPerSecond", recordsPerSecond());
        m.put("etaSeconds", etaSeconds());
        m.put("salesforceCalls", salesforceCalls);
        m.put("intercomRequests", intercomRequests);
        m.put("progress", progress.asJson());
        return m;
    }
}

package io.github.crmsync.bulksync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crmsync.errors.Redelivery;
import io.github.crmsync.intercom.IntercomClient;
import io.github.crmsync.intercom.IntercomRateLimit;
import io.github.crmsync.requests.Conflict;
import io.github.crmsync.requests.InvalidInput;
import io.github.crmsync.mapping.AttributeMapping;
import io.github.crmsync.mapping.Direction;
import io.github.crmsync.mapping.MappingSet;
import io.github.crmsync.mapping.MappingStore;
import io.github.crmsync.mapping.ObjectType;
import io.github.crmsync.salesforce.SObjectPatch;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.salesforce.api.dto.SaveSObjectResult;
import org.apache.camel.component.salesforce.api.dto.bulkv2.Job;
import org.apache.camel.component.salesforce.api.dto.bulkv2.JobStateEnum;
import org.apache.camel.component.salesforce.api.dto.bulkv2.QueryJob;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A bulk run from start to finish, step by step as the routes of {@code bulk-sync.camel.yaml} call
 * it: begin, stage both sides, diff, write both sides, finish (final status, e-mail); and what the
 * routes ask at each batch boundary (the stop flag, the API tier as the quota policy sees it). While
 * it runs, a heartbeat writes the counters to the run row every second, renews the lease, reads the
 * stop flag and logs every 10 %.
 */
public final class BulkSync {

    private static final Logger LOG = LoggerFactory.getLogger(BulkSync.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Pairs the diff compares between two looks at the stop flag. */
    static final int DIFF_BATCH = 1_000;

    /** The run this replica executes. */
    private static final class Running {
        final RunProgress progress;
        final MappingSet mappings;
        final long intercomBaseline;
        final long startedNanos = System.nanoTime();
        /** A preview's count of what the diff finds; null for a run. */
        final PreviewTally tally;
        volatile ScheduledFuture<?> heartbeat;
        volatile long ambiguous;
        int loggedDecile;
        final Map<ObjectType, Long> salesforceToStage = new java.util.EnumMap<>(ObjectType.class);
        volatile BulkDiff.Pass diffPass;
        volatile boolean diffOver;
        volatile long diffStarted;
        final EarlyPatches early;

        Running(RunProgress progress, MappingSet mappings, long intercomBaseline, int earlyPatches, boolean preview) {
            this.progress = progress;
            this.early = new EarlyPatches(earlyPatches);
            this.mappings = mappings;
            this.intercomBaseline = intercomBaseline;
            this.tally = preview ? new PreviewTally() : null;
        }
    }

    /** What a start request came to: the new run, or the run that is already active. */
    public record Started(BulkRun run, boolean created) {
    }

    private final DataSource dataSource;
    private final BulkRunStore store;
    private final MappingStore mappings;
    private final BulkStaging staging;
    private final BulkDiff diff;
    private final BulkWriters writers;
    private final BulkIngest ingest;
    private final BulkSalesforce salesforce;
    private final IntercomClient intercom;
    private final BulkCapacity capacity;
    private final ProducerTemplate template;
    private final ScheduledExecutorService scheduler;
    private final BulkSyncSettings settings;
    private final BulkSummary summary;
    private final BulkEstimate estimate;
    private final IntercomRateLimit intercomRateLimit;
    private final java.util.function.Supplier<java.util.OptionalDouble> intercomWriteLatency;
    private final String replicaId;
    private volatile Running current;
    private final RunEnds runEnds = new RunEnds();
    /** Set once the context stops: a run that begins after that stops at once. */
    private volatile boolean shuttingDown;

    public BulkSync(DataSource dataSource, BulkRunStore store, MappingStore mappings, BulkStaging staging, BulkDiff diff,
                    BulkWriters writers, BulkIngest ingest, BulkSalesforce salesforce, IntercomClient intercom,
                    BulkCapacity capacity, ProducerTemplate template, ScheduledExecutorService scheduler,
                    BulkSyncSettings settings, BulkSummary summary, BulkEstimate estimate,
                    IntercomRateLimit intercomRateLimit,
                    java.util.function.Supplier<java.util.OptionalDouble> intercomWriteLatency, String replicaId) {
        this.dataSource = dataSource;
        this.store = store;
        this.mappings = mappings;
        this.staging = staging;
        this.diff = diff;
        this.writers = writers;
        this.ingest = ingest;
        this.salesforce = salesforce;
        this.intercom = intercom;
        this.capacity = capacity;
        this.template = template;
        this.scheduler = scheduler;
        this.settings = settings;
        this.summary = summary;
        this.estimate = estimate;
        this.intercomRateLimit = intercomRateLimit;
        this.intercomWriteLatency = intercomWriteLatency;
        this.replicaId = replicaId;
    }

    // ------------------------------------------------------------------ control

    /** Starts a run with the current mappings (it runs in the background), unless a run or preview is active. */
    public Started start(String startedBy) {
        return start(BulkRun.RUN, null, startedBy, mappingSetJson(mappings.current()));
    }

    /**
     * Starts a preview with the current mappings: it stages and diffs as a run does and writes
     * nothing. It takes the same lock, so it does not start while a run or another preview is active.
     */
    public Started preview(String startedBy) {
        return start(BulkRun.PREVIEW, null, startedBy, mappingSetJson(mappings.current()));
    }

    /**
     * Starts a run from a completed preview, with the preview's mappings. Refused ({@link InvalidInput})
     * when {@code previewId} names no completed preview, and ({@link Conflict}) when the mappings have
     * been changed since: the preview's figures would not be what the run does.
     */
    public Started startFromPreview(long previewId, String startedBy) {
        BulkRun preview = store.find(previewId).filter(BulkRun::preview)
                .orElseThrow(() -> new InvalidInput("previewId " + previewId + " names no bulk sync preview."));
        if (!"COMPLETED".equals(preview.status())) {
            throw new InvalidInput("previewId " + previewId + " names a preview that has not completed (" + preview.status()
                    + "); only a completed preview can start a run.");
        }
        String previewed = store.mappingSetJson(previewId);
        if (!new java.util.HashSet<>(mappingSet(previewed).all()).equals(new java.util.HashSet<>(mappings.current().all()))) {
            throw new Conflict("The mappings have changed since preview " + previewId + "; preview again before starting "
                    + "a run from it.");
        }
        return start(BulkRun.RUN, previewId, startedBy, previewed);
    }

    private Started start(String kind, Long previewId, String startedBy, String mappingSet) {
        Optional<BulkRun> run = store.start(kind, previewId, startedBy, mappingSet, replicaId, settings.lease());
        if (run.isEmpty()) {
            Optional<BulkRun> active = store.active();
            if (active.isPresent()) {
                return new Started(active.get(), false);
            }
            return start(kind, previewId, startedBy, mappingSet); // the other run ended in between
        }
        LOG.info("Bulk sync {} {} started by {}{}", run.get().preview() ? "preview" : "run", run.get().id(), startedBy,
                previewId == null ? "" : " from preview " + previewId);
        template.sendBody("seda:bulk-sync-runs", run.get().id());
        return new Started(run.get(), true);
    }

    /** Asks the active run to stop at its next batch boundary, wherever it runs; the run, if any. */
    public Optional<BulkRun> stop(String reason) {
        Optional<BulkRun> run = store.requestStop(reason);
        Running running = current;
        if (run.isPresent() && running != null && running.progress.runId() == run.get().id()) {
            running.progress.requestStop();
        }
        run.ifPresent(r -> LOG.info("Bulk sync run {}: stop requested ({})", r.id(), r.stopReason()));
        return run;
    }

    /**
     * Waits for no run to be active (whichever replica runs it), at most {@code within}; whether none
     * is. This replica's run wakes the wait as it ends; another's end is read from the run table at
     * the heartbeat interval.
     */
    public boolean awaitNoActiveRun(Duration within) throws InterruptedException {
        return runEnds.awaitNone(() -> store.active().isPresent(), within, settings.progressInterval());
    }

    public boolean canStartNow() {
        return capacity.allowsBulkSyncNow();
    }

    /** Marks runs whose replica died INTERRUPTED (lease expired; or, at start-up, this replica's own). */
    public void interruptAbandoned(boolean startingUp) {
        for (long id : store.interruptAbandoned(startingUp ? replicaId : "")) {
            LOG.warn("Bulk sync run {} was interrupted: the replica running it stopped without finishing it", id);
        }
    }

    /**
     * On shutdown, the run this replica executes stops (reason SHUTDOWN) rather than being cut off;
     * so does one that was queued and begins while the context drains its queue.
     */
    public void shutdown() {
        shuttingDown = true;
        if (current != null) {
            stop("SHUTDOWN");
        }
    }

    // ------------------------------------------------------------------ the run's steps

    public void begin(long runId) {
        MappingSet set = mappingSet(store.mappingSetJson(runId));
        boolean preview = store.find(runId).map(BulkRun::preview).orElse(false);
        Running run = new Running(new RunProgress(runId), set, intercom.requestCount(), settings.earlyPatches(), preview);
        current = run;
        if (shuttingDown) {
            stop("SHUTDOWN");
        }
        salesforce.countInto(run.progress.salesforceCalls);
        long every = settings.progressInterval().toMillis();
        run.heartbeat = scheduler.scheduleAtFixedRate(() -> beat(run), every, every, TimeUnit.MILLISECONDS);
        staging.clear();
        status(run, "STAGING");
    }

    /** Counts the records of both objects ({@code SELECT COUNT()}), so that the records to stage are known before any is staged. */
    public void countSalesforce(long runId) {
        Running run = running(runId);
        for (ObjectType type : ObjectType.values()) {
            run.salesforceToStage.put(type, staging.countSalesforce(run.mappings, type));
        }
        run.progress.salesforceToStage.set(run.salesforceToStage.values().stream().mapToLong(Long::longValue).sum());
    }

    /** The Salesforce objects a run reads and writes (the route splits over them). */
    public List<ObjectType> salesforceObjects(long runId) {
        running(runId);
        return List.of(ObjectType.values());
    }

    /** One object's records to stage, page by page (route bulk-stage-salesforce-object). */
    public BulkStaging.SalesforcePages salesforcePages(long runId, ObjectType type) throws SQLException {
        Running run = running(runId);
        return staging.salesforcePages(runId, run.mappings, type, run.salesforceToStage.getOrDefault(type, 0L),
                run.progress.salesforceStaged);
    }

    /** Whether the route takes another page: one is left, and the run goes on. */
    public boolean pagesGoOn(long runId, StagePages pages) {
        return pages.more() && goesOn(runId);
    }

    /** The object's pages are staged (or the run stopped): the rows are in. */
    public void salesforceStaged(long runId, BulkStaging.SalesforcePages pages) throws SQLException {
        pages.close();
        LOG.info("Bulk sync run {}: {} Salesforce {} records staged in {} ms", runId, pages.rows(),
                pages.type().salesforceObject(), pages.millisSinceOpened());
    }

    /** The Intercom contacts to stage (route bulk-stage-intercom); nothing to read once the run is stopped. */
    public BulkStaging.IntercomStaging intercomStaging(long runId) throws SQLException {
        Running run = running(runId);
        return staging.intercomStaging(runId, run.mappings, settings.intercomConcurrency(), run.progress.intercomToStage,
                run.progress.intercomStaged);
    }

    /** Whether the listing is read: with one reader; or the search gave no slices or missed contacts, and the run goes on. */
    public boolean intercomListingNeeded(long runId, BulkStaging.IntercomStaging intercom) {
        return intercom.searchMissedContacts(goesOn(runId));
    }

    /** Every page read is staged: the rows are in. */
    public void intercomStaged(long runId, BulkStaging.IntercomStaging intercom) throws Exception {
        long rows = intercom.finish();
        LOG.info("Bulk sync run {}: {} Intercom contacts staged in {} ms", runId, rows, intercom.millisSinceOpened());
    }

    /**
     * Pairs the staged records and opens the pass over the pairs that {@link #diffBatch} compares
     * batch by batch; the Intercom writers (started alongside) get the first Intercom patches as
     * they are computed and the rest once the diff has ended.
     */
    public void match(long runId) throws Exception {
        Running run = running(runId);
        if (run.progress.stopRequested()) {
            return;
        }
        status(run, "DIFFING");
        long t0 = System.nanoTime();
        RunProgress p = run.progress;
        boolean preview = run.tally != null;
        diff.analyze();
        p.matchingSteps.incrementAndGet();
        // a preview records no sync error and links nothing: it counts what a run would record and link
        run.ambiguous = preview ? diff.countAmbiguities(runId) : diff.reportAmbiguities(runId);
        p.matchingSteps.incrementAndGet();
        int linked = preview ? diff.stageUniqueEmailMatches(runId) : diff.linkUniqueEmailMatches(runId);
        p.matchingSteps.incrementAndGet();
        p.pairsToDiff.set(diff.countPairs(runId, preview));
        p.matchingSteps.incrementAndGet();
        LOG.info("Bulk sync {} {}: matched in {} ms ({} new links, {} ambiguous records, {} pairs)", preview ? "preview" : "run",
                runId, (System.nanoTime() - t0) / 1_000_000, linked, run.ambiguous, p.pairsToDiff.get());
        run.diffStarted = System.nanoTime();
        run.diffPass = preview ? diff.preview(runId, run.mappings, run.progress, run.tally)
                : diff.patches(runId, run.mappings, run.progress, run.early);
    }

    /** Whether the run is a preview (route bulk-sync-run: it diffs and writes nothing). */
    public boolean isPreview(long runId) {
        return running(runId).tally != null;
    }

    /**
     * A preview's diff has ended: unless it was stopped, what it found and what the run would spend
     * (see {@link BulkEstimate}) are kept with it.
     */
    public void previewEnded(long runId) throws Exception {
        Running run = running(runId);
        DiffEnd end = endDiff(run);
        if (!end.complete()) {
            return;
        }
        long reads = intercom.requestCount() - run.intercomBaseline;
        // a write's time as recent writes saw it; before any, none (the preview's reads are pages of 150
        // contacts, many times a write's time): the rate-limit floor alone
        java.util.OptionalDouble writes = intercomWriteLatency.get();
        BulkEstimate.Observed observed = new BulkEstimate.Observed(run.progress.salesforceCalls.get(), reads,
                (System.nanoTime() - run.startedNanos) / 1e9, writes.orElse(0), writes.isPresent() ? "WRITES" : "NONE",
                intercomRateLimit.limitPerWindow().isPresent() ? intercomRateLimit.limitPerWindow().getAsLong() : null);
        PreviewTally tally = run.tally;
        BulkEstimate.Cost cost = estimate.cost(observed, tally.salesforceByObject(), tally.intercomWrites());
        BulkPreviewFigures figures = tally.figures(run.ambiguous, cost, estimate.duration(observed, tally.intercomWrites()));
        store.savePreview(runId, JSON.writeValueAsString(figures));
        LOG.info("Bulk sync preview {}: {} pairs, {} to update in Salesforce, {} in Intercom; the run would spend {} "
                + "Salesforce calls and {} Intercom requests, about {} s", runId, figures.pairsInCommon(),
                figures.directions().stream().filter(d -> d.direction().equals("INTERCOM_TO_SALESFORCE")).findFirst()
                        .map(BulkPreviewFigures.DirectionFigures::records).orElse(0L), tally.intercomWrites(),
                cost.salesforceCalls(), cost.intercomRequests(), figures.duration().expectedSeconds());
    }

    /** Whether the diff takes another batch: pairs are left, and the run goes on. */
    public boolean diffGoesOn(long runId) {
        Running run = running(runId);
        return run.diffPass != null && run.diffPass.more() && !run.progress.stopRequested();
    }

    /** Compares the next {@value #DIFF_BATCH} pairs. */
    public void diffBatch(long runId) throws Exception {
        running(runId).diffPass.next(DIFF_BATCH);
    }

    /** The diff has ended (all compared, or stopped): its patches are stored; the writers read the rest of them. */
    public void diffEnded(long runId) throws Exception {
        Running run = running(runId);
        DiffEnd end = endDiff(run);
        if (end.complete()) {
            LOG.info("Bulk sync run {}: patches computed in {} ms", runId, (System.nanoTime() - run.diffStarted) / 1_000_000);
            status(run, "WRITING");
        }
    }

    private record DiffEnd(boolean complete) {
    }

    /** Closes the diff's pass (storing its patches) and tells the Intercom writers; once, whatever ended it. */
    private DiffEnd endDiff(Running run) throws Exception {
        BulkDiff.Pass pass = run.diffPass;
        boolean complete = pass != null && !pass.more() && !run.progress.stopRequested();
        try {
            if (pass != null) {
                run.diffPass = null;
                pass.close();
            }
        } catch (Exception e) {
            complete = false;
            throw e;
        } finally {
            if (!run.diffOver) {
                run.diffOver = true;
                run.early.diffEnded(complete);
            }
        }
        return new DiffEnd(complete);
    }

    /** More Salesforce changes than the ingest threshold go as Bulk API 2.0 ingest jobs. */
    public boolean useIngestJob(long runId) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement count = c.prepareStatement(
                "SELECT count(*) FROM bulk_stage_patch WHERE run_id = ? AND target = 'SALESFORCE'")) {
            count.setLong(1, runId);
            try (ResultSet rs = count.executeQuery()) {
                rs.next();
                return rs.getLong(1) > settings.ingestThreshold();
            }
        }
    }

    public void ingestSalesforce(long runId, ObjectType type) throws Exception {
        Running run = running(runId);
        ingest.write(runId, run.mappings, type, run.progress);
    }

    /** The Collections batches, read one by one as the route takes them; none is taken once the run is stopped. */
    public Iterator<BulkWriters.SalesforceBatch> salesforceBatches(long runId) throws Exception {
        Running run = running(runId);
        return writers.salesforceBatches(runId, () -> !run.progress.stopRequested());
    }

    public List<SObjectPatch> records(BulkWriters.SalesforceBatch batch) {
        return batch.records();
    }

    public void salesforceResults(long runId, BulkWriters.SalesforceBatch batch, List<SaveSObjectResult> results) {
        Running run = running(runId);
        writers.salesforceResults(batch, results, run.mappings, run.progress);
    }

    /** The batch's Collections call failed after retries (the sync-errors configuration): its records become BULK rows. */
    public void salesforceBatchFailed(Exchange exchange) {
        long runId = exchange.getProperty("bulkRunId", Long.class);
        BulkWriters.SalesforceBatch batch = exchange.getProperty("bulkBatch", BulkWriters.SalesforceBatch.class);
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        writers.salesforceBatchFailed(batch, cause, running(runId).progress);
    }

    public Iterator<PatchCursor.Patch> intercomWrites(long runId) throws Exception {
        Running run = running(runId);
        // a run that ended (failed) while the writers wait for the diff's patches leaves them nothing
        return writers.intercomWrites(runId, run.early, () -> run.progress.stopRequested() || current != run,
                () -> !run.progress.stopRequested());
    }

    public void writeIntercom(long runId, PatchCursor.Patch patch) {
        writers.writeIntercom(patch, running(runId).mappings, running(runId).progress);
    }

    /**
     * A contact's write that failed for good (see the sync-errors configuration: refused at once, or
     * after its redeliveries): its BULK sync error, and the run goes on.
     */
    public void intercomWriteFailed(Exchange exchange) {
        Long runId = exchange.getProperty("bulkRunId", Long.class);
        PatchCursor.Patch patch = exchange.getProperty("bulkIntercomPatch", PatchCursor.Patch.class);
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Running run = current;
        if (run == null || runId == null || run.progress.runId() != runId) {
            LOG.warn("Bulk sync run {} ended before the failure of its write to Intercom contact {}: {}", runId,
                    patch == null ? null : patch.intercomId(), cause == null ? null : cause.getMessage());
            return;
        }
        writers.intercomFailed(patch, cause, Redelivery.attempts(exchange), run.progress);
    }

    public void finish(long runId) {
        Running run = running(runId);
        end(run, run.progress.stopRequested() ? "STOPPED" : "COMPLETED", null);
    }

    /** The run failed (the sync-errors configuration): FAILED with the reason. */
    public void fail(Exchange exchange) {
        Long runId = exchange.getProperty("bulkRunId", Long.class);
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        Running run = current;
        LOG.error("Bulk sync run {} failed", runId, cause);
        if (run != null && runId != null && run.progress.runId() == runId) {
            String message = cause == null ? "unknown failure" : cause.getMessage();
            end(run, "FAILED", message == null ? cause.getClass().getSimpleName() : message);
        } else if (runId != null) {
            store.finish(runId, "FAILED", cause == null ? null : cause.getMessage());
        }
    }

    // ------------------------------------------------------------------ inside

    // ------------------------------------------------------------------ what the routes ask

    /** Whether the run goes on: false once a stop was asked for (the route takes no further batch). */
    public boolean goesOn(long runId) {
        return !running(runId).progress.stopRequested();
    }

    /** Whether the run must wait at this batch boundary: not stopped, but the API tier does not allow a bulk sync now. */
    public boolean heldBack(long runId) {
        return goesOn(runId) && !capacity.allowsBulkSync();
    }

    /** A batch of the run starts or ends waiting for API capacity: the run is WAITING_FOR_CAPACITY while any waits. */
    public void waitingForCapacity(long runId, boolean waits) {
        Running run = running(runId);
        boolean before = run.progress.status().equals("WAITING_FOR_CAPACITY");
        run.progress.waitingForCapacity(waits);
        boolean now = run.progress.status().equals("WAITING_FOR_CAPACITY");
        if (before != now) {
            LOG.info(now ? "Bulk sync run {} waits: the Salesforce API usage tier does not allow a bulk sync now"
                    : "Bulk sync run {} resumes: API capacity is back", runId);
            beat(run);
        }
    }

    /** How long a run waiting for API capacity waits before it asks again. */
    public long capacityCheckMillis() {
        return settings.capacityCheck().toMillis();
    }

    /** The first wait before looking at a Bulk API job. */
    public long firstJobWait() {
        return settings.jobPoll().toMillis();
    }

    /**
     * The first wait before looking at an ingest job of {@code rows} records: Salesforce writes them
     * at some thousands a second, so an early look only spends a call (1 ms a record, at least the
     * first job wait, at most 10 s).
     */
    public long firstIngestJobWait(long rows) {
        return ingestJobFirstWait(settings.jobPoll().toMillis(), rows);
    }

    static long ingestJobFirstWait(long jobPollMillis, long rows) {
        return Math.min(Math.max(jobPollMillis, rows), 10_000);
    }

    /** Each look is an API call: look less often the longer the job takes (doubling, up to 10 s). */
    public long nextJobWait(long previous) {
        return doubledJobWait(previous);
    }

    static long doubledJobWait(long previous) {
        return Math.min(Math.max(1, previous) * 2, 10_000);
    }

    /** Whether to look at the query job again: it has not ended, and the run was not stopped. */
    public boolean queryJobPending(long runId, QueryJob job) {
        return !jobEnded(job.getState()) && goesOn(runId);
    }

    /** Whether to look at the ingest job again: it has not ended (its records are written, stopped or not). */
    public boolean ingestJobPending(Job job) {
        return !jobEnded(job.getState());
    }

    static boolean jobEnded(JobStateEnum state) {
        return state == JobStateEnum.JOB_COMPLETE || state == JobStateEnum.FAILED || state == JobStateEnum.ABORTED;
    }

    // ------------------------------------------------------------------ inside

    private void status(Running run, String status) {
        run.progress.status(status);
        beat(run);
    }

    private synchronized void beat(Running run) {
        try {
            if (store.heartbeat(run.progress, replicaId, settings.lease(), intercom.requestCount() - run.intercomBaseline)) {
                run.progress.requestStop();
            }
        } catch (RuntimeException e) {
            LOG.warn("Bulk sync run {}: progress not saved ({}); trying again", run.progress.runId(), e.getMessage());
        }
        RunProgress p = run.progress;
        BulkProgress counts = p.snapshot();
        int decile = (int) (counts.percent() / 10); // the API's percent, so the log and the page agree
        if (decile > run.loggedDecile) {
            run.loggedDecile = decile;
            LOG.info("Bulk sync run {}: {} %, {} ({} of {} records staged, {} of {} pairs compared, {} of {} updates "
                    + "written; {} updated in Salesforce, {} in Intercom, {} unchanged, {} failed)", p.runId(), decile * 10,
                    counts.phase(), counts.salesforceStaged() + counts.intercomStaged(),
                    known(counts.salesforceToStage()) + known(counts.intercomToStage()), counts.pairsDiffed(),
                    known(counts.pairsToDiff()), counts.writesDone(), counts.writesToDo(), p.updatedInSalesforce.get(),
                    p.updatedInIntercom.get(), p.unchanged.get(), p.failed.get());
        }
    }

    private static long known(Long count) {
        return count == null ? 0 : count;
    }

    private void end(Running run, String status, String failure) {
        try {
            endDiff(run); // a run that failed or stopped while diffing
        } catch (Exception e) {
            LOG.warn("Bulk sync run {}: closing the diff failed: {}", run.progress.runId(), e.getMessage());
        }
        ScheduledFuture<?> heartbeat = run.heartbeat;
        if (heartbeat != null) {
            heartbeat.cancel(false);
        }
        beat(run);
        store.finish(run.progress.runId(), status, failure);
        current = null;
        runEnds.ended();
        BulkRun finished = store.find(run.progress.runId()).orElseThrow();
        LOG.info("Bulk sync {} {} {}: {} processed of {}, {} updated in Salesforce, {} in Intercom, {} unchanged, {} failed",
                finished.preview() ? "preview" : "run", finished.id(), finished.status(), finished.processed(), finished.total(),
                finished.updatedInSalesforce(), finished.updatedInIntercom(), finished.unchanged(), finished.failed());
        try {
            staging.clear();
        } catch (RuntimeException e) {
            LOG.warn("Clearing the bulk staging tables failed: {}", e.getMessage());
        }
        if (!finished.preview()) { // a preview changed nothing: no summary
            summary.send(finished, run.ambiguous);
        }
    }

    private Running running(long runId) {
        Running run = current;
        if (run == null || run.progress.runId() != runId) {
            throw new IllegalStateException("Bulk run " + runId + " is not running on this replica");
        }
        return run;
    }

    static String mappingSetJson(MappingSet set) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (AttributeMapping m : set.all()) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("id", m.id());
            one.put("objectType", m.objectType().name());
            one.put("intercomAttribute", m.intercomAttribute());
            one.put("salesforceField", m.salesforceField());
            one.put("direction", m.direction().name());
            list.add(one);
        }
        try {
            return JSON.writeValueAsString(list);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static MappingSet mappingSet(String json) {
        try {
            List<AttributeMapping> list = new ArrayList<>();
            for (JsonNode m : JSON.readTree(json)) {
                AttributeMapping mapping = AttributeMapping.of(ObjectType.valueOf(m.path("objectType").asText()),
                        m.path("intercomAttribute").asText(), m.path("salesforceField").asText(),
                        Direction.valueOf(m.path("direction").asText()));
                list.add(m.hasNonNull("id") ? mapping.withId(m.path("id").asLong()) : mapping);
            }
            return MappingSet.of(list);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("The run's mapping set is not readable: " + e.getMessage(), e);
        }
    }
}

package io.github.crmsync.bulksync;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The live counters of the run this replica is executing. Writers add to them from many threads;
 * the heartbeat copies them to the run row at least every second, and brings back the stop flag.
 */
public final class RunProgress {

    public final AtomicLong total = new AtomicLong();
    public final AtomicLong updatedInSalesforce = new AtomicLong();
    public final AtomicLong updatedInIntercom = new AtomicLong();
    public final AtomicLong unchanged = new AtomicLong();
    public final AtomicLong failed = new AtomicLong();
    public final AtomicLong salesforceCalls = new AtomicLong();
    /** Of {@link #failed}, the pairs the diff could not convert (the rest are failed writes). */
    public final AtomicLong failedInDiff = new AtomicLong();
    /** A preview's pairs that a run would change (a preview writes nothing, so they are neither updated nor unchanged). */
    public final AtomicLong toChange = new AtomicLong();
    // the phases' own counts (see BulkProgress); -1: not known yet
    public final AtomicLong salesforceToStage = new AtomicLong(-1);
    public final AtomicLong salesforceStaged = new AtomicLong();
    public final AtomicLong intercomToStage = new AtomicLong(-1);
    public final AtomicLong intercomStaged = new AtomicLong();
    public final AtomicInteger matchingSteps = new AtomicInteger();
    public final AtomicLong pairsToDiff = new AtomicLong(-1);
    public final AtomicLong pairsDiffed = new AtomicLong();
    /** The patches the diff stored: the writes to do. */
    public final AtomicLong writesToDo = new AtomicLong();
    private final long runId;
    private volatile boolean stopRequested;
    private volatile String phase = "STAGING";
    private final ProgressRate rate = new ProgressRate();
    private final AtomicInteger waiting = new AtomicInteger();

    public RunProgress(long runId) {
        this.runId = runId;
    }

    public long runId() {
        return runId;
    }

    public long processed() {
        return unchanged.get() + updatedInSalesforce.get() + updatedInIntercom.get() + failed.get() + toChange.get();
    }

    /** Writes with an outcome: every update and failure except the diff's own. */
    public long writesDone() {
        return updatedInSalesforce.get() + updatedInIntercom.get() + failed.get() - failedInDiff.get();
    }

    /**
     * The counts as they are now. The phase is read first: the counts only grow and the phase only
     * advances, so a snapshot never shows a later phase with an earlier phase's (smaller) totals.
     */
    public BulkProgress snapshot() {
        String p = phase;
        long done = writesDone();
        return new BulkProgress(p, known(salesforceToStage.get()), salesforceStaged.get(), known(intercomToStage.get()),
                intercomStaged.get(), matchingSteps.get(), known(pairsToDiff.get()), pairsDiffed.get(),
                writesToDo.get(), done, null);
    }

    /** The ETA in seconds at the recent pace (see {@link ProgressRate}), given the counts now; null while unknown. */
    public Long etaSeconds(BulkProgress now) {
        return rate.observe(System.nanoTime(), now.phase(), now.exactPercent());
    }

    private static Long known(long count) {
        return count < 0 ? null : count;
    }

    public boolean stopRequested() {
        return stopRequested;
    }

    public void requestStop() {
        stopRequested = true;
    }

    /** The phase, or WAITING_FOR_CAPACITY while any of the run's threads waits for API capacity. */
    public String status() {
        return waiting.get() > 0 ? "WAITING_FOR_CAPACITY" : phase;
    }

    /** STAGING, DIFFING or WRITING. */
    public void status(String newPhase) {
        phase = newPhase;
    }

    public void waitingForCapacity(boolean waits) {
        if (waits) {
            waiting.incrementAndGet();
        } else {
            waiting.decrementAndGet();
        }
    }
}

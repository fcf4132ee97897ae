package io.github.crmsync.bulksync;

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
    private final long runId;
    private volatile boolean stopRequested;
    private volatile String phase = "STAGING";
    private final java.util.concurrent.atomic.AtomicInteger waiting = new java.util.concurrent.atomic.AtomicInteger();

    public RunProgress(long runId) {
        this.runId = runId;
    }

    public long runId() {
        return runId;
    }

    public long processed() {
        return unchanged.get() + updatedInSalesforce.get() + updatedInIntercom.get() + failed.get();
    }

    /** Whole tenths of the way done (0..10), for the log line every 10 %. */
    public int decile() {
        long t = total.get();
        return t <= 0 ? 0 : (int) Math.min(10, processed() * 10 / t);
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

package io.github.crmsync.bulksync;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Intercom patches handed from the diff straight to the Intercom writers, so that Intercom's rate
 * limit is spent while the diff still runs rather than idle until it ends. The diff hands over the
 * first patches in order, up to the queue's capacity; once one does not fit, it hands over no more,
 * and the writers read the rest from the stored patches after {@link #lastSeq()} — every patch is
 * written once, either way.
 */
final class EarlyPatches {

    private final BlockingQueue<PatchCursor.Patch> queue;
    private volatile boolean accepting;
    private volatile long lastSeq;
    private volatile boolean ended;
    private volatile boolean incomplete;

    EarlyPatches(int capacity) {
        queue = new ArrayBlockingQueue<>(Math.max(1, capacity));
        accepting = capacity > 0; // 0: the writers wait for the diff to end
    }

    /** From the diff: hands the patch (stored as {@code seq}) over if nothing before it was refused. */
    boolean offer(long seq, PatchCursor.Patch patch) {
        if (!accepting || ended) {
            return false;
        }
        if (!queue.offer(patch)) {
            accepting = false;
            return false;
        }
        lastSeq = seq;
        return true;
    }

    /** Whether the diff still takes patches (so that one is worth preparing). */
    boolean accepting() {
        return accepting;
    }

    /**
     * From the diff, at its end: {@code complete} false (it failed or was stopped) makes the writers
     * drop what is left.
     */
    void diffEnded(boolean complete) {
        accepting = false;
        incomplete = !complete;
        ended = true;
    }

    boolean diffIncomplete() {
        return incomplete;
    }

    /** The last patch handed over; valid once the diff has ended. */
    long lastSeq() {
        return lastSeq;
    }

    /**
     * The next patch handed over, waiting for the diff; null once the diff has ended and every patch
     * handed over was taken (or the diff did not complete, or {@code stop} says so).
     */
    PatchCursor.Patch take(BooleanSupplier stop) {
        try {
            while (!stop.getAsBoolean()) {
                boolean diffOver = ended; // read before polling: an empty queue after the end is final
                if (incomplete) {
                    return null;
                }
                PatchCursor.Patch next = queue.poll(100, TimeUnit.MILLISECONDS);
                if (next != null) {
                    return next;
                }
                if (diffOver) {
                    return null;
                }
            }
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}

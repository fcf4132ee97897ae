package io.github.crmsync.bulksync;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Waiting for a bulk run to end: the run this replica executes says so when it ends ({@link #ended}),
 * which wakes every waiter at once; a run of another replica is only seen in the run table, so a
 * waiter also looks there again after {@code recheck} (the heartbeat interval, at which that replica
 * writes its end).
 */
final class RunEnds {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition endedCondition = lock.newCondition();
    private long ends;

    /** A run ended on this replica. */
    void ended() {
        lock.lock();
        try {
            ends++;
            endedCondition.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until {@code active} answers false, for at most {@code within}; whether it did. {@code active}
     * is asked at once, after each end on this replica and at least every {@code recheck}.
     */
    boolean awaitNone(BooleanSupplier active, Duration within, Duration recheck) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            long seen;
            lock.lock();
            try {
                seen = ends;
            } finally {
                lock.unlock();
            }
            if (!active.getAsBoolean()) {
                return true;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            lock.lock();
            try {
                // an end between the look and here counts: no wait then
                if (ends == seen) {
                    endedCondition.await(Math.min(left, recheck.toNanos()), TimeUnit.NANOSECONDS);
                }
            } finally {
                lock.unlock();
            }
        }
    }
}

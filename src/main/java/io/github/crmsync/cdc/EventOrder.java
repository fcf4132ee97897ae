package io.github.crmsync.cdc;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * The order one channel's change events are handled in when several are handled at once. Events
 * are admitted in the order they arrive, up to {@code capacity} at a time, and an event waits to
 * be admitted while an earlier one of the same record is still being handled (a record's changes
 * reach Intercom in their order). Each commits its effects with its replay id only in its turn,
 * once every earlier event has committed, so the stored replay id never passes an event whose
 * effects are not committed. When one fails, none after it commits and none is admitted until
 * {@link #reset} (the subscription starting again from the stored replay id).
 */
public final class EventOrder {

    /** An admitted event: its place in the arrival order and the records it names. */
    public record Ticket(long sequence, Set<String> records) {
    }

    /** What runs in an event's turn: its commit. */
    @FunctionalInterface
    public interface Commit {
        void run() throws Exception;
    }

    private final int capacity;
    private final TreeSet<Long> inFlight = new TreeSet<>();
    private final Set<String> busy = new HashSet<>();
    private long next;
    private long failedFrom = Long.MAX_VALUE;

    public EventOrder(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be 1 or more, not " + capacity);
        }
        this.capacity = capacity;
    }

    /**
     * Admits the next event once there is room and none of its records is in hand; null when an
     * earlier event failed (this one is not handled: it comes again after the stored replay id).
     */
    public synchronized Ticket admit(Collection<String> records) throws InterruptedException {
        while (!failed() && (inFlight.size() >= capacity || records.stream().anyMatch(busy::contains))) {
            wait();
        }
        if (failed()) {
            return null;
        }
        Ticket ticket = new Ticket(next++, Set.copyOf(records));
        inFlight.add(ticket.sequence());
        busy.addAll(ticket.records());
        return ticket;
    }

    /**
     * Runs the commit once every earlier event has committed; false, without running it, when an
     * earlier one failed.
     */
    public boolean inTurn(Ticket ticket, Commit commit) throws Exception {
        synchronized (this) {
            while (ticket.sequence() < failedFrom && inFlight.first() != ticket.sequence()) {
                wait();
            }
            if (ticket.sequence() > failedFrom) {
                return false;
            }
        }
        commit.run();
        return true;
    }

    /** Whether an earlier event failed: this one cannot commit, so it is not worth handling. */
    public synchronized boolean failedBefore(Ticket ticket) {
        return failedFrom < ticket.sequence();
    }

    /** The event is done with: committed ({@code ok}), or failed or given up (then none after it commits). */
    public synchronized void finished(Ticket ticket, boolean ok) {
        inFlight.remove(ticket.sequence());
        busy.removeAll(ticket.records());
        if (!ok) {
            failedFrom = Math.min(failedFrom, ticket.sequence());
        }
        notifyAll();
    }

    /** Whether an event failed since the last {@link #reset}. */
    public synchronized boolean failed() {
        return failedFrom != Long.MAX_VALUE;
    }

    /** Waits until no event is in hand, then admits again (a new subscription from the stored replay id). */
    public synchronized void reset() throws InterruptedException {
        while (!inFlight.isEmpty()) {
            wait();
        }
        failedFrom = Long.MAX_VALUE;
        notifyAll();
    }
}

package io.github.crmsync.cdc;

import io.github.crmsync.database.ThreadTransactions;
import org.apache.avro.generic.GenericRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Handles change events on several threads (Intercom's answers, not the stream, set the pace), each
 * in one database transaction: what handling it writes to PostgreSQL (stored synced values, change
 * history, sync errors) and its replay id are committed together, in the events' order
 * ({@link EventOrder}), so after a crash or a failed commit an event is either wholly handled and
 * behind the stored replay id, or not at all and delivered again. A failed event stops its channel's
 * later events from committing; the subscription then starts again from the stored replay id
 * ({@link CdcSubscriptions} sees {@link #failed}).
 */
public final class ChangeEventWorkers {

    private static final Logger LOG = LoggerFactory.getLogger(ChangeEventWorkers.class);
    /** The exchange property the handling route sets at its end: the event was handled to the end. */
    public static final String APPLIED = "changeEventApplied";
    /** The header that says the event may have reached Intercom before: Intercom is read first. */
    public static final String MAYBE_APPLIED = "changeEventMaybeApplied";

    /**
     * Applies one event (the per-record sync); true when it was handled to the end. {@code maybeApplied}:
     * the event may have reached Intercom before (see {@link #reset}), so Intercom is read first.
     */
    @FunctionalInterface
    public interface Handling {
        boolean apply(Object event, String replayId, String objectType, boolean maybeApplied) throws Exception;
    }

    private final ThreadTransactions transactions;
    private final ReplayIds replayIds;
    private final ExecutorService workers;
    private final int perChannel;
    private final Handling handling;
    private final Map<String, EventOrder> channels = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> maybeApplied = new ConcurrentHashMap<>();

    public ChangeEventWorkers(ThreadTransactions transactions, ReplayIds replayIds, ExecutorService workers, int perChannel,
                              Handling handling) {
        this.transactions = transactions;
        this.replayIds = replayIds;
        this.workers = workers;
        this.perChannel = perChannel;
        this.handling = handling;
    }

    private EventOrder channel(String topic) {
        return channels.computeIfAbsent(topic, t -> new EventOrder(perChannel));
    }

    /**
     * Takes the next event of the channel: waits while the channel has as many in hand as it may (the
     * stream waits with it) or an earlier change of the same record is in hand; an event after a
     * failed one is left for the new subscription.
     */
    public void submit(Object event, String replayId, String topic, String objectType) throws InterruptedException {
        EventOrder order = channel(topic);
        EventOrder.Ticket ticket = order.admit(recordIds(event));
        if (ticket == null) {
            return;
        }
        boolean maybe = maybeApplied(topic).getAndUpdate(n -> Math.max(0, n - 1)) > 0;
        try {
            workers.execute(() -> handle(order, ticket, event, replayId, topic, objectType, maybe));
        } catch (RejectedExecutionException stopping) {
            order.finished(ticket, false);
        }
    }

    private void handle(EventOrder order, EventOrder.Ticket ticket, Object event, String replayId, String topic,
                        String objectType, boolean maybe) {
        boolean ok = false;
        try (ThreadTransactions.Transaction transaction = transactions.begin()) {
            // commits are in the stream's order, one at a time: not waiting for the disk keeps them quick; a
            // database crash loses an event with its replay id, and the event comes again
            transaction.commitWithoutWaitingForDisk();
            if (!handling.apply(event, replayId, objectType, maybe)) {
                LOG.warn("Change events: the event with replay id {} of {} was not handled to the end; the subscription "
                        + "starts again from the last one handled", replayId, topic);
            } else {
                ok = order.inTurn(ticket, () -> {
                    if (replayId != null) {
                        replayIds.handled(topic, replayId);
                    }
                    transaction.commit();
                });
            }
        } catch (Exception e) {
            ok = false;
            LOG.warn("Change events: handling the event with replay id {} of {} failed ({}); the subscription starts again "
                    + "from the last one handled", replayId, topic, e.toString());
        } finally {
            order.finished(ticket, ok);
        }
    }

    /** Whether an event of the channel failed since its subscription started. */
    public boolean failed(String topic) {
        return channel(topic).failed();
    }

    /**
     * Before a subscription starts: waits for the channel's events in hand, then takes events again.
     * {@code afterStored}: it starts after the stored replay id, and the events in hand when the last
     * subscriber stopped (killed, or an event failed) may have been written to Intercom without being
     * committed: they are the first as many as may be in hand after the stored id, and Intercom is read
     * before those are written (a value it holds already is not written again).
     */
    public void reset(String topic, boolean afterStored) throws InterruptedException {
        channel(topic).reset();
        maybeApplied(topic).set(afterStored ? perChannel : 0);
    }

    private AtomicInteger maybeApplied(String topic) {
        return maybeApplied.computeIfAbsent(topic, t -> new AtomicInteger());
    }

    /** The records an event names, to keep each record's changes in order (none when unreadable). */
    static List<String> recordIds(Object event) {
        if (event instanceof GenericRecord record && record.getSchema().getField("ChangeEventHeader") != null
                && record.get("ChangeEventHeader") instanceof GenericRecord header
                && header.get("recordIds") instanceof List<?> ids) {
            return ids.stream().map(String::valueOf).toList();
        }
        return List.of();
    }
}

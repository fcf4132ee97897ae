package io.github.crmsync.cdc;

import io.github.crmsync.database.ThreadTransactions;
import org.apache.avro.generic.GenericRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Handles change events on several threads (Intercom's answers, not the stream, set the pace), in
 * database transactions: what handling them writes to PostgreSQL (stored synced values, change
 * history, sync errors) and the replay id of the last of them are committed together, in the
 * events' order ({@link EventOrder}), so after a crash or a failed commit an event is either wholly
 * handled and behind the stored replay id, or not at all and delivered again. A worker takes the
 * events waiting when it becomes free, up to {@code perTransaction}, and handles them in one
 * transaction: one event while the stream is slow (it is handled at once), more as they arrive
 * faster than single events could be committed, so a burst costs fewer database round trips per
 * event instead of building a backlog. A failed transaction stops its channel's later events from
 * committing; the subscription then starts again from the stored replay id ({@link CdcSubscriptions}
 * sees {@link #failed}).
 */
public final class ChangeEventWorkers {

    private static final Logger LOG = LoggerFactory.getLogger(ChangeEventWorkers.class);
    /** The exchange property the handling route sets at its end: the events were handled to the end. */
    public static final String APPLIED = "changeEventApplied";

    /**
     * One event as received. {@code maybeApplied}: it may have reached Intercom before (see {@link #reset}),
     * so Intercom is read first.
     */
    public record Received(Object event, String replayId, boolean maybeApplied) {
    }

    /** Applies events of one channel, in their order (the per-record sync); true when all were handled to the end. */
    @FunctionalInterface
    public interface Handling {
        boolean apply(List<Received> events) throws Exception;
    }

    private final ThreadTransactions transactions;
    private final ReplayIds replayIds;
    private final ExecutorService workers;
    private final int perTransaction;
    private final int inHand;
    private final Handling handling;
    private final Map<String, Channel> channels = new ConcurrentHashMap<>();

    /**
     * {@code workers}: its threads handle the events; {@code threads}: how many it has; {@code perTransaction}:
     * the most events one transaction handles.
     */
    public ChangeEventWorkers(ThreadTransactions transactions, ReplayIds replayIds, ExecutorService workers, int threads,
                              int perTransaction, Handling handling) {
        if (threads < 1 || perTransaction < 1) {
            throw new IllegalArgumentException("threads and events per transaction must be 1 or more, not " + threads
                    + " and " + perTransaction);
        }
        this.transactions = transactions;
        this.replayIds = replayIds;
        this.workers = workers;
        this.perTransaction = perTransaction;
        // every thread's transaction, and the next one waiting to be taken
        this.inHand = (threads + 1) * perTransaction;
        this.handling = handling;
    }

    /** A channel's events in hand: their order, those admitted but not taken by a worker yet, those that may have been applied. */
    private static final class Channel {
        final EventOrder order;
        final ArrayDeque<Admitted> waiting = new ArrayDeque<>();
        final AtomicInteger maybeApplied = new AtomicInteger();

        Channel(int capacity) {
            order = new EventOrder(capacity);
        }
    }

    private record Admitted(EventOrder.Ticket ticket, Received received) {
    }

    private Channel channel(String topic) {
        return channels.computeIfAbsent(topic, t -> new Channel(inHand));
    }

    /**
     * Takes the next event of the channel: waits while the channel has as many in hand as it may (the
     * stream waits with it) or an earlier change of the same record is in hand; an event after a
     * failed one is left for the new subscription.
     */
    public void submit(Object event, String replayId, String topic) throws InterruptedException {
        Channel channel = channel(topic);
        EventOrder.Ticket ticket = channel.order.admit(recordIds(event));
        if (ticket == null) {
            return;
        }
        boolean maybe = channel.maybeApplied.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
        synchronized (channel.waiting) {
            channel.waiting.add(new Admitted(ticket, new Received(event, replayId, maybe)));
        }
        try {
            workers.execute(() -> handleWaiting(channel, topic));
        } catch (RejectedExecutionException stopping) {
            for (Admitted a : take(channel, Integer.MAX_VALUE)) {
                channel.order.finished(a.ticket(), false);
            }
        }
    }

    /** The channel's first waiting events, up to {@code most}, in their order (none when another worker took them). */
    private static List<Admitted> take(Channel channel, int most) {
        List<Admitted> taken = new ArrayList<>();
        synchronized (channel.waiting) {
            while (!channel.waiting.isEmpty() && taken.size() < most) {
                taken.add(channel.waiting.poll());
            }
        }
        return taken;
    }

    private void handleWaiting(Channel channel, String topic) {
        List<Admitted> batch = take(channel, perTransaction);
        if (batch.isEmpty()) {
            return;
        }
        EventOrder order = channel.order;
        Received last = batch.get(batch.size() - 1).received();
        boolean ok = false;
        if (order.failedBefore(batch.get(0).ticket())) { // left for the new subscription: written now, it could not commit
            batch.forEach(a -> order.finished(a.ticket(), false));
            return;
        }
        try (ThreadTransactions.Transaction transaction = transactions.begin()) {
            // commits are in the stream's order, one at a time: not waiting for the disk keeps them quick; a
            // database crash loses events with their replay id, and they come again
            transaction.commitWithoutWaitingForDisk();
            if (!handling.apply(batch.stream().map(Admitted::received).toList())) {
                LOG.warn("Change events: the events up to replay id {} of {} were not handled to the end; the subscription "
                        + "starts again from the last one handled", last.replayId(), topic);
            } else {
                ok = order.inTurn(batch.get(0).ticket(), () -> {
                    String replayId = lastReplayId(batch);
                    if (replayId != null) {
                        replayIds.handled(topic, replayId);
                    }
                    transaction.commit();
                });
            }
        } catch (Exception e) {
            ok = false;
            LOG.warn("Change events: handling the events up to replay id {} of {} failed ({}); the subscription starts "
                    + "again from the last one handled", last.replayId(), topic, e.toString());
        } finally {
            for (Admitted a : batch) {
                order.finished(a.ticket(), ok);
            }
        }
    }

    private static String lastReplayId(List<Admitted> batch) {
        for (int i = batch.size() - 1; i >= 0; i--) {
            if (batch.get(i).received().replayId() != null) {
                return batch.get(i).received().replayId();
            }
        }
        return null;
    }

    /** Whether an event of the channel failed since its subscription started. */
    public boolean failed(String topic) {
        return channel(topic).order.failed();
    }

    /**
     * Before a subscription starts: waits for the channel's events in hand, then takes events again.
     * {@code afterStored}: it starts after the stored replay id, and the events in hand when the last
     * subscriber stopped (killed, or an event failed) may have been written to Intercom without being
     * committed: they are the first as many as may be in hand after the stored id, and Intercom is read
     * before those are written (a value it holds already is not written again).
     */
    public void reset(String topic, boolean afterStored) throws InterruptedException {
        Channel channel = channel(topic);
        channel.order.reset();
        channel.maybeApplied.set(afterStored ? inHand : 0);
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

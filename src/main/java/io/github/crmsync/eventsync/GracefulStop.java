package io.github.crmsync.eventsync;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replica's part in a graceful stop: when the context starts stopping it takes no new batch of
 * Intercom changes (the batch in flight drains within Camel's shutdown timeout); once the routes
 * have stopped, and before the pool closes, it hands back whatever it still holds claimed.
 */
public final class GracefulStop implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GracefulStop.class);

    private final IntercomToSalesforce writer;
    private final IntercomChanges changes;
    private final String replicaId;

    public GracefulStop(IntercomToSalesforce writer, IntercomChanges changes, String replicaId) {
        this.writer = writer;
        this.changes = changes;
        this.replicaId = replicaId;
    }

    /** The context is stopping: finish what is in flight, claim nothing more. */
    public void stopping() {
        writer.stopClaiming();
    }

    /** The routes have stopped: what this replica still holds goes back to the others. */
    @Override
    public void close() {
        // (with the bulk sync: a bulk run this replica owns is marked STOPPED, stopReason SHUTDOWN, here)
        int handedBack = changes.releaseAllOf(replicaId);
        if (handedBack > 0) {
            LOG.info("Handed back {} claimed Intercom change(s) for another replica to write", handedBack);
        }
    }
}

package io.github.crmsync.history;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Keeps the change history bounded: deletes the rows older than the retention in batches (each
 * its own short statement, so that no prune holds the table long), at most {@code maxBatches} a
 * turn; the next turn of the scheduled route goes on where this one stopped.
 */
public final class HistoryPruning {

    private final ChangeHistory history;
    private final Duration retention;
    private final int batchSize;
    private final int maxBatches;
    private final Clock clock;

    public HistoryPruning(ChangeHistory history, Duration retention, int batchSize, int maxBatches, Clock clock) {
        this.history = history;
        this.retention = retention;
        this.batchSize = batchSize;
        this.maxBatches = maxBatches;
        this.clock = clock;
    }

    /** One turn: the rows deleted. */
    public long prune() {
        Instant cutoff = clock.instant().minus(retention);
        long deleted = 0;
        for (int batch = 0; batch < maxBatches; batch++) {
            int n = history.pruneBatch(cutoff, batchSize);
            deleted += n;
            if (n < batchSize) {
                break;
            }
        }
        return deleted;
    }

    public Duration retention() {
        return retention;
    }
}

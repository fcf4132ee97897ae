package io.github.crmsync;

import io.github.crmsync.history.ChangeHistory;
import io.github.crmsync.history.HistoryApi;
import io.github.crmsync.history.HistoryPruning;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;

import javax.sql.DataSource;
import java.time.Clock;
import java.time.Duration;

/**
 * The change history (docs/sync-rules.md): the store every write is recorded in, {@code GET /api/history},
 * and the pruning that routes/history.camel.yaml runs ({@code crmsync.history.retention-days}, 30 by default).
 */
public class HistoryConfiguration implements CamelConfiguration {

    /** Rows deleted per statement when pruning, and statements per turn of the pruning route. */
    static final int PRUNE_BATCH = 5_000;
    static final int PRUNE_BATCHES_PER_TURN = 200;

    @BindToRegistry(value = "changeHistory", lazy = true)
    public ChangeHistory changeHistory(DataSource dataSource) {
        return new ChangeHistory(dataSource);
    }

    @BindToRegistry(value = "historyApi", lazy = true)
    public HistoryApi historyApi(ChangeHistory history) {
        return new HistoryApi(history);
    }

    @BindToRegistry(value = "historyPruning", lazy = true)
    public HistoryPruning historyPruning(CamelContext context, ChangeHistory history) {
        long days = Configured.positive(context, "crmsync.history.retention-days", 30);
        return new HistoryPruning(history, Duration.ofDays(days), PRUNE_BATCH, PRUNE_BATCHES_PER_TURN, Clock.systemUTC());
    }

    /** A bad retention stops the start, naming the setting, rather than the first prune. */
    @Override
    public void configure(CamelContext context) {
        Configured.bean(context, HistoryPruning.class);
    }
}

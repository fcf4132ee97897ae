package io.github.crmsync.bulksync;

import io.github.crmsync.requests.Conflict;
import io.github.crmsync.requests.Unavailable;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Saving settings (mappings or others) while a bulk run is active: without {@code ?confirm=true}
 * the save is refused with 409, {@code requiresConfirmation} and the run's progress; with it, the
 * run is stopped (reason SETTINGS_CHANGED) and the save goes ahead once the run has ended.
 */
public final class BulkRunGuard {

    private final BulkRunStore store;
    private final BulkSync bulkSync;
    private final Duration stopWait;

    public BulkRunGuard(BulkRunStore store, BulkSync bulkSync, Duration stopWait) {
        this.store = store;
        this.bulkSync = bulkSync;
        this.stopWait = stopWait;
    }

    /**
     * Returns when the save may go ahead; throws {@link Conflict} when it may not.
     *
     * @param confirm the request's {@code confirm} parameter: "true" stops an active run first
     */
    public void allowSave(String confirm) {
        Optional<BulkRun> active = store.active();
        if (active.isEmpty()) {
            return;
        }
        if (!"true".equalsIgnoreCase(confirm)) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("requiresConfirmation", true);
            details.put("run", active.get().asJson());
            throw new Conflict("A bulk sync is running; saving stops it", details);
        }
        bulkSync.stop("SETTINGS_CHANGED");
        boolean ended;
        try {
            ended = bulkSync.awaitNoActiveRun(stopWait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("Interrupted while waiting for the bulk sync to stop; nothing was saved.");
        }
        if (!ended) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("run", store.active().map(BulkRun::asJson).orElse(null));
            throw new Conflict("The bulk sync was asked to stop but has not stopped yet; nothing was saved. Try again.",
                    details);
        }
    }
}

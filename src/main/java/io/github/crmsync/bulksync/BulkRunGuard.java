package io.github.crmsync.bulksync;

import io.github.crmsync.admin.HttpAnswers;
import org.apache.camel.Exchange;

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

    /** True when the save may go ahead; otherwise the 409 answer is already set on the exchange. */
    public boolean allowSave(Exchange exchange) {
        Optional<BulkRun> active = store.active();
        if (active.isEmpty()) {
            return true;
        }
        if (!"true".equalsIgnoreCase(exchange.getMessage().getHeader("confirm", String.class))) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("error", "A bulk sync is running; saving stops it");
            body.put("requiresConfirmation", true);
            body.put("run", active.get().asJson());
            HttpAnswers.json(exchange, 409, body);
            return false;
        }
        bulkSync.stop("SETTINGS_CHANGED");
        long deadline = System.nanoTime() + stopWait.toNanos();
        try {
            while (store.active().isPresent()) {
                if (System.nanoTime() > deadline) {
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("error", "The bulk sync was asked to stop but has not stopped yet; nothing was saved. Try again.");
                    body.put("run", store.active().map(BulkRun::asJson).orElse(null));
                    HttpAnswers.json(exchange, 409, body);
                    return false;
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            HttpAnswers.error(exchange, 503, "Interrupted while waiting for the bulk sync to stop; nothing was saved.");
            return false;
        }
        return true;
    }
}

package io.github.crmsync.eventsync;

import io.swagger.v3.oas.annotations.media.Schema;

/** What "poll now" reports back: that it ran, and how many Intercom changes still wait (e.g. in a pause). */
public final class EventSyncStatus {

    @Schema(name = "EventSyncRun", requiredProperties = {"ran", "pendingIntercomChanges"})
    public record Ran(boolean ran, long pendingIntercomChanges) {
    }

    private final IntercomChanges changes;

    public EventSyncStatus(IntercomChanges changes) {
        this.changes = changes;
    }

    public Ran answer() {
        return new Ran(true, changes.pending());
    }
}

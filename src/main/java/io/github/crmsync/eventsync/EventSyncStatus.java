package io.github.crmsync.eventsync;

import io.github.crmsync.admin.HttpAnswers;
import org.apache.camel.Exchange;

import java.util.Map;

/** What "poll now" reports back: that it ran, and how many Intercom changes still wait (e.g. in a pause). */
public final class EventSyncStatus {

    private final IntercomChanges changes;

    public EventSyncStatus(IntercomChanges changes) {
        this.changes = changes;
    }

    public void answer(Exchange exchange) {
        HttpAnswers.json(exchange, 200, Map.of("ran", true, "pendingIntercomChanges", changes.pending()));
    }
}

package io.github.crmsync.eventsync;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.crmsync.eventsync.Watermarks.Watermark;
import io.github.crmsync.intercom.IntercomClient;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The safety net for missed webhooks: contacts updated since the watermark, found with Intercom's
 * search and stored as changes like webhook ones. Intercom compares dates in search by day, so the
 * search asks for the watermark's whole day and the exact cut is made here on {@code updated_at}.
 */
public final class IntercomPoll {

    public static final String WATERMARK = "intercom:contacts";
    private static final long DAY = 86_400;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final IntercomClient intercom;
    private final IntercomChanges changes;
    private final Watermarks watermarks;
    private final Clock clock;

    public IntercomPoll(IntercomClient intercom, IntercomChanges changes, Watermarks watermarks, Clock clock) {
        this.intercom = intercom;
        this.changes = changes;
        this.watermarks = watermarks;
        this.clock = clock;
    }

    /** Stores the contacts changed since the watermark and moves it past them; returns how many were new. */
    public int collect() {
        Instant started = clock.instant();
        // normally started with the service or the first Intercom -> Salesforce mapping; this covers any other way
        Watermark since = watermarks.getOrStart(WATERMARK, new Watermark(started.truncatedTo(ChronoUnit.SECONDS), null));
        long sinceSeconds = since.at().getEpochSecond();
        ObjectNode query = JSON.createObjectNode().put("field", "updated_at").put("operator", ">")
                .put("value", sinceSeconds - DAY);
        // page by page: the day's changed contacts can be many more than a heap holds at once
        int[] stored = {0};
        Watermark[] newest = {since};
        intercom.searchEach(query, contact -> {
            Watermark position = new Watermark(Instant.ofEpochSecond(contact.path("updated_at").asLong()), contact.path("id").asText());
            if (position.isAfter(since)) {
                if (changes.add(contact, "POLL", "poll:" + position.lastId() + ":" + position.at().getEpochSecond())) {
                    stored[0]++;
                }
                if (position.isAfter(newest[0])) {
                    newest[0] = position;
                }
            }
        });
        watermarks.advance(WATERMARK, newest[0]);
        watermarks.readUntil(WATERMARK, started);
        return stored[0];
    }
}

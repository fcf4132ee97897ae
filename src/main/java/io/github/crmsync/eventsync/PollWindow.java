package io.github.crmsync.eventsync;

import io.github.crmsync.eventsync.Watermarks.State;
import io.github.crmsync.eventsync.Watermarks.Watermark;

import java.time.Duration;
import java.time.Instant;

/**
 * Where a Salesforce poll starts reading. Salesforce stamps {@code SystemModstamp} when a
 * transaction starts, so a transaction still open when the last complete poll started may commit
 * later with an older stamp than anything that poll saw. The next poll therefore reads again from
 * the overlap before that poll's start (or from the watermark, when that is earlier: a poll that
 * stopped part-way). A record changed once is read again by at most the polls that start within
 * the overlap after the first one read it, not forever.
 */
public final class PollWindow {

    private PollWindow() {
    }

    /** The position after which the next poll reads: the watermark, or the overlap before the last complete poll. */
    public static Watermark readFrom(State state, Duration overlap) {
        Watermark position = state.position();
        if (state.readUntil() == null || overlap.isZero() || overlap.isNegative()) {
            return position;
        }
        Instant overlapFrom = state.readUntil().minus(overlap);
        return overlapFrom.isBefore(position.at()) ? new Watermark(overlapFrom, null) : position;
    }
}

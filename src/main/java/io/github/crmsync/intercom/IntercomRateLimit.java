package io.github.crmsync.intercom;

import java.time.Clock;

/**
 * Intercom's rate-limit window as its response headers describe it ({@code X-RateLimit-Remaining},
 * {@code X-RateLimit-Reset} in Unix seconds), fed by {@link IntercomAnswers}. The Intercom call
 * routes ask how long to wait before the next request, so that a burst slows down at the end of a
 * window instead of collecting 429s. One for the whole service: the headers count every request of
 * the app. Thread-safe.
 */
public final class IntercomRateLimit {

    private final Clock clock;
    private long remaining = Long.MAX_VALUE;
    private long resetEpochSecond;
    private final long inFlightReserve;
    private volatile long limitPerWindow;

    public IntercomRateLimit(Clock clock, long inFlightReserve) {
        this.clock = clock;
        this.inFlightReserve = inFlightReserve;
    }

    /** Takes the window's figures from a response; absent, malformed or stale headers change nothing. */
    public synchronized void observe(String remainingHeader, String resetHeader) {
        if (remainingHeader == null || resetHeader == null) {
            return;
        }
        try {
            long reset = Long.parseLong(resetHeader.trim());
            long left = Long.parseLong(remainingHeader.trim());
            if (reset > resetEpochSecond) {
                resetEpochSecond = reset;
                remaining = left;
            } else if (reset == resetEpochSecond) {
                remaining = Math.min(remaining, left);
            }
        } catch (NumberFormatException ignored) {
            // a malformed header is no reason to stop syncing: keep the last known window
        }
    }

    /** Takes the window's size ({@code X-RateLimit-Limit}: requests per 10-second window); a malformed one changes nothing. */
    public void observeLimit(String limitHeader) {
        if (limitHeader == null) {
            return;
        }
        try {
            long limit = Long.parseLong(limitHeader.trim());
            if (limit > 0) {
                limitPerWindow = limit;
            }
        } catch (NumberFormatException ignored) {
            // keep the last known size
        }
    }

    /** The requests Intercom allows per 10-second window, as last answered; empty before any answer said. */
    public java.util.OptionalLong limitPerWindow() {
        long limit = limitPerWindow;
        return limit > 0 ? java.util.OptionalLong.of(limit) : java.util.OptionalLong.empty();
    }

    /** A 429 says the window is spent until its reset. */
    public synchronized void exhausted(String resetHeader) {
        remaining = 0;
        try {
            if (resetHeader != null) {
                resetEpochSecond = Math.max(resetEpochSecond, Long.parseLong(resetHeader.trim()));
            }
        } catch (NumberFormatException ignored) {
            // keep the previous reset time
        }
        if (resetEpochSecond * 1000 <= clock.millis()) {
            resetEpochSecond = clock.millis() / 1000 + 1;
        }
    }

    /**
     * Milliseconds one more request waits before it is sent (the Intercom call routes' {@code delay}
     * step): none while the window has room beyond the requests already in flight (the request is
     * counted against it), else until the window resets, when it opens again.
     */
    public synchronized long acquireDelayMillis() {
        long now = clock.millis();
        if (resetEpochSecond * 1000 <= now) {
            remaining = Long.MAX_VALUE;
        }
        if (remaining > inFlightReserve) {
            if (remaining != Long.MAX_VALUE) {
                remaining--;
            }
            return 0;
        }
        return Math.max(0, resetEpochSecond * 1000 - now);
    }
}

package io.github.crmsync.sandbox.intercom;

import java.util.function.LongSupplier;

/**
 * Intercom's rate limit: a per-minute allowance evenly split into 10-second windows (1,000 a minute
 * allows 167 per window), with the {@code X-RateLimit-*} values of the current window.
 * Windows are aligned on wall-clock multiples of 10 seconds.
 */
final class RateLimiter {

    static final long WINDOW_MILLIS = 10_000;

    /** What one request learned: whether it may proceed and the headers to send. */
    record Decision(boolean allowed, int limit, int remaining, long resetEpochSecond) {
    }

    private final LongSupplier clockMillis;
    private int perMinute;
    private long windowStart = Long.MIN_VALUE;
    private int used;

    RateLimiter(int perMinute, LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
        setPerMinute(perMinute);
    }

    synchronized void setPerMinute(int perMinute) {
        if (perMinute < 1) {
            throw new IllegalArgumentException("perMinute must be positive: " + perMinute);
        }
        this.perMinute = perMinute;
    }

    synchronized int perMinute() {
        return perMinute;
    }

    synchronized int perWindow() {
        return (perMinute + 5) / 6;
    }

    synchronized Decision acquire() {
        long now = clockMillis.getAsLong();
        long start = Math.floorDiv(now, WINDOW_MILLIS) * WINDOW_MILLIS;
        if (start != windowStart) {
            windowStart = start;
            used = 0;
        }
        int limit = perWindow();
        long reset = (start + WINDOW_MILLIS) / 1000;
        if (used >= limit) {
            return new Decision(false, limit, 0, reset);
        }
        used++;
        return new Decision(true, limit, limit - used, reset);
    }
}

package io.github.crmsync.alerts;

import org.slf4j.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A failing alert channel (the SMTP server, the webhook) logged once per quiet period on this
 * replica: the first failure as a warning, the others counted into the next warning.
 */
public final class FailureLog {

    private final Logger log;
    private final Clock clock;
    private final AtomicReference<Instant> lastLogged = new AtomicReference<>();
    private final AtomicInteger unlogged = new AtomicInteger();

    public FailureLog(Logger log, Clock clock) {
        this.log = log;
        this.clock = clock;
    }

    /** Logs {@code message} unless a failure was logged within {@code quiet}; true when it did. */
    public boolean failed(String message, Duration quiet) {
        Instant now = clock.instant();
        Instant last = lastLogged.get();
        if (last != null && now.isBefore(last.plus(quiet))) {
            unlogged.incrementAndGet();
            return false;
        }
        if (!lastLogged.compareAndSet(last, now)) {
            unlogged.incrementAndGet();
            return false;
        }
        int before = unlogged.getAndSet(0);
        log.warn("{}{}", message, before == 0 ? "" : " (" + before + " more failures since the last warning)");
        return true;
    }
}

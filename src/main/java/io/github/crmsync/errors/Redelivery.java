package io.github.crmsync.errors;

import io.github.crmsync.metrics.SyncMetrics;
import org.apache.camel.Exchange;
import org.apache.camel.support.ExchangeHelper;

/**
 * The sync routes' redelivery rule ({@code retryWhile} of the error handling): transient failures are
 * tried again, with the route configuration's exponential backoff, up to a number of redeliveries;
 * permanent ones and the spent 24-hour allowance not at all, nor a bulk run as a whole (see
 * {@link FailedWork}). Each redelivery is counted by route ({@code crmsync_redeliveries_total}).
 */
public final class Redelivery {

    private final int maxRedeliveries;
    private final SyncMetrics metrics;

    public Redelivery(int maxRedeliveries) {
        this(maxRedeliveries, SyncMetrics.none());
    }

    public Redelivery(int maxRedeliveries, SyncMetrics metrics) {
        this.maxRedeliveries = maxRedeliveries;
        this.metrics = metrics;
    }

    /**
     * The exchange property holding the failed step's tries, noted at each of its failures: Camel
     * removes its counter headers before a failure it is told is handled reaches the handler step.
     */
    static final String ATTEMPTS = "syncStepAttempts";

    public boolean retryWhile(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (failure == null) {
            failure = exchange.getException();
        }
        int attempts = Math.max(1, exchange.getMessage().getHeader(Exchange.REDELIVERY_COUNTER, 0, Integer.class));
        exchange.setProperty(ATTEMPTS, attempts);
        boolean again = FailedWork.of(exchange).retried() && shouldRetry(failure, attempts);
        if (again) {
            metrics.redelivery(ExchangeHelper.getAtRouteId(exchange));
        }
        return again;
    }

    /** Whether to try once more after {@code failedAttempts} failed tries of this step. */
    public boolean shouldRetry(Throwable failure, int failedAttempts) {
        return failedAttempts <= maxRedeliveries && FailureClassifier.isTransient(failure);
    }

    /**
     * How many times the failed step was tried, for its handler step: Camel counts a failure before
     * it asks whether to redeliver ({@link #retryWhile}, which notes the count), so the counter is the
     * number of failed tries.
     */
    public static int attempts(Exchange exchange) {
        return Math.max(1, exchange.getProperty(ATTEMPTS, 1, Integer.class));
    }
}

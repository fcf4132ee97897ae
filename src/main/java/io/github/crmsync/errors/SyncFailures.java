package io.github.crmsync.errors;

import io.github.crmsync.eventsync.RecordPair;
import io.github.crmsync.intercom.IntercomApiException;
import io.github.crmsync.mapping.Direction;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.Exchange;
import org.apache.camel.component.salesforce.api.SalesforceException;
import org.apache.camel.component.salesforce.api.dto.RestError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The dead-letter step of the sync routes: turns the failure of one record's sync into its row in
 * the sync-errors list, with the remote system's own error code and message.
 */
public final class SyncFailures {

    private static final Logger LOG = LoggerFactory.getLogger(SyncFailures.class);

    private final SyncErrorStore store;

    public SyncFailures(SyncErrorStore store) {
        this.store = store;
    }

    /** A failure in the remote system's own words: its error code, message and full answer. */
    public record Cause(String code, String message, String details) {

        public static Cause of(Throwable thrown) {
            Throwable failure = thrown;
            while (failure != null && !(failure instanceof IntercomApiException) && !(failure instanceof SalesforceException)
                    && failure.getCause() != null && failure.getCause() != failure) {
                failure = failure.getCause();
            }
            if (!(failure instanceof IntercomApiException) && !(failure instanceof SalesforceException)) {
                failure = thrown instanceof CamelExecutionException && thrown.getCause() != null ? thrown.getCause() : thrown;
            }
            if (failure instanceof IntercomApiException e) {
                return new Cause(e.code() != null ? e.code() : "HTTP_" + e.status(), e.getMessage(), e.responseBody());
            }
            if (failure instanceof SalesforceException e && e.getErrors() != null && !e.getErrors().isEmpty()) {
                RestError first = e.getErrors().get(0);
                return new Cause(first.getErrorCode(), first.getMessage(), String.valueOf(e.getErrors()));
            }
            return new Cause(failure == null ? "UNKNOWN" : failure.getClass().getSimpleName(),
                    failure == null ? "unknown failure" : String.valueOf(failure.getMessage()), null);
        }
    }

    public void record(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        RecordPair pair = exchange.getProperty("syncPair", RecordPair.class);
        String direction = exchange.getProperty("syncDirection", String.class);
        int attempts = Redelivery.attempts(exchange);
        if (pair == null || direction == null) {
            // a page or poll as a whole: its changes stay where they are (watermark, stored change) for the next run
            LOG.warn("Sync step of route {} failed after {} attempt(s), to be taken up again by the next run: {}",
                    exchange.getFromRouteId(), attempts, Cause.of(failure).message());
            return;
        }
        Cause cause = Cause.of(failure);
        store.record(new SyncError(exchange.getProperty("syncType", "EVENT", String.class), Direction.valueOf(direction),
                pair.objectType(), pair.salesforceId(), pair.intercomId(), List.of(), cause.code(), cause.message(),
                withAttempts(cause.details(), attempts)));
    }

    /** The remote answer, and how many times the step was tried before it was given up. */
    public static String withAttempts(String details, int attempts) {
        String tried = "Tried " + attempts + (attempts == 1 ? " time." : " times.");
        return details == null || details.isBlank() ? tried : details + "\n" + tried;
    }
}

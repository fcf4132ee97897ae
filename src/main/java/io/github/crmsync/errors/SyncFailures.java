package io.github.crmsync.errors;

import io.github.crmsync.intercom.IntercomApiException;
import io.github.crmsync.mapping.Direction;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.Exchange;
import org.apache.camel.component.salesforce.api.SalesforceException;
import org.apache.camel.component.salesforce.api.dto.RestError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The dead-letter step of the sync routes (the {@code sync-errors} configuration): records a failure
 * that redelivery did not cure according to what failed ({@link FailedWork}). A record's failure
 * becomes its row in the sync-errors list, with the remote system's own error code and message;
 * batches, pages and bulk runs go to the handler their capability registered.
 */
public final class SyncFailures {

    private static final Logger LOG = LoggerFactory.getLogger(SyncFailures.class);

    private final SyncErrorStore store;
    private final Map<FailedWork, Consumer<Exchange>> handlers = new EnumMap<>(FailedWork.class);

    public SyncFailures(SyncErrorStore store) {
        this.store = store;
    }

    /** Who records a failure of this kind of work (event sync its batches and pages, bulk sync its batches and runs). */
    public SyncFailures on(FailedWork work, Consumer<Exchange> handler) {
        handlers.put(work, handler);
        return this;
    }

    /** Whether the failure ends in this route ({@code handled} of the error handling), see {@link FailedWork#handledIn}. */
    public boolean handled(Exchange exchange) {
        return FailedWork.of(exchange).handledIn(FailedWork.routeStartedExchange(exchange));
    }

    /** The one handler step: the failure recorded as what failed asks. */
    public void failed(Exchange exchange) {
        FailedWork work = FailedWork.of(exchange);
        if (work == FailedWork.CALL) {
            return; // handed back to the sender, which records it
        }
        if (work == FailedWork.BULK_READ) {
            // its redeliveries are spent: the staging that read it (this exchange, handed back) cannot go on
            work = FailedWork.BULK_RUN;
        }
        // recorded here even where it is not handled (a bulk run's sub-routes): Camel runs the first
        // failure handling only, the routes it passes back through do not run theirs again
        Consumer<Exchange> handler = handlers.get(work);
        if (handler != null) {
            handler.accept(exchange);
        } else {
            record(exchange);
        }
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

    void record(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        SyncedRecord pair = exchange.getProperty("syncPair", SyncedRecord.class);
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

package io.github.crmsync.errors;

import io.github.crmsync.eventsync.RecordPair;
import io.github.crmsync.intercom.IntercomApiException;
import io.github.crmsync.mapping.Direction;
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

    public void record(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        RecordPair pair = exchange.getProperty("syncPair", RecordPair.class);
        String direction = exchange.getProperty("syncDirection", String.class);
        if (pair == null || direction == null) {
            LOG.error("Sync step {} failed outside any record: {}", exchange.getFromRouteId(), String.valueOf(failure));
            return;
        }
        String code = failure == null ? "UNKNOWN" : failure.getClass().getSimpleName();
        String message = failure == null ? "unknown failure" : String.valueOf(failure.getMessage());
        String details = null;
        if (failure instanceof IntercomApiException e) {
            code = e.code() != null ? e.code() : "HTTP_" + e.status();
            message = e.getMessage();
            details = e.responseBody();
        } else if (failure instanceof SalesforceException e && e.getErrors() != null && !e.getErrors().isEmpty()) {
            RestError first = e.getErrors().get(0);
            code = first.getErrorCode();
            message = first.getMessage();
            details = String.valueOf(e.getErrors());
        }
        store.record(new SyncError(exchange.getProperty("syncType", "EVENT", String.class), Direction.valueOf(direction),
                pair.objectType(), pair.salesforceId(), pair.intercomId(), List.of(), code, message, details));
    }
}

package io.github.crmsync;

import io.github.crmsync.bulksync.BulkSync;
import io.github.crmsync.errors.CircuitBreakers;
import io.github.crmsync.errors.FailedWork;
import io.github.crmsync.errors.Redelivery;
import io.github.crmsync.errors.SyncErrorStore;
import io.github.crmsync.errors.SyncFailures;
import io.github.crmsync.eventsync.IntercomToSalesforce;
import io.github.crmsync.eventsync.SalesforceToIntercom;
import io.github.crmsync.metrics.SyncMetrics;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.Exchange;
import org.apache.camel.PropertyInject;
import org.apache.camel.model.errorhandler.DefaultErrorHandlerDefinition;
import org.apache.camel.model.errorhandler.NoErrorHandlerDefinition;

import javax.sql.DataSource;
import java.time.Duration;

/**
 * Failures: the circuit breakers of both systems, redelivery, the stored sync errors, and who
 * handles which failed work once the one {@code sync-errors} routeConfiguration has given up.
 */
public class ErrorsConfiguration implements CamelConfiguration {

    @BindToRegistry(value = "circuitBreakers", lazy = true)
    public CircuitBreakers circuitBreakers(
            @PropertyInject(value = "crmsync.retry.circuit-open-ms", defaultValue = "10000") long openMillis) {
        return new CircuitBreakers(Duration.ofMillis(openMillis));
    }

    @BindToRegistry(value = "salesforceCircuitBreaker", lazy = true)
    public CircuitBreaker salesforceCircuitBreaker(CircuitBreakers breakers) {
        return breakers.salesforce();
    }

    @BindToRegistry(value = "intercomCircuitBreaker", lazy = true)
    public CircuitBreaker intercomCircuitBreaker(CircuitBreakers breakers) {
        return breakers.intercom();
    }

    @BindToRegistry(value = "redelivery", lazy = true)
    public Redelivery redelivery(
            @PropertyInject(value = "crmsync.retry.max-redeliveries", defaultValue = "5") int maxRedeliveries,
            SyncMetrics metrics) {
        return new Redelivery(maxRedeliveries, metrics);
    }

    /** The error handler of a Salesforce call route (salesforce-api.camel.yaml) that is a step of its sender. */
    @BindToRegistry(value = "salesforceCallAsStep", lazy = true)
    public NoErrorHandlerDefinition salesforceCallAsStep() {
        return new NoErrorHandlerDefinition();
    }

    /** The error handler of a Salesforce call route that retries transient failures itself. */
    @BindToRegistry(value = "salesforceCallWithRetries", lazy = true)
    public DefaultErrorHandlerDefinition salesforceCallWithRetries() {
        return new DefaultErrorHandlerDefinition();
    }

    @BindToRegistry(value = "syncErrorStore", lazy = true)
    public SyncErrorStore syncErrorStore(DataSource dataSource, SyncMetrics metrics) {
        return new SyncErrorStore(dataSource, metrics);
    }

    /** Failed work, by kind, to the part that records it (routes/error-handling.camel.yaml). */
    @BindToRegistry(value = "syncFailures", lazy = true)
    public SyncFailures syncFailures(SyncErrorStore errors, IntercomToSalesforce intercomToSalesforce,
                                     SalesforceToIntercom salesforceToIntercom, BulkSync bulkSync) {
        return new SyncFailures(errors)
                .on(FailedWork.EVENT_BATCH, exchange -> intercomToSalesforce.failed(
                        exchange.getProperty("batch", IntercomToSalesforce.Batch.class),
                        exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class),
                        Redelivery.attempts(exchange)))
                .on(FailedWork.PAGE, exchange -> salesforceToIntercom.pageFailed(exchange.getProperty("syncPage", String.class),
                        exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class)))
                .on(FailedWork.BULK_BATCH, bulkSync::salesforceBatchFailed)
                .on(FailedWork.BULK_INTERCOM_WRITE, bulkSync::intercomWriteFailed)
                .on(FailedWork.BULK_RUN, bulkSync::fail);
    }
}

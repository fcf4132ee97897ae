package io.github.crmsync.testing;

import io.github.crmsync.errors.CircuitBreakers;
import io.github.crmsync.errors.Redelivery;
import io.github.crmsync.errors.SyncFailures;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.apache.camel.BindToRegistry;
import org.apache.camel.model.errorhandler.DefaultErrorHandlerDefinition;
import org.apache.camel.model.errorhandler.NoErrorHandlerDefinition;

import java.time.Duration;

/**
 * The beans of the sync-errors handling (routes/error-handling.camel.yaml) and of the salesforce-call
 * template (routes/salesforce-api.camel.yaml), for the route tests that load them: two redeliveries,
 * failures recorded nowhere, a Salesforce breaker that stays open for the length of a test.
 */
public abstract class SyncErrorHandlingRouteTest {

    @BindToRegistry("redelivery")
    protected final Redelivery redelivery = new Redelivery(2);
    @BindToRegistry("syncFailures")
    protected final SyncFailures syncFailures = new SyncFailures(null);
    @BindToRegistry("salesforceCircuitBreaker")
    protected final CircuitBreaker salesforceBreaker = new CircuitBreakers(Duration.ofMinutes(5)).salesforce();
    @BindToRegistry("salesforceCallAsStep")
    protected final NoErrorHandlerDefinition salesforceCallAsStep = new NoErrorHandlerDefinition();
    @BindToRegistry("salesforceCallWithRetries")
    protected final DefaultErrorHandlerDefinition salesforceCallWithRetries = new DefaultErrorHandlerDefinition();
}

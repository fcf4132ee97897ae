package io.github.crmsync.quota;

import io.github.crmsync.errors.FailureClassifier;
import io.github.crmsync.metrics.SyncMetrics;
import io.github.crmsync.salesforce.SalesforceLimitInfo;
import org.apache.camel.Exchange;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;

/**
 * Sees every exchange sent to a {@code salesforce:} endpoint, counts it as one API call of the route
 * whose budget it spends and records the org usage its {@code Sforce-Limit-Info} header reports.
 * The calls are made by the call routes of {@code salesforce-api.camel.yaml}, which name that route
 * in the exchange property {@value #COUNTS_AS} (their {@code countsAs} parameter).
 */
public final class SalesforceCallCounter extends EventNotifierSupport {

    /** The exchange property naming the route a Salesforce call counts in. */
    public static final String COUNTS_AS = "salesforceCallOf";

    private final SalesforceApiUsage usage;
    private final SyncMetrics metrics;

    public SalesforceCallCounter(SalesforceApiUsage usage) {
        this(usage, SyncMetrics.none());
    }

    public SalesforceCallCounter(SalesforceApiUsage usage, SyncMetrics metrics) {
        this.usage = usage;
        this.metrics = metrics;
        setIgnoreCamelContextEvents(true);
        setIgnoreRouteEvents(true);
        setIgnoreServiceEvents(true);
        setIgnoreExchangeCreatedEvent(true);
        setIgnoreExchangeCompletedEvent(true);
        setIgnoreExchangeFailedEvents(true);
        setIgnoreExchangeRedeliveryEvents(true);
        setIgnoreStepEvents(true);
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        // Camel emits the "sent" event only when a notifier took the "sending" one, so take both
        return event instanceof CamelEvent.ExchangeSendingEvent sending
                ? sending.getEndpoint().getEndpointUri().startsWith("salesforce:")
                : event instanceof CamelEvent.ExchangeSentEvent sent && sent.getEndpoint().getEndpointUri().startsWith("salesforce:");
    }

    @Override
    public void notify(CamelEvent event) {
        if (!(event instanceof CamelEvent.ExchangeSentEvent sent)) {
            return;
        }
        Exchange exchange = sent.getExchange();
        String route = routeOf(exchange);
        usage.countCall(route);
        metrics.salesforceCall(route);
        if (FailureClassifier.limitExceeded(exchange.getException())) {
            usage.recordLimitExceeded();
            return;
        }
        SalesforceLimitInfo.parse(exchange.getMessage().getHeader(SalesforceLimitInfo.HEADER, String.class))
                .ifPresent(info -> usage.recordOrgUsage(info, "response"));
    }

    /**
     * The route the call counts in: the one its call route names, else the one running now (which for a
     * direct: sub-route is not the one the exchange came from).
     */
    private static String routeOf(Exchange exchange) {
        String countsAs = exchange.getProperty(COUNTS_AS, String.class);
        if (countsAs != null && !countsAs.isBlank()) {
            return countsAs;
        }
        var unitOfWork = exchange.getUnitOfWork();
        if (unitOfWork != null && unitOfWork.getRoute() != null) {
            return unitOfWork.getRoute().getRouteId();
        }
        return exchange.getFromRouteId();
    }
}

package io.github.crmsync.errors;

import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.apache.camel.spi.UnitOfWork;

import java.util.function.Function;

/**
 * What a failure in a sync route failed to do, read from the exchange properties the routes set:
 * the sync-errors configuration retries and records a failure according to it.
 */
public enum FailedWork {

    /** A call route (group {@value #CALL_ROUTES}) that retries on its own (routes/salesforce-api.camel.yaml): once its retries are spent, handed back to the sender. */
    CALL,
    /** One record's sync (property {@code syncPair}): a row in the sync-errors list. */
    RECORD,
    /** A bulk run's Collections call (property {@code bulkBatch}): its records become BULK rows, the run goes on. */
    BULK_BATCH,
    /** A bulk run's write to one Intercom contact (property {@code bulkIntercomPatch}): a BULK row, the run goes on. */
    BULK_INTERCOM_WRITE,
    /** A bulk run's read (property {@code bulkRead}: a page of Intercom contacts, the live schemas): once its redeliveries are spent, the run fails (the step it is handed back to stops). */
    BULK_READ,
    /** An event-sync batch of Intercom changes (property {@code batch}): given back, or its records become rows. */
    EVENT_BATCH,
    /** A page of changed Salesforce records (property {@code syncPage}): counted, taken up again by the next poll. */
    PAGE,
    /** A bulk run (property {@code bulkRunId}) outside a batch: never retried; the run ends FAILED with the reason. */
    BULK_RUN,
    /** A poll or read as a whole: a warning, taken up again by the next run. */
    STEP;

    public static FailedWork of(Exchange exchange) {
        return of(inCallRoute(exchange), exchange::getProperty);
    }

    static FailedWork of(boolean inCallRoute, Function<String, Object> property) {
        if (inCallRoute) {
            return CALL;
        }
        if (property.apply("syncPair") != null) {
            return RECORD;
        }
        if (property.apply("bulkBatch") != null) {
            return BULK_BATCH;
        }
        if (property.apply("bulkIntercomPatch") != null) {
            return BULK_INTERCOM_WRITE;
        }
        if (property.apply("bulkRead") != null) {
            return BULK_READ;
        }
        if (property.apply("batch") != null) {
            return EVENT_BATCH;
        }
        if (property.apply("syncPage") != null) {
            return PAGE;
        }
        if (property.apply("bulkRunId") != null) {
            return BULK_RUN;
        }
        return STEP;
    }

    /** Whether a failure of this work is tried again at all (transient failures only, see {@link Redelivery}). */
    public boolean retried() {
        // a run's steps are long (staging, the diff): its Salesforce reads retry on their own, the run does not
        return this != BULK_RUN;
    }

    /**
     * Whether the route where the failure is handled ends it. A call (and a bulk run's read)
     * hands its failure back to whoever called; a bulk run's failure ends where the run began: its sub-routes record it and
     * hand it back, so that the run's route stops rather than go on to its next step.
     */
    public boolean handledIn(boolean routeStartedExchange) {
        return switch (this) {
            case CALL, BULK_READ -> false;
            case BULK_RUN -> routeStartedExchange;
            default -> true;
        };
    }

    /** The route group of the call routes: the salesforce-call and intercom-call templates set it. */
    public static final String CALL_ROUTES = "calls";

    /**
     * Whether a route is a call route (one remote call, see routes/salesforce-api.camel.yaml): marked so
     * by its template's group, as other routes made from templates (the polls) are flows of their own.
     */
    public static boolean isCallRoute(Route route) {
        return route != null && CALL_ROUTES.equals(route.getGroup());
    }

    static boolean inCallRoute(Exchange exchange) {
        return isCallRoute(currentRoute(exchange));
    }

    /** Whether the route now running is the one the exchange began in (not a direct: sub-route of it). */
    static boolean routeStartedExchange(Exchange exchange) {
        Route route = currentRoute(exchange);
        return route == null || route.getRouteId().equals(exchange.getFromRouteId());
    }

    private static Route currentRoute(Exchange exchange) {
        UnitOfWork unitOfWork = exchange.getUnitOfWork();
        return unitOfWork == null ? null : unitOfWork.getRoute();
    }
}

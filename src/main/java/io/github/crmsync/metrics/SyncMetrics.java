package io.github.crmsync.metrics;

import io.github.crmsync.mapping.Direction;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.util.function.Supplier;

/**
 * The service's business metrics, in one place: the beans report what happened, this class names
 * the meters. Exported on {@code /observe/metrics} as {@code crmsync_*}; every meter carries a
 * {@code replica} tag, so a dashboard can tell replicas apart or add them up.
 */
public final class SyncMetrics {

    public static final String RECORDS_SYNCED = "crmsync.records.synced";
    public static final String SYNC_ERRORS = "crmsync.sync.errors";
    public static final String SALESFORCE_API_CALLS = "crmsync.salesforce.api.calls";
    public static final String INTERCOM_REQUESTS = "crmsync.intercom.requests";
    public static final String INTERCOM_RATE_LIMITED = "crmsync.intercom.rate.limited";
    public static final String REDELIVERIES = "crmsync.redeliveries";
    public static final String ORG_CONSUMPTION = "crmsync.salesforce.org.consumption.ratio";
    public static final String API_TIER = "crmsync.salesforce.api.tier";
    public static final String BULK_RUN_PROCESSED = "crmsync.bulk.run.processed";
    public static final String BULK_RUN_TOTAL = "crmsync.bulk.run.records";
    public static final String EVENT_SYNC_POLL_AGE = "crmsync.event.sync.poll.age";
    public static final String EVENT_SYNC_OLDEST_CHANGE_AGE = "crmsync.event.sync.oldest.change.age";
    public static final String CIRCUIT_BREAKER_STATE = "crmsync.circuit.breaker.state";

    private final MeterRegistry registry;
    private final Tags replica;

    public SyncMetrics(MeterRegistry registry, String replicaId) {
        this.registry = registry;
        this.replica = Tags.of("replica", replicaId);
    }

    /** Metrics kept nowhere visible: for beans built without a registry (unit tests, tools). */
    public static SyncMetrics none() {
        return new SyncMetrics(new SimpleMeterRegistry(), "none");
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Records written to the target system (one record = one contact or Lead/Contact updated). */
    public void recordsSynced(Direction direction, String syncType, int count) {
        Counter.builder(RECORDS_SYNCED).description("Records written to the other system")
                .tag("direction", direction.name()).tag("sync_type", syncType)
                .tags(replica).register(registry).increment(count);
    }

    /** A record's sync failed and was recorded in the sync-errors list. */
    public void syncError(Direction direction, String syncType, String code) {
        Counter.builder(SYNC_ERRORS).description("Record syncs that failed, by the remote system's error code")
                .tag("direction", direction.name()).tag("sync_type", syncType).tag("code", code == null ? "UNKNOWN" : code)
                .tags(replica).register(registry).increment();
    }

    /** One call to the Salesforce API, made by a route. */
    public void salesforceCall(String routeId) {
        Counter.builder(SALESFORCE_API_CALLS).description("Salesforce API calls made by this replica")
                .tag("route", routeId == null ? "unknown" : routeId)
                .tags(replica).register(registry).increment();
    }

    /** One request sent to Intercom (retries included), and whether Intercom refused it with 429. */
    public void intercomRequest(int status) {
        Counter.builder(INTERCOM_REQUESTS).description("Requests sent to Intercom by this replica")
                .tags(replica).register(registry).increment();
        if (status == 429) {
            Counter.builder(INTERCOM_RATE_LIMITED).description("Intercom requests answered 429 Too Many Requests")
                    .tags(replica).register(registry).increment();
        }
    }

    /** A sync step that failed for a transient reason is tried again (the routes' redelivery), by route. */
    public void redelivery(String routeId) {
        Counter.builder(REDELIVERIES).description("Sync steps tried again after a transient failure, by route")
                .tag("route", routeId == null ? "unknown" : routeId)
                .tags(replica).register(registry).increment();
    }

    /**
     * The org's 24-hour API consumption as Salesforce last reported it (0..1), read when scraped;
     * NaN before the first report.
     */
    public void orgConsumption(Supplier<Double> ratio) {
        Gauge.builder(ORG_CONSUMPTION, ratio, r -> {
                    Double value = r.get();
                    return value == null ? Double.NaN : value;
                })
                .description("The Salesforce org's consumption of its daily API requests, as last reported")
                .strongReference(true).tags(replica).register(registry);
    }

    /**
     * The Salesforce API-usage tier, read when scraped: 0 everything runs, 1 no bulk sync, 2 inbox app
     * only (the {@code UsageTier} order), so an alert can fire on {@code crmsync_salesforce_api_tier >= 2}.
     */
    public void apiTier(Supplier<Integer> level) {
        Gauge.builder(API_TIER, level, l -> l.get())
                .description("Salesforce API-usage tier: 0 all, 1 no bulk sync, 2 inbox app only")
                .strongReference(true).tags(replica).register(registry);
    }

    /**
     * The active bulk run's progress, read from the database when scraped (so every replica shows the
     * cluster's run): records processed and the run's total, both 0 while no run is active.
     */
    public void bulkRunProgress(Supplier<long[]> processedAndTotal) {
        Gauge.builder(BULK_RUN_PROCESSED, processedAndTotal, p -> p.get()[0])
                .description("Records the active bulk sync run has processed (0 when none runs)")
                .strongReference(true).tags(replica).register(registry);
        Gauge.builder(BULK_RUN_TOTAL, processedAndTotal, p -> p.get()[1])
                .description("Records the active bulk sync run has to process (0 when none runs)")
                .strongReference(true).tags(replica).register(registry);
    }

    /**
     * Event-sync lag, read when scraped: the age of a poll's watermark (seconds since that poll last
     * read every page; NaN while event sync follows nothing in that direction), tagged by direction
     * and object type ({@code ALL} for the Intercom poll, which covers users and leads).
     */
    public void eventSyncPollAge(Direction direction, String objectType, Supplier<Double> seconds) {
        Gauge.builder(EVENT_SYNC_POLL_AGE, seconds, s -> {
                    Double value = s.get();
                    return value == null ? Double.NaN : value;
                })
                .description("Seconds since the event-sync poll last read every change (grows while a poll stalls)")
                .baseUnit("seconds").tag("direction", direction.name()).tag("object_type", objectType)
                .strongReference(true).tags(replica).register(registry);
    }

    /** Event-sync lag, read when scraped: how long the oldest Intercom change not yet in Salesforce has waited. */
    public void eventSyncOldestChangeAge(Supplier<Double> seconds) {
        Gauge.builder(EVENT_SYNC_OLDEST_CHANGE_AGE, seconds, s -> {
                    Double value = s.get();
                    return value == null ? Double.NaN : value;
                })
                .description("Seconds the oldest Intercom change not yet written to Salesforce has waited (0: none waits)")
                .baseUnit("seconds").tag("direction", Direction.INTERCOM_TO_SALESFORCE.name())
                .strongReference(true).tags(replica).register(registry);
    }

    /**
     * A remote system's circuit breaker, read when scraped: 0 closed, 1 half-open (trying calls
     * again), 2 open (this replica holds its calls to that system back).
     */
    public void circuitBreakerState(String breaker, Supplier<BreakerState> state) {
        Gauge.builder(CIRCUIT_BREAKER_STATE, state, s -> s.get().ordinal())
                .description("Circuit breaker of calls to a remote system: 0 closed, 1 half-open, 2 open")
                .tag("breaker", breaker).strongReference(true).tags(replica).register(registry);
    }

    /** The states a dashboard tells apart, in the order of their gauge values. */
    public enum BreakerState { CLOSED, HALF_OPEN, OPEN }
}

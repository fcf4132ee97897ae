package io.github.crmsync.quota;

import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.apache.camel.component.quartz.QuartzComponent;
import org.apache.camel.component.quartz.QuartzEndpoint;
import org.apache.camel.support.RoutePolicySupport;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Event sync runs only while the API-usage tier allows it, and a bulk run goes on from one batch to
 * the next only while it allows a bulk sync ({@link #bulkSyncAllowed}, which the bulk routes ask at
 * every batch boundary). Event-sync routes name this policy
 * ({@code routePolicy: apiQuotaPolicy}): the Quartz triggers of their consumers are paused and
 * resumed in the clustered job store (so on every replica at once; suspending a Quartz consumer would
 * make the cluster drop its fires instead), and an exchange that starts while event sync may not run
 * (a timer tick, a fire racing the pause) stops before its first step. Webhooks are not governed:
 * they keep being stored and are written when the tier allows again.
 * <p>
 * The tier is worked out from the figures in the database, so every replica comes to the same one.
 */
public final class ApiQuotaPolicy extends RoutePolicySupport implements CamelContextAware {

    private static final Logger LOG = LoggerFactory.getLogger(ApiQuotaPolicy.class);

    private final Supplier<SalesforceUsageReport> figures;
    private final Duration checkEvery;
    private final List<Route> routes = new CopyOnWriteArrayList<>();
    private CamelContext context;
    private ScheduledExecutorService checks;
    private volatile SalesforceUsageReport last;
    private volatile long lastCheckNanos;
    private final List<BiConsumer<SalesforceUsageReport, SalesforceUsageReport>> tierListeners = new CopyOnWriteArrayList<>();

    public ApiQuotaPolicy(Supplier<SalesforceUsageReport> figures, Duration checkEvery) {
        this.figures = figures;
        this.checkEvery = checkEvery;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.context = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return context;
    }

    @Override
    public void onInit(Route route) {
        routes.add(route);
    }

    @Override
    public void onStart(Route route) {
        // a route (re)started while the tier forbids event sync gets its trigger paused at once
        if (last != null) {
            enforce(last.tier());
        }
    }

    @Override
    public void onExchangeBegin(Route route, Exchange exchange) {
        if (!eventSyncAllowed()) {
            exchange.setRouteStop(true);
        }
    }

    /** Whether event sync may run now (re-reads the figures when the last reading is older than the check interval). */
    public boolean eventSyncAllowed() {
        SalesforceUsageReport figures = last;
        if (figures == null || System.nanoTime() - lastCheckNanos > checkEvery.toNanos()) {
            figures = check();
        }
        return figures.tier().allows().contains("EVENT_SYNC");
    }

    /**
     * Whether a bulk sync may run (re-reads the figures when the last reading is older than the check
     * interval): what a bulk run asks at each batch boundary, and waits while it is false.
     */
    public boolean bulkSyncAllowed() {
        SalesforceUsageReport figures = last;
        if (figures == null || System.nanoTime() - lastCheckNanos > checkEvery.toNanos()) {
            figures = check();
        }
        return figures.tier().allows().contains("BULK_SYNC");
    }

    /** Whether a bulk sync may run, from a fresh reading of the figures, kept as the policy's (what a start request asks). */
    public boolean bulkSyncAllowedNow() {
        return check().tier().allows().contains("BULK_SYNC");
    }

    /** Whether event sync may run, from a fresh reading of the figures (what "poll now" asks). */
    public boolean eventSyncAllowedNow() {
        return check().tier().allows().contains("EVENT_SYNC");
    }

    /** Told of each tier change after the first reading (before, now); it must not block: checks run on sync threads. */
    public void onTierChange(BiConsumer<SalesforceUsageReport, SalesforceUsageReport> listener) {
        tierListeners.add(listener);
    }

    /** The last reading of the figures (null before the first). */
    public SalesforceUsageReport lastFigures() {
        return last;
    }

    /** Reads the figures, logs a tier change, and pauses or resumes the governed triggers to match. */
    public synchronized SalesforceUsageReport check() {
        SalesforceUsageReport now = figures.get();
        SalesforceUsageReport before = last;
        last = now;
        lastCheckNanos = System.nanoTime();
        if (before == null || before.tier() != now.tier()) {
            LOG.info("Salesforce API tier {} -> {}: {} of the org's {} daily calls used ({}), this service {}{}",
                    before == null ? "(start)" : before.tier(), now.tier(), now.orgUsed(), now.limit(), percent(now),
                    now.ownUsed(), now.allocation() == null ? "" : " of its allocation " + now.allocation());
            if (before != null) {
                tierListeners.forEach(listener -> listener.accept(before, now));
            }
        }
        enforce(now.tier());
        return now;
    }

    /** Starts the periodic check (once the context runs: a route's stop must not end it). */
    public synchronized void startChecks() {
        if (checks == null) {
            checks = context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "api-quota-policy");
            checks.scheduleWithFixedDelay(this::checkQuietly, 0, checkEvery.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    public synchronized void stopChecks() {
        if (checks != null) {
            context.getExecutorServiceManager().shutdownNow(checks);
            checks = null;
        }
    }

    private void checkQuietly() {
        try {
            check();
        } catch (RuntimeException e) {
            // the database may be briefly away: keep the triggers as they are and look again next time
            LOG.warn("Could not check the Salesforce API tier: {}", e.getMessage());
        }
    }

    private void enforce(UsageTier tier) {
        boolean allowed = tier.allows().contains("EVENT_SYNC");
        Scheduler scheduler = scheduler();
        if (scheduler == null) {
            return;
        }
        for (Route route : routes) {
            if (!(route.getEndpoint() instanceof QuartzEndpoint quartz) || quartz.getTriggerKey() == null) {
                continue;
            }
            TriggerKey key = quartz.getTriggerKey();
            try {
                Trigger.TriggerState state = scheduler.getTriggerState(key);
                if (!allowed && state != Trigger.TriggerState.PAUSED && state != Trigger.TriggerState.NONE) {
                    scheduler.pauseTrigger(key);
                    LOG.info("Paused trigger {} of route {} (tier {})", key, route.getRouteId(), tier);
                } else if (allowed && state == Trigger.TriggerState.PAUSED) {
                    scheduler.resumeTrigger(key);
                    LOG.info("Resumed trigger {} of route {} (tier {})", key, route.getRouteId(), tier);
                }
            } catch (SchedulerException e) {
                LOG.warn("Could not pause or resume trigger {}: {}", key, e.getMessage());
            }
        }
    }

    private Scheduler scheduler() {
        if (context == null || context.hasComponent("quartz") == null) {
            return null;
        }
        return context.getComponent("quartz", QuartzComponent.class).getScheduler();
    }

    private static String percent(SalesforceUsageReport figures) {
        return figures.limit() == null || figures.limit() == 0 ? "no reading yet"
                : String.format(Locale.ROOT, "%.1f %%", 100.0 * figures.orgUsed() / figures.limit());
    }
}

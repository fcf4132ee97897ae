package io.github.crmsync;

import io.github.crmsync.alerts.AlertMessages;
import io.github.crmsync.alerts.AlertRules;
import io.github.crmsync.alerts.AlertSettingsStore;
import io.github.crmsync.alerts.Alerts;
import io.github.crmsync.alerts.BreakerWatch;
import io.github.crmsync.alerts.QuietPeriod;
import io.github.crmsync.alerts.SyncErrorCount;
import io.github.crmsync.bulksync.BulkRunStore;
import io.github.crmsync.errors.CircuitBreakers;
import io.github.crmsync.eventsync.EventSyncLag;
import io.github.crmsync.mapping.ObjectType;
import io.github.crmsync.quota.ApiQuotaPolicy;
import io.github.crmsync.quota.SalesforceUsageReport;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.http.HttpComponent;

import javax.sql.DataSource;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Alerts (routes/alerts.camel.yaml): the stored settings, the quiet period, what a check reads, and
 * the webhook's own HTTP client, apart from Intercom's pool, with short timeouts.
 */
public class AlertsConfiguration implements CamelConfiguration {

    /** The scheme of the webhook's HTTP component (routes/alerts.camel.yaml sends to {@code alert-webhook-http:…}). */
    static final String WEBHOOK_HTTP = "alert-webhook-http";

    @BindToRegistry(value = "alertSettingsStore", lazy = true)
    public AlertSettingsStore alertSettingsStore(DataSource dataSource) {
        return new AlertSettingsStore(dataSource);
    }

    /** Since when each circuit breaker has not been closed, told by the breakers themselves. */
    @BindToRegistry(value = "breakerWatch", lazy = true)
    public BreakerWatch breakerWatch(CircuitBreakers breakers) {
        BreakerWatch watch = new BreakerWatch();
        for (CircuitBreaker breaker : List.of(breakers.salesforce(), breakers.intercom())) {
            breaker.getEventPublisher().onStateTransition(event -> watch.transition(event.getCircuitBreakerName(),
                    event.getStateTransition().getToState().name(), event.getCreationTime().toInstant()));
        }
        return watch;
    }

    @BindToRegistry(value = "alerts", lazy = true)
    public Alerts alerts(CamelContext context, DataSource dataSource, ServiceSettings settings, AlertSettingsStore store,
                         BreakerWatch breakers, EventSyncLag lag, BulkRunStore runs) {
        SyncErrorCount errors = new SyncErrorCount(dataSource);
        Alerts.Sources sources = new Alerts.Sources() {
            @Override
            public long syncErrorsLastHour() {
                return errors.lastHour();
            }

            @Override
            public List<AlertRules.Lag> lag() {
                List<AlertRules.Lag> figures = new ArrayList<>();
                for (ObjectType type : ObjectType.values()) {
                    String name = type.name().charAt(0) + type.name().substring(1).toLowerCase(Locale.ROOT);
                    double seconds = lag.salesforcePollSeconds(type);
                    figures.add(new AlertRules.Lag(String.format(Locale.ROOT,
                            "the Salesforce %s poll last read to the end %.0f s ago", name, seconds), seconds));
                }
                double intercom = lag.intercomPollSeconds();
                figures.add(new AlertRules.Lag(String.format(Locale.ROOT,
                        "the Intercom poll last read to the end %.0f s ago", intercom), intercom));
                double oldest = lag.oldestIntercomChangeSeconds();
                figures.add(new AlertRules.Lag(String.format(Locale.ROOT,
                        "the oldest Intercom change not yet in Salesforce has waited %.0f s", oldest), oldest));
                return figures;
            }

            @Override
            public List<AlertRules.OpenBreaker> breakers() {
                return breakers.notClosed();
            }

            @Override
            public List<AlertRules.FailedRun> failedRuns() {
                return runs.recent(5).stream().filter(r -> "FAILED".equals(r.status())).sorted((a, b) -> Long.compare(a.id(), b.id()))
                        .map(r -> new AlertRules.FailedRun(r.id(), r.startedBy(), r.startedAt(), r.finishedAt(), r.processed(),
                                r.total(), r.failureMessage()))
                        .toList();
            }
        };
        return new Alerts(store, new QuietPeriod(dataSource), new AlertMessages(publicUrl(context), settings.replicaId()),
                sources, Clock.systemUTC(), settings.replicaId());
    }

    /**
     * The webhook's HTTP client: its own connections (not Intercom's pool, nor its retry), no
     * redirects, and every timeout at {@code crmsync.alerts.send-timeout-ms}, so a slow receiver
     * holds up only the alerts' own timer thread, and that briefly.
     */
    @BindToRegistry(value = WEBHOOK_HTTP, lazy = true)
    public HttpComponent alertWebhookHttp(CamelContext context) {
        long timeout = Configured.positive(context, "crmsync.alerts.send-timeout-ms", 5_000);
        HttpComponent http = new HttpComponent();
        http.setConnectTimeout(timeout);
        http.setConnectionRequestTimeout(timeout);
        http.setResponseTimeout(timeout);
        http.setSoTimeout(timeout);
        http.setFollowRedirects(false);
        http.setMaxTotalConnections(4);
        http.setConnectionsPerRoute(2);
        return http;
    }

    @Override
    public void configure(CamelContext context) {
        Alerts alerts = Configured.bean(context, Alerts.class);
        Configured.bean(context, ApiQuotaPolicy.class).onTierChange((before, now) -> alerts.tierChanged(change(before, now)));
    }

    private static AlertRules.TierChange change(SalesforceUsageReport before, SalesforceUsageReport now) {
        return new AlertRules.TierChange(before.tier().name(), now.tier().name(), now.orgUsed(), now.limit(), now.ownUsed(),
                now.allocation(), String.join(", ", now.tier().allows()));
    }

    /** Where operators open the service: crmsync.public-url, else the service's own address (as the bulk summary's link). */
    static String publicUrl(CamelContext context) {
        return Configured.property(context, "crmsync.public-url").orElse("http://127.0.0.1:"
                + context.getPropertiesComponent().resolveProperty("camel.server.port").orElse("8080"));
    }
}

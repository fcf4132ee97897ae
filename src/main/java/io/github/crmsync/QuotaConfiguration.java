package io.github.crmsync;

import io.github.crmsync.admin.SalesforceUsageApi;
import io.github.crmsync.admin.SettingsApi;
import io.github.crmsync.alerts.AlertSettingsStore;
import io.github.crmsync.bulksync.BulkRunGuard;
import io.github.crmsync.metrics.SyncMetrics;
import io.github.crmsync.quota.ApiQuotaPolicy;
import io.github.crmsync.quota.CurrentTier;
import io.github.crmsync.quota.QuotaSettings;
import io.github.crmsync.quota.QuotaSettingsStore;
import io.github.crmsync.quota.SalesforceApiUsage;
import io.github.crmsync.quota.SalesforceCallCounter;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.PropertyInject;
import org.apache.camel.StartupListener;
import org.apache.camel.support.LifecycleStrategySupport;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.time.Clock;
import java.time.Duration;

/** The API budget: the counted Salesforce calls, stored settings, the usage figures, the tier and the route policy that acts on it. */
public class QuotaConfiguration implements CamelConfiguration {

    @BindToRegistry(value = "salesforceApiUsage", lazy = true)
    public SalesforceApiUsage salesforceApiUsage(DataSource dataSource, SyncMetrics metrics) {
        SalesforceApiUsage usage = new SalesforceApiUsage(dataSource, Clock.systemUTC());
        metrics.orgConsumption(() -> usage.lastOrgUsage()
                .map(info -> info.max() > 0 ? (double) info.used() / info.max() : null).orElse(null));
        return usage;
    }

    @BindToRegistry(value = "quotaSettingsStore", lazy = true)
    public QuotaSettingsStore quotaSettingsStore(DataSource dataSource, ServiceSettings settings) {
        return new QuotaSettingsStore(dataSource, new QuotaSettings(
                (int) Math.round(settings.quotaLowerThreshold() * 100), (int) Math.round(settings.quotaUpperThreshold() * 100),
                settings.quotaAllocation()));
    }

    @BindToRegistry(value = "salesforceUsageApi", lazy = true)
    public SalesforceUsageApi salesforceUsageApi(SalesforceApiUsage usage, QuotaSettingsStore store, ServiceSettings settings) {
        return new SalesforceUsageApi(usage, Clock.systemUTC(), store::current,
                Duration.ofMillis(settings.quotaIdleBeforeLimitsPollMillis()));
    }

    /** Saving settings that would stop a running bulk sync asks the bulk-run guard first. */
    @BindToRegistry(value = "settingsApi", lazy = true)
    public SettingsApi settingsApi(QuotaSettingsStore store, AlertSettingsStore alerts, BulkRunGuard guard) {
        return new SettingsApi(store, alerts, guard::allowSave);
    }

    /** The tier as the quota policy sees it (a REQUEST_LIMIT_EXCEEDED answer included). */
    @BindToRegistry(value = "currentTier", lazy = true)
    public CurrentTier currentTier(SalesforceUsageApi usageApi, SyncMetrics metrics) {
        CurrentTier tier = new CurrentTier(usageApi::report);
        metrics.apiTier(() -> tier.get().ordinal());
        return tier;
    }

    @BindToRegistry(value = "apiQuotaPolicy", lazy = true)
    public ApiQuotaPolicy apiQuotaPolicy(CamelContext context, SalesforceUsageApi usageApi,
                                         @PropertyInject(value = "crmsync.quota.tier-check-ms", defaultValue = "2000") long checkMillis) {
        ApiQuotaPolicy policy = new ApiQuotaPolicy(usageApi::report, Duration.ofMillis(checkMillis));
        policy.setCamelContext(context);
        return policy;
    }

    @Override
    public void configure(CamelContext context) throws Exception {
        SalesforceUsageApi usageApi = Configured.bean(context, SalesforceUsageApi.class);
        ApiQuotaPolicy policy = Configured.bean(context, ApiQuotaPolicy.class);
        // added as the context starts, before its routes: Camel Main settles its management strategy
        // (and whether events are worth emitting) only after the configuration classes have run
        SalesforceCallCounter counter = new SalesforceCallCounter(Configured.bean(context, SalesforceApiUsage.class),
                Configured.bean(context, SyncMetrics.class));
        context.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onContextStarting(CamelContext starting) {
                starting.getManagementStrategy().addEventNotifier(counter);
                starting.getCamelContextExtension().setEventNotificationApplicable(true);
            }
        });
        context.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext starting, boolean alreadyStarted) {
                // the routes are not running yet: see onCamelContextFullyStarted
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext started, boolean alreadyStarted) {
                readOrgLimitsAtStart(started, usageApi);
            }
        });
        context.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onContextStarted(CamelContext started) {
                policy.startChecks();
            }

            @Override
            public void onContextStopping(CamelContext stopping) {
                policy.stopChecks();
            }
        });
    }

    /**
     * Reads {@code /limits} once (one counted Salesforce call) before the service is reported started,
     * so the usage page shows the org's budget from the first moment rather than after the first
     * poll; skipped when a reading fresher than the idle window is stored (another replica's). The
     * route turns a failure into one warning.
     */
    private static void readOrgLimitsAtStart(CamelContext context, SalesforceUsageApi usageApi) {
        try {
            if (usageApi.limitsPollDue()) {
                ProducerTemplate template = context.createProducerTemplate();
                try {
                    template.sendBody("direct:salesforce-limits-at-start", null);
                } finally {
                    template.stop();
                }
            }
        } catch (RuntimeException e) {
            LoggerFactory.getLogger(QuotaConfiguration.class).warn("Reading the org's API usage at start-up failed: {}", e.toString());
        }
    }
}

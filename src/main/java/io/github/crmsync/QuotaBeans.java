package io.github.crmsync;

import io.github.crmsync.admin.SalesforceUsageApi;
import io.github.crmsync.admin.ServiceOperations;
import io.github.crmsync.admin.SettingsApi;
import io.github.crmsync.bulksync.BulkRunGuard;
import io.github.crmsync.quota.ApiQuotaPolicy;
import io.github.crmsync.quota.CurrentTier;
import io.github.crmsync.quota.QuotaSettings;
import io.github.crmsync.quota.QuotaSettingsStore;
import io.github.crmsync.quota.SalesforceApiUsage;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.StartupListener;
import org.apache.camel.spi.ManagementAgent;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.LifecycleStrategySupport;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.time.Clock;
import java.time.Duration;

/** The API-budget beans: stored settings, the usage figures, the tier and the route policy that acts on it. */
final class QuotaBeans {

    private QuotaBeans() {
    }

    /** The API-budget beans other wiring needs. */
    record Quota(SalesforceUsageApi usageApi, QuotaSettingsStore store, SettingsApi settingsApi, ApiQuotaPolicy policy,
                 CurrentTier currentTier) {
    }

    static Quota bind(CamelContext context, ServiceSettings settings, DataSource dataSource, SalesforceApiUsage usage,
                      Clock clock) {
        Registry registry = context.getRegistry();
        QuotaSettingsStore store = new QuotaSettingsStore(dataSource, new QuotaSettings(
                (int) Math.round(settings.quotaLowerThreshold() * 100), (int) Math.round(settings.quotaUpperThreshold() * 100),
                settings.quotaAllocation()));
        SalesforceUsageApi usageApi = new SalesforceUsageApi(usage, clock, store::current,
                Duration.ofMillis(settings.quotaIdleBeforeLimitsPollMillis()));
        long checkMillis = context.getPropertiesComponent().resolveProperty("crmsync.quota.tier-check-ms")
                .map(Long::parseLong).orElse(2000L);
        registry.bind("quotaSettingsStore", store);
        // the bulk-run guard is bound later, with the bulk sync's beans: looked up when a save comes
        SettingsApi settingsApi = new SettingsApi(store,
                confirm -> registry.lookupByNameAndType("bulkRunGuard", BulkRunGuard.class).allowSave(confirm));
        registry.bind("settingsApi", settingsApi);
        registry.bind("salesforceUsageApi", usageApi);
        CurrentTier currentTier = new CurrentTier(usageApi::report);
        registry.bind("currentTier", currentTier);
        ApiQuotaPolicy policy = new ApiQuotaPolicy(usageApi::report, Duration.ofMillis(checkMillis));
        policy.setCamelContext(context);
        registry.bind("apiQuotaPolicy", policy);
        addStartupListener(context, new StartupListener() {
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
        return new Quota(usageApi, store, settingsApi, policy, currentTier);
    }

    private static void addStartupListener(CamelContext context, StartupListener listener) {
        try {
            context.addStartupListener(listener);
        } catch (Exception e) {
            throw new IllegalStateException("Registering a start-up step failed", e);
        }
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
            LoggerFactory.getLogger(QuotaBeans.class).warn("Reading the org's API usage at start-up failed: {}", e.toString());
        }
    }

    /** Registers the service's managed bean once the context (and its JMX agent, when enabled) runs. */
    static void manage(CamelContext context, ServiceOperations operations) {
        context.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onContextStarted(CamelContext started) {
                ManagementAgent agent = started.getManagementStrategy().getManagementAgent();
                if (agent != null) {
                    try {
                        agent.register(operations, ServiceOperations.objectName());
                    } catch (Exception e) {
                        throw new IllegalStateException("Registering the service's MBean failed", e);
                    }
                }
            }

            @Override
            public void onContextStopping(CamelContext stopping) {
                ManagementAgent agent = stopping.getManagementStrategy().getManagementAgent();
                if (agent != null) {
                    try {
                        agent.unregister(ServiceOperations.objectName());
                    } catch (Exception ignored) {
                        // the platform server goes away with the JVM anyway
                    }
                }
            }
        });
    }
}

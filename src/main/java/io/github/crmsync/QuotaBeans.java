package io.github.crmsync;

import io.github.crmsync.admin.SalesforceUsageApi;
import io.github.crmsync.quota.ApiQuotaPolicy;
import io.github.crmsync.quota.CurrentTier;
import io.github.crmsync.quota.QuotaSettings;
import io.github.crmsync.quota.QuotaSettingsStore;
import io.github.crmsync.quota.SalesforceApiUsage;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.LifecycleStrategySupport;

import javax.sql.DataSource;
import java.time.Clock;
import java.time.Duration;

/** The API-budget beans: stored settings, the usage figures, the tier and the route policy that acts on it. */
final class QuotaBeans {

    private QuotaBeans() {
    }

    static void bind(CamelContext context, ServiceSettings settings, DataSource dataSource, SalesforceApiUsage usage,
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
        registry.bind("salesforceUsageApi", usageApi);
        registry.bind("currentTier", new CurrentTier(usageApi::report));
        ApiQuotaPolicy policy = new ApiQuotaPolicy(usageApi::report, Duration.ofMillis(checkMillis));
        policy.setCamelContext(context);
        registry.bind("apiQuotaPolicy", policy);
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
}

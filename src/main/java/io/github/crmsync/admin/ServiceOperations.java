package io.github.crmsync.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crmsync.errors.CircuitBreakers;
import io.github.crmsync.eventsync.EventSyncLag;
import io.github.crmsync.mapping.ObjectType;
import io.github.crmsync.quota.ApiQuotaPolicy;
import io.github.crmsync.quota.QuotaSettings;
import io.github.crmsync.quota.QuotaSettingsStore;
import io.github.crmsync.quota.SalesforceUsageReport;
import io.github.crmsync.requests.RequestRefused;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.api.management.ManagedAttribute;
import org.apache.camel.api.management.ManagedOperation;
import org.apache.camel.api.management.ManagedResource;

import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * The service over JMX ({@code io.github.crmsync:type=service,name=crmsync}, also through Jolokia):
 * the API-usage tier and figures, the thresholds and allocation (settable: saved in the database
 * like {@code PUT /api/settings}, so every replica takes them), the circuit breakers, the event-sync lag, "poll now"
 * and "retry errors". Camel's own MBeans carry the routes (suspend, resume).
 */
@ManagedResource(description = "intercom-salesforce-sync: API budget, event sync and sync errors")
public final class ServiceOperations {

    public static ObjectName objectName() {
        try {
            return new ObjectName("io.github.crmsync:type=service,name=crmsync");
        } catch (MalformedObjectNameException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ServiceOperations.class);

    private final ProducerTemplate template;
    private final SalesforceUsageApi usage;
    private final QuotaSettingsStore settings;
    private final SettingsApi settingsApi;
    private final ApiQuotaPolicy policy;
    private final CircuitBreakers breakers;
    private final SyncErrorsApi syncErrors;
    private volatile EventSyncLag lag;

    public ServiceOperations(ProducerTemplate template, SalesforceUsageApi usage,
                             QuotaSettingsStore settings, SettingsApi settingsApi, ApiQuotaPolicy policy,
                             CircuitBreakers breakers, SyncErrorsApi syncErrors) {
        this.template = template;
        this.usage = usage;
        this.settings = settings;
        this.settingsApi = settingsApi;
        this.policy = policy;
        this.breakers = breakers;
        this.syncErrors = syncErrors;
    }

    // --- API budget ---------------------------------------------------------------------------------

    @ManagedAttribute(description = "What may run now: ALL, NO_BULK_SYNC or INBOX_APP_ONLY (the same on every replica)")
    public String getTier() {
        return usage.report().tier().name();
    }

    @ManagedAttribute(description = "The tier as a number for gauges: 0 ALL, 1 NO_BULK_SYNC, 2 INBOX_APP_ONLY")
    public int getTierLevel() {
        return usage.report().tier().ordinal();
    }

    @ManagedAttribute(description = "Share of the org's 24-hour Salesforce API allowance used, 0..1 (-1 before the first reading)")
    public double getOrgConsumptionRatio() {
        SalesforceUsageReport report = usage.report();
        return report.limit() == null || report.limit() == 0 ? -1 : (double) report.orgUsed() / report.limit();
    }

    @ManagedAttribute(description = "The org's 24-hour API request limit (-1 before the first reading)")
    public long getOrgLimit() {
        Long limit = usage.report().limit();
        return limit == null ? -1 : limit;
    }

    @ManagedAttribute(description = "API requests the org used in the last 24 hours (-1 before the first reading)")
    public long getOrgUsed() {
        Long used = usage.report().orgUsed();
        return used == null ? -1 : used;
    }

    @ManagedAttribute(description = "API requests this service made in the rolling 24 hours")
    public long getOwnUsed() {
        return usage.report().ownUsed();
    }

    @ManagedAttribute(description = "API requests everybody else made (org minus own, never negative; -1 before the first reading)")
    public long getOthersUsed() {
        Long others = usage.report().othersUsed();
        return others == null ? -1 : others;
    }

    @ManagedAttribute(description = "When Salesforce last reported the org's usage (ISO-8601, empty before the first reading)")
    public String getObservedAt() {
        SalesforceUsageReport report = usage.report();
        return report.observedAt() == null ? "" : report.observedAt().toString();
    }

    @ManagedAttribute(description = "Whether event sync is paused by the tier")
    public boolean isEventSyncPaused() {
        return !policy.eventSyncAllowedNow();
    }

    @ManagedAttribute(description = "Org consumption (%) from which the manual bulk sync stops")
    public int getLowerThresholdPercent() {
        return settings.current().lowerThresholdPercent();
    }

    @ManagedAttribute(description = "Org consumption (%) from which the manual bulk sync stops")
    public void setLowerThresholdPercent(int percent) {
        QuotaSettings now = settings.current();
        save(new QuotaSettings(percent, now.upperThresholdPercent(), now.allocation()));
    }

    @ManagedAttribute(description = "Org consumption (%) from which event sync pauses too")
    public int getUpperThresholdPercent() {
        return settings.current().upperThresholdPercent();
    }

    @ManagedAttribute(description = "Org consumption (%) from which event sync pauses too")
    public void setUpperThresholdPercent(int percent) {
        QuotaSettings now = settings.current();
        save(new QuotaSettings(now.lowerThresholdPercent(), percent, now.allocation()));
    }

    @ManagedAttribute(description = "The most Salesforce calls this service may make in 24 hours (0: no allocation)")
    public long getAllocation() {
        Long allocation = settings.current().allocation();
        return allocation == null ? 0 : allocation;
    }

    @ManagedAttribute(description = "The most Salesforce calls this service may make in 24 hours (0: no allocation)")
    public void setAllocation(long calls) {
        QuotaSettings now = settings.current();
        save(new QuotaSettings(now.lowerThresholdPercent(), now.upperThresholdPercent(), calls <= 0 ? null : calls));
    }

    @ManagedAttribute(description = "State of each remote system's circuit breaker")
    public String getCircuitBreakers() {
        return breakers.states().toString();
    }

    /** The event-sync lag the attributes below report (set once the event-sync beans exist). */
    public void eventSyncLag(EventSyncLag lag) {
        this.lag = lag;
    }

    @ManagedAttribute(description = "Seconds since the Salesforce Contact poll last read every change (-1: not followed)")
    public double getSalesforceContactsPollAgeSeconds() {
        return lag == null ? -1 : orMinusOne(lag.salesforcePollSeconds(ObjectType.CONTACT));
    }

    @ManagedAttribute(description = "Seconds since the Salesforce Lead poll last read every change (-1: not followed)")
    public double getSalesforceLeadsPollAgeSeconds() {
        return lag == null ? -1 : orMinusOne(lag.salesforcePollSeconds(ObjectType.LEAD));
    }

    @ManagedAttribute(description = "Seconds since the Intercom poll (missed webhooks) last read every change (-1: not followed)")
    public double getIntercomPollAgeSeconds() {
        return lag == null ? -1 : orMinusOne(lag.intercomPollSeconds());
    }

    @ManagedAttribute(description = "Seconds the oldest Intercom change not yet written to Salesforce has waited (0: none waits)")
    public double getOldestIntercomChangeAgeSeconds() {
        return lag == null ? -1 : orMinusOne(lag.oldestIntercomChangeSeconds());
    }

    private static double orMinusOne(double seconds) {
        return Double.isNaN(seconds) ? -1 : seconds;
    }

    // --- operations ---------------------------------------------------------------------------------

    @ManagedOperation(description = "Poll both systems now and write every waiting change (when the tier allows event sync)")
    public String pollNow() {
        boolean allowed = policy.eventSyncAllowedNow();
        template.requestBody("direct:event-sync-now", (Object) null);
        return allowed ? "Polled both systems and wrote the waiting changes." : "Event sync is paused in tier " + getTier()
                + "; changes stay stored until it allows again.";
    }

    @ManagedOperation(description = "Retry every sync error (all directions); answers the counts as JSON")
    public String retryErrors() {
        Object answer;
        try {
            answer = syncErrors.retryAll("direction=ALL");
        } catch (RequestRefused refused) {
            answer = refused.body();
        }
        try {
            return JSON.writeValueAsString(answer);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("answer is not serialisable", e);
        }
    }

    /** Saves thresholds written over JMX; every change is in the log (who: the operator login line before it). */
    private void save(QuotaSettings changed) {
        if (!changed.problems().isEmpty()) {
            LOG.warn("Refused API-budget settings over JMX: {}", String.join("; ", changed.problems()));
            throw new IllegalArgumentException(String.join("; ", changed.problems()));
        }
        QuotaSettings before = settings.current();
        settingsApi.save(changed);
        LOG.info("API-budget settings changed over JMX: lowerThresholdPercent {} -> {}, upperThresholdPercent {} -> {}, "
                        + "allocation {} -> {}", before.lowerThresholdPercent(), changed.lowerThresholdPercent(),
                before.upperThresholdPercent(), changed.upperThresholdPercent(), before.allocation(), changed.allocation());
    }
}

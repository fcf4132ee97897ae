package io.github.crmsync.quota;

import io.github.crmsync.salesforce.SalesforceLimitInfo;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The figures behind the API-usage indicator: the org's 24-hour limit and consumption (as
 * Salesforce last reported them), this service's own calls in the rolling 24 hours, everybody
 * else's (the difference, never negative), the operator's allocation, and the tier they make.
 */
public record SalesforceUsageReport(Long limit, Long orgUsed, long ownUsed, Long othersUsed, Long allocation,
                                    UsageTier tier, Instant observedAt) {

    public static SalesforceUsageReport of(Optional<SalesforceLimitInfo> org, Instant observedAt, long ownUsed,
                                           Long allocation, double lowerThreshold, double upperThreshold) {
        boolean allocationSpent = allocation != null && ownUsed >= allocation;
        if (org.isEmpty()) {
            return new SalesforceUsageReport(null, null, ownUsed, null, allocation,
                    UsageTier.of(0, lowerThreshold, upperThreshold, allocationSpent), null);
        }
        SalesforceLimitInfo info = org.get();
        return new SalesforceUsageReport(info.max(), info.used(), ownUsed, Math.max(0, info.used() - ownUsed), allocation,
                UsageTier.of(info.consumedShare(), lowerThreshold, upperThreshold, allocationSpent), observedAt);
    }

    public Map<String, Object> asJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("limit", limit);
        json.put("orgUsed", orgUsed);
        json.put("ownUsed", ownUsed);
        json.put("othersUsed", othersUsed);
        json.put("remaining", limit == null ? null : Math.max(0, limit - orgUsed));
        json.put("allocation", allocation);
        json.put("tier", tier.name());
        json.put("allows", tier.allows());
        json.put("observedAt", observedAt == null ? null : observedAt.toString());
        return json;
    }
}

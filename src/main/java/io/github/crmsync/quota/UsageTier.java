package io.github.crmsync.quota;

import java.util.List;

/**
 * What may run at a level of the org's 24-hour Salesforce API consumption (DESIGN.md §1): the inbox
 * app always; event sync below the upper threshold; the manual bulk sync below the lower one.
 */
public enum UsageTier {
    ALL(List.of("INBOX_APP", "EVENT_SYNC", "BULK_SYNC")),
    NO_BULK_SYNC(List.of("INBOX_APP", "EVENT_SYNC")),
    INBOX_APP_ONLY(List.of("INBOX_APP"));

    private final List<String> allows;

    UsageTier(List<String> allows) {
        this.allows = allows;
    }

    public List<String> allows() {
        return allows;
    }

    /**
     * The tier for a consumed share of the org's allowance, given the thresholds (shares, 0..1), and
     * whether this service has spent its own allocation (which stops everything but the inbox app).
     */
    public static UsageTier of(double consumedShare, double lowerThreshold, double upperThreshold, boolean allocationSpent) {
        if (allocationSpent || consumedShare >= upperThreshold) {
            return INBOX_APP_ONLY;
        }
        return consumedShare >= lowerThreshold ? NO_BULK_SYNC : ALL;
    }
}

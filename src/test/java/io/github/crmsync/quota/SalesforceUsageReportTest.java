package io.github.crmsync.quota;

import io.github.crmsync.salesforce.SalesforceLimitInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class SalesforceUsageReportTest {

    @ParameterizedTest(name = "{0} of 1000 used, allocation spent {1} -> {2}")
    @CsvSource({
            "0, false, ALL",
            "399, false, ALL",
            "400, false, NO_BULK_SYNC",
            "799, false, NO_BULK_SYNC",
            "800, false, INBOX_APP_ONLY",
            "1000, false, INBOX_APP_ONLY",
            "1500, false, INBOX_APP_ONLY",
            "10, true, INBOX_APP_ONLY",
    })
    void tiersFollowTheOrgsConsumptionAndTheOwnAllocation(long used, boolean allocationSpent, UsageTier expected) {
        assertThat(UsageTier.of(new SalesforceLimitInfo(used, 1000).consumedShare(), 0.4, 0.8, allocationSpent))
                .isEqualTo(expected);
    }

    @Test
    void othersAreTheOrgsUseLessOursAndNeverNegative() {
        Instant at = Instant.parse("2026-11-28T10:00:00Z");
        SalesforceUsageReport report = SalesforceUsageReport.of(Optional.of(new SalesforceLimitInfo(500, 1000)), at, 120,
                null, 0.4, 0.8);
        assertThat(report.othersUsed()).isEqualTo(380);
        assertThat(report.tier()).isEqualTo(UsageTier.NO_BULK_SYNC);
        assertThat(report.asJson()).containsEntry("remaining", 500L).containsEntry("allows", UsageTier.NO_BULK_SYNC.allows());

        // our count covers a rolling 24 h, Salesforce's may have just reset: never a negative share for others
        assertThat(SalesforceUsageReport.of(Optional.of(new SalesforceLimitInfo(100, 1000)), at, 150, null, 0.4, 0.8)
                .othersUsed()).isZero();
        assertThat(SalesforceUsageReport.of(Optional.of(new SalesforceLimitInfo(100, 1000)), at, 150, 150L, 0.4, 0.8)
                .tier()).as("own allocation spent").isEqualTo(UsageTier.INBOX_APP_ONLY);
    }

    @Test
    void beforeSalesforceReportedAnythingTheFiguresAreUnknownNotZero() {
        SalesforceUsageReport report = SalesforceUsageReport.of(Optional.empty(), null, 0, null, 0.4, 0.8);
        assertThat(report.asJson()).containsEntry("limit", null).containsEntry("orgUsed", null).containsEntry("tier", "ALL");
    }
}

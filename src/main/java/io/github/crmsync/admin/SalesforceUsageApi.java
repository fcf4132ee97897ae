package io.github.crmsync.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crmsync.quota.EventDeliveryAllocation;
import io.github.crmsync.quota.QuotaSettings;
import io.github.crmsync.quota.SalesforceApiUsage;
import io.github.crmsync.quota.SalesforceUsageReport;
import io.github.crmsync.salesforce.SalesforceLimitInfo;
import io.swagger.v3.oas.annotations.media.Schema;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code GET /api/salesforce-usage}, and the {@code /limits} poll that keeps the org's figures fresh
 * while the service itself makes no calls (every call's {@code Sforce-Limit-Info} does it otherwise).
 */
public final class SalesforceUsageApi {

    /** The org's 24-hour figures as Salesforce last reported them (null until it has), and the tier they make. */
    @Schema(name = "SalesforceUsage", requiredProperties = {"limit", "orgUsed", "ownUsed", "othersUsed", "remaining",
            "allocation", "tier", "allows", "observedAt", "eventDelivery"})
    public record Usage(@Schema(nullable = true) Long limit, @Schema(nullable = true) Long orgUsed, long ownUsed,
                        @Schema(nullable = true) Long othersUsed, @Schema(nullable = true) Long remaining,
                        @Schema(nullable = true) Long allocation,
                        @Schema(allowableValues = {"ALL", "NO_BULK_SYNC", "INBOX_APP_ONLY"}) String tier, List<String> allows,
                        @Schema(format = "date-time", nullable = true) String observedAt,
                        @Schema(nullable = true, description = "null while /limits does not report it")
                        EventDelivery eventDelivery) {
    }

    /**
     * The org's event delivery allocation ({@code DailyDeliveredPlatformEvents} of {@code /limits}): change
     * events delivered to API subscribers in the last 24 hours, which change events spend instead of API requests.
     */
    @Schema(name = "EventDeliveryAllocation", requiredProperties = {"max", "remaining", "used", "observedAt"})
    public record EventDelivery(long max, long remaining, long used, @Schema(format = "date-time") String observedAt) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SalesforceApiUsage usage;
    private final Clock clock;
    private final Supplier<QuotaSettings> settings;
    private final Duration idleBeforeLimitsPoll;

    /** {@code settings}: the thresholds and allocation as stored now (operators change them at run time). */
    public SalesforceUsageApi(SalesforceApiUsage usage, Clock clock, Supplier<QuotaSettings> settings,
                              Duration idleBeforeLimitsPoll) {
        this.usage = usage;
        this.clock = clock;
        this.settings = settings;
        this.idleBeforeLimitsPoll = idleBeforeLimitsPoll;
    }

    public SalesforceUsageReport report() {
        QuotaSettings now = settings.get();
        return SalesforceUsageReport.of(usage.lastOrgUsage(), usage.lastOrgUsageObservedAt(), usage.ownCallsLast24Hours(),
                now.allocation(), now.lowerThreshold(), now.upperThreshold());
    }

    public Usage answer() {
        Map<String, Object> json = report().asJson();
        json.put("eventDelivery", usage.lastEventDelivery().map(d -> new EventDelivery(d.max(), d.remaining(), d.used(),
                d.observedAt().toString())).orElse(null));
        return JSON.convertValue(json, Usage.class);
    }

    /** True when no Salesforce answer has reported the org's usage for a while: the service is idle. */
    public boolean limitsPollDue() {
        Instant last = usage.lastOrgUsageObservedAt();
        return last == null || Duration.between(last, clock.instant()).compareTo(idleBeforeLimitsPoll) >= 0;
    }

    /** Records {@code DailyApiRequests} and the event delivery allocation from a {@code /limits} answer. */
    public void recordLimits(String limitsJson) throws IOException {
        JsonNode limits = JSON.readTree(limitsJson);
        JsonNode daily = limits.path("DailyApiRequests");
        if (daily.has("Max") && daily.has("Remaining")) {
            long max = daily.path("Max").asLong();
            usage.recordOrgUsage(new SalesforceLimitInfo(max - daily.path("Remaining").asLong(), max), "limits");
        }
        usage.recordEventDelivery(eventDelivery(limits, clock.instant()));
    }

    /**
     * {@code DailyDeliveredPlatformEvents}: the event delivery allocation of change events and high-volume
     * platform events delivered to Pub/Sub API and CometD subscribers in the last 24 hours, {@code Max} and
     * {@code Remaining} as every limit; see "Monitor Event Usage Against Your Allocations",
     * https://developer.salesforce.com/docs/atlas.en-us.platform_events.meta/platform_events/platform_event_limits.htm
     * (an org with the add-on also reports its monthly entitlement, {@code MonthlyPlatformEventsUsageEntitlement},
     * updated once a day; the daily figure is the one a subscriber runs into).
     */
    static Optional<EventDeliveryAllocation> eventDelivery(JsonNode limits, Instant at) {
        JsonNode delivered = limits.path("DailyDeliveredPlatformEvents");
        if (!delivered.path("Max").canConvertToLong() || !delivered.path("Remaining").canConvertToLong()) {
            return Optional.empty();
        }
        return Optional.of(new EventDeliveryAllocation(delivered.path("Max").asLong(), delivered.path("Remaining").asLong(), at));
    }
}

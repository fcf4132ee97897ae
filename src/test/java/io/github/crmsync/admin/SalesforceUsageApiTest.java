package io.github.crmsync.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crmsync.quota.QuotaSettings;
import io.github.crmsync.quota.SalesforceApiUsage;
import io.github.crmsync.testing.RouteTestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /api/salesforce-usage}'s event delivery allocation: answered as {@code /limits} last
 * reported {@code DailyDeliveredPlatformEvents}, null while it does not.
 */
class SalesforceUsageApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-12-02T14:00:00Z");
    private SalesforceUsageApi api;

    @BeforeEach
    void emptied() {
        api = new SalesforceUsageApi(new SalesforceApiUsage(RouteTestDatabase.emptied(), Clock.fixed(NOW, ZoneOffset.UTC)),
                Clock.fixed(NOW, ZoneOffset.UTC), () -> new QuotaSettings(40, 80, null), Duration.ofMinutes(1));
    }

    @Test
    void theEventDeliveryAllocationIsAnsweredAsLimitsReportedIt() throws Exception {
        api.recordLimits("""
                {"DailyApiRequests":{"Max":100000,"Remaining":99000},
                 "DailyDeliveredPlatformEvents":{"Max":50000,"Remaining":38500}}""");

        JsonNode answer = JSON.valueToTree(api.answer());
        assertThat(answer.path("limit").asLong()).isEqualTo(100_000);
        assertThat(answer.path("eventDelivery").toString())
                .isEqualTo("{\"max\":50000,\"remaining\":38500,\"used\":11500,\"observedAt\":\"2026-12-02T14:00:00Z\"}");
    }

    @Test
    void withoutTheEntryInLimitsTheAllocationIsNullNotZero() throws Exception {
        api.recordLimits("{\"DailyApiRequests\":{\"Max\":100000,\"Remaining\":99000}}");
        JsonNode answer = JSON.valueToTree(api.answer());
        assertThat(answer.has("eventDelivery")).isTrue();
        assertThat(answer.path("eventDelivery").isNull()).isTrue();

        // reported once, then no more (the org's answer changed): not kept as if still true
        api.recordLimits("{\"DailyApiRequests\":{\"Max\":100000,\"Remaining\":99000},"
                + "\"DailyDeliveredPlatformEvents\":{\"Max\":50000,\"Remaining\":50000}}");
        assertThat(JSON.valueToTree(api.answer()).path("eventDelivery").path("used").asLong()).isZero();
        api.recordLimits("{\"DailyApiRequests\":{\"Max\":100000,\"Remaining\":99000}}");
        assertThat(JSON.valueToTree(api.answer()).path("eventDelivery").isNull()).isTrue();
    }
}

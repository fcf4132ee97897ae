package io.github.crmsync.alerts;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AlertRulesTest {

    private static final Instant NOW = Instant.parse("2026-12-02T08:00:00Z");
    private static final AlertSettings SETTINGS = new AlertSettings(true, List.of("ops@example.com"), null, 10, 900, 300, 60);
    private final AlertMessages messages = new AlertMessages("https://crmsync.example.com/", "replica-a");
    private final AlertRules rules = new AlertRules(messages);

    private static AlertRules.Readings readings(long errors, AlertRules.Lag lag, List<AlertRules.OpenBreaker> breakers) {
        return new AlertRules.Readings(NOW, errors, lag, breakers, List.of(), List.of());
    }

    private List<AlertKind> kinds(AlertRules.Readings r) {
        return rules.due(SETTINGS, r).stream().map(Alert::kind).toList();
    }

    @Test
    void eachThresholdIsReachedAtItsValueNotBelow() {
        assertThat(kinds(readings(9, new AlertRules.Lag("x", 899.9), List.of(
                new AlertRules.OpenBreaker("salesforce", "OPEN", NOW.minusSeconds(299)))))).isEmpty();
        assertThat(kinds(readings(10, new AlertRules.Lag("x", 900), List.of(
                new AlertRules.OpenBreaker("salesforce", "OPEN", NOW.minusSeconds(300))))))
                .containsExactly(AlertKind.SYNC_ERROR_RATE, AlertKind.EVENT_SYNC_LAG, AlertKind.CIRCUIT_BREAKER_OPEN);
        assertThat(kinds(readings(0, null, List.of()))).as("event sync follows nothing").isEmpty();
    }

    @Test
    void theLargestLagIsTakenAndNaNIsLeftOut() {
        AlertRules.Lag largest = AlertRules.largest(List.of(new AlertRules.Lag("leads", 12), new AlertRules.Lag("contacts", Double.NaN),
                new AlertRules.Lag("intercom", 950)));
        assertThat(largest.what()).isEqualTo("intercom");
        assertThat(AlertRules.largest(List.of(new AlertRules.Lag("leads", Double.NaN)))).isNull();
        Alert alert = rules.due(SETTINGS, readings(0, largest, List.of())).get(0);
        assertThat(alert.subject()).isEqualTo("[crmsync] Event sync 950 s behind");
        assertThat(alert.text()).contains("Event sync is 950 seconds behind (alert threshold: 900 s): intercom.",
                "Open the service: https://crmsync.example.com/#errors");
    }

    @Test
    void theBreakerOpenLongestIsNamedWithSinceWhen() {
        Alert alert = rules.due(SETTINGS, readings(0, null, List.of(
                new AlertRules.OpenBreaker("intercom", "HALF_OPEN", NOW.minusSeconds(400)),
                new AlertRules.OpenBreaker("salesforce", "OPEN", NOW.minusSeconds(1000))))).get(0);
        assertThat(alert.figures()).containsEntry("breaker", "salesforce").containsEntry("openSeconds", 1000L)
                .containsEntry("since", "2026-12-02T07:43:20Z").containsEntry("replica", "replica-a");
        assertThat(alert.text()).startsWith("The salesforce circuit breaker of replica replica-a has not closed since "
                + "2026-12-02T07:43:20Z (1,000 s; alert threshold: 300 s)");
    }

    @Test
    void aTierChangeAndAFailedRunAreAlertsWithTheirFigures() {
        AlertRules.TierChange change = new AlertRules.TierChange("ALL", "NO_BULK_SYNC", 45_000L, 100_000L, 120, null,
                "INBOX_APP, EVENT_SYNC");
        AlertRules.FailedRun run = new AlertRules.FailedRun(7, "admin", NOW.minusSeconds(60), NOW, 10, 200,
                "stageSalesforce CONTACT failed:\n  Salesforce call bulk-salesforce-query failed " + "x".repeat(600));
        List<Alert> due = rules.due(SETTINGS, new AlertRules.Readings(NOW, 0, null, List.of(), List.of(change), List.of(run)));
        assertThat(due).extracting(Alert::kind).containsExactly(AlertKind.TIER_CHANGED, AlertKind.BULK_RUN_FAILED);
        assertThat(due.get(0).subject()).isEqualTo("[crmsync] Salesforce API tier ALL → NO_BULK_SYNC (45.0 % used)");
        assertThat(due.get(0).text()).contains("changed from ALL to NO_BULK_SYNC",
                "45,000 of 100,000 calls (45.0 %); this service: 120 (no allocation).", "What runs now: INBOX_APP, EVENT_SYNC.",
                "https://crmsync.example.com/#usage");
        assertThat(due.get(1).text()).contains("Bulk sync #7, started by admin at 2026-12-02T07:59:00Z, failed at "
                + "2026-12-02T08:00:00Z after 10 of 200 records.", "Why: stageSalesforce CONTACT failed: Salesforce call",
                "https://crmsync.example.com/#bulk");
        assertThat((String) due.get(1).figures().get("error")).hasSize(AlertMessages.MAX_FAILURE_MESSAGE + 1).endsWith("…");
    }
}

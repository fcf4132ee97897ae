package io.github.crmsync.alerts;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * When each alert is due, from what the service reads at a check: pure, so the thresholds are
 * tested without a database or Camel.
 * <ul>
 *   <li>sync-error rate: records that failed within the last 60 minutes (one per record and
 *       direction, however often it failed) at or above {@code syncErrorsPerHour};</li>
 *   <li>event-sync lag: the largest of the polls' ages (seconds since each poll last read to the
 *       end) and the oldest waiting Intercom change, at or above {@code eventSyncLagSeconds};</li>
 *   <li>circuit breaker: a breaker that has not closed (open, or half-open trying a few calls) for
 *       at least {@code circuitOpenSeconds};</li>
 *   <li>a tier change and a failed bulk run: each event as it happened.</li>
 * </ul>
 * Whether an alert due is also sent is the quiet period's decision ({@link QuietPeriod}).
 */
public final class AlertRules {

    /** A tier change as the API-budget policy saw it. */
    public record TierChange(String from, String to, Long orgUsed, Long limit, long ownUsed, Long allocation, String allowed) {
    }

    /** How far event sync is behind, and where: the largest of its figures. */
    public record Lag(String what, double seconds) {
    }

    /** A circuit breaker that left CLOSED at {@code since} and has not closed again. */
    public record OpenBreaker(String name, String state, Instant since) {
    }

    /** A bulk run that ended FAILED. */
    public record FailedRun(long id, String startedBy, Instant startedAt, Instant finishedAt, long processed, long total,
                            String failureMessage) {
    }

    /** What a check read; lag null when event sync follows nothing yet. */
    public record Readings(Instant now, long syncErrorsLastHour, Lag lag, List<OpenBreaker> breakers,
                           List<TierChange> tierChanges, List<FailedRun> failedRuns) {
    }

    private final AlertMessages messages;

    public AlertRules(AlertMessages messages) {
        this.messages = messages;
    }

    /** The alerts due, at most one per kind (the first of several events, the longest-open breaker). */
    public List<Alert> due(AlertSettings settings, Readings r) {
        List<Alert> due = new ArrayList<>();
        if (!r.tierChanges().isEmpty()) {
            due.add(messages.tierChanged(r.tierChanges().get(r.tierChanges().size() - 1)));
        }
        if (r.syncErrorsLastHour() >= settings.syncErrorsPerHour()) {
            due.add(messages.syncErrorRate(r.syncErrorsLastHour(), settings.syncErrorsPerHour()));
        }
        if (r.lag() != null && r.lag().seconds() >= settings.eventSyncLagSeconds()) {
            due.add(messages.eventSyncLag(r.lag(), settings.eventSyncLagSeconds()));
        }
        r.breakers().stream()
                .filter(b -> !Duration.between(b.since(), r.now()).minusSeconds(settings.circuitOpenSeconds()).isNegative())
                .min((a, b) -> a.since().compareTo(b.since()))
                .ifPresent(b -> due.add(messages.breakerOpen(b, r.now(), settings.circuitOpenSeconds())));
        if (!r.failedRuns().isEmpty()) {
            due.add(messages.bulkRunFailed(r.failedRuns().get(r.failedRuns().size() - 1)));
        }
        return due;
    }

    /** The largest of event sync's figures (NaN ones left out), or null when there is none. */
    public static Lag largest(List<Lag> figures) {
        Lag largest = null;
        for (Lag lag : figures) {
            if (!Double.isNaN(lag.seconds()) && (largest == null || lag.seconds() > largest.seconds())) {
                largest = lag;
            }
        }
        return largest;
    }
}

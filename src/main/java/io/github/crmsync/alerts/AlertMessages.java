package io.github.crmsync.alerts;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The words and figures of each alert, with a link to the page section that shows more. Only what
 * the service knows about itself goes in: figures, ids, the run's own failure message (shortened),
 * never a setting's value or a remote system's credentials.
 */
public final class AlertMessages {

    static final int MAX_FAILURE_MESSAGE = 500;

    private final String pageUrl;
    private final String replicaId;

    /**
     * @param pageUrl   the service's public base URL ({@code crmsync.public-url}), the page's address
     * @param replicaId the replica that noticed it (a circuit breaker is each replica's own)
     */
    public AlertMessages(String pageUrl, String replicaId) {
        this.pageUrl = pageUrl.endsWith("/") ? pageUrl.substring(0, pageUrl.length() - 1) : pageUrl;
        this.replicaId = replicaId;
    }

    public String link(AlertKind kind) {
        return pageUrl + "/#" + kind.anchor();
    }

    /** The API-budget tier changed (the policy's reading: the org's 24-hour figures). */
    public Alert tierChanged(AlertRules.TierChange change) {
        String consumed = change.limit() == null || change.limit() == 0 || change.orgUsed() == null ? "no reading yet"
                : String.format(Locale.ROOT, "%.1f %%", 100.0 * change.orgUsed() / change.limit());
        String text = String.format(Locale.ROOT, "The Salesforce API tier changed from %s to %s.%n%n"
                        + "Org consumption in 24 hours: %s of %s calls (%s); this service: %,d%s.%n"
                        + "What runs now: %s.%n",
                change.from(), change.to(), number(change.orgUsed()), number(change.limit()), consumed, change.ownUsed(),
                change.allocation() == null ? " (no allocation)" : " of its allocation of " + number(change.allocation()),
                change.allowed());
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("from", change.from());
        figures.put("to", change.to());
        figures.put("orgUsed", change.orgUsed());
        figures.put("limit", change.limit());
        figures.put("ownUsed", change.ownUsed());
        figures.put("allocation", change.allocation());
        return alert(AlertKind.TIER_CHANGED, "Salesforce API tier " + change.from() + " → " + change.to() + " (" + consumed + " used)",
                text, figures);
    }

    public Alert syncErrorRate(long errorsLastHour, int threshold) {
        String text = String.format(Locale.ROOT, "%,d records failed to sync within the last 60 minutes (alert threshold: %,d).%n"
                + "Each is in the sync-errors list with the remote system's own message; fix the data or the mapping, then retry.%n",
                errorsLastHour, threshold);
        return alert(AlertKind.SYNC_ERROR_RATE, errorsLastHour + (errorsLastHour == 1 ? " sync error" : " sync errors") + " in the last hour",
                text, Map.of("errorsLastHour", errorsLastHour, "threshold", threshold));
    }

    public Alert eventSyncLag(AlertRules.Lag lag, int thresholdSeconds) {
        long seconds = Math.round(lag.seconds());
        String text = String.format(Locale.ROOT, "Event sync is %,d seconds behind (alert threshold: %,d s): %s.%n"
                + "Changes made since then have not reached the other system yet. A paused tier, an unreachable system or a "
                + "failing page keeps it from catching up; the sync errors and the service log say which.%n",
                seconds, thresholdSeconds, lag.what());
        return alert(AlertKind.EVENT_SYNC_LAG, "Event sync " + seconds + " s behind",
                text, Map.of("lagSeconds", seconds, "threshold", thresholdSeconds, "what", lag.what()));
    }

    public Alert breakerOpen(AlertRules.OpenBreaker breaker, Instant now, int thresholdSeconds) {
        long seconds = breaker.since().until(now, ChronoUnit.SECONDS);
        Instant since = breaker.since().truncatedTo(ChronoUnit.SECONDS);
        String text = String.format(Locale.ROOT, "The %s circuit breaker of replica %s has not closed since %s (%,d s; alert "
                + "threshold: %,d s): calls to %s are held back while it is open and only a few tried while half-open.%n"
                + "%s is failing or unreachable from this replica; its health check (/observe/health/ready) says more.%n",
                breaker.name(), replicaId, since, seconds, thresholdSeconds, breaker.name(), capitalized(breaker.name()));
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("breaker", breaker.name());
        figures.put("state", breaker.state());
        figures.put("since", since.toString());
        figures.put("openSeconds", seconds);
        figures.put("threshold", thresholdSeconds);
        figures.put("replica", replicaId);
        return alert(AlertKind.CIRCUIT_BREAKER_OPEN, "Circuit breaker " + breaker.name() + " open since " + since, text, figures);
    }

    public Alert bulkRunFailed(AlertRules.FailedRun run) {
        String why = run.failureMessage() == null ? "(no reason recorded)" : shortened(run.failureMessage());
        String text = String.format(Locale.ROOT, "Bulk sync #%d, started by %s at %s, failed at %s after %,d of %,d records.%n"
                + "Why: %s%n", run.id(), run.startedBy(), run.startedAt(), run.finishedAt(), run.processed(), run.total(), why);
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("runId", run.id());
        figures.put("startedBy", run.startedBy());
        figures.put("finishedAt", String.valueOf(run.finishedAt()));
        figures.put("processed", run.processed());
        figures.put("total", run.total());
        figures.put("error", why);
        return alert(AlertKind.BULK_RUN_FAILED, "Bulk sync #" + run.id() + " failed", text, figures);
    }

    private Alert alert(AlertKind kind, String subject, String text, Map<String, Object> figures) {
        return new Alert(kind, "[crmsync] " + subject, text + "\nOpen the service: " + link(kind) + "\n", figures);
    }

    static String shortened(String message) {
        String oneLine = message.replaceAll("\\s+", " ").trim();
        return oneLine.length() > MAX_FAILURE_MESSAGE ? oneLine.substring(0, MAX_FAILURE_MESSAGE) + "…" : oneLine;
    }

    private static String number(Long value) {
        return value == null ? "?" : String.format(Locale.ROOT, "%,d", value);
    }

    private static String capitalized(String name) {
        return name.isEmpty() ? name : Character.toUpperCase(name.charAt(0)) + name.substring(1);
    }
}

package io.github.crmsync.alerts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The alerts of this replica: what the timer of routes/alerts.camel.yaml asks at each check
 * ({@link #due}), and where events are handed in ({@link #tierChanged}). Handing in only queues, so
 * the sync that noticed never waits for a mail or a webhook; the check reads the settings, the
 * figures and the queued events, and returns the alerts that the quiet period lets through.
 */
public final class Alerts {

    private static final Logger LOG = LoggerFactory.getLogger(Alerts.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_QUEUED = 100;

    /** Where a check reads the service's figures. */
    public interface Sources {
        long syncErrorsLastHour();

        /** Event sync's figures, NaN where it follows nothing. */
        List<AlertRules.Lag> lag();

        List<AlertRules.OpenBreaker> breakers();

        /** The most recent bulk runs that ended FAILED, newest last. */
        List<AlertRules.FailedRun> failedRuns();
    }

    /** One alert to send: the mail's parts, the webhook's JSON, and where each goes (null: not that way). */
    public record Delivery(AlertKind kind, String subject, String text, String json, String recipients, String webhookUrl,
                           Duration quietPeriod) {

        /** Never print the webhook URL. */
        @Override
        public String toString() {
            return "Delivery[" + kind + ": " + subject + "]";
        }
    }

    private final AlertSettingsStore settings;
    private final QuietPeriod quietPeriod;
    private final AlertRules rules;
    private final AlertMessages messages;
    private final Sources sources;
    private final Clock clock;
    private final String replicaId;
    private final Instant startedAt;
    private final Queue<AlertRules.TierChange> tierChanges = new ConcurrentLinkedQueue<>();
    private final Set<Long> runsSeen = ConcurrentHashMap.newKeySet();
    private final FailureLog mailFailures = new FailureLog(LOG, Clock.systemUTC());
    private final FailureLog webhookFailures = new FailureLog(LOG, Clock.systemUTC());

    public Alerts(AlertSettingsStore settings, QuietPeriod quietPeriod, AlertMessages messages, Sources sources, Clock clock,
                  String replicaId) {
        this.settings = settings;
        this.quietPeriod = quietPeriod;
        this.messages = messages;
        this.rules = new AlertRules(messages);
        this.sources = sources;
        this.clock = clock;
        this.replicaId = replicaId;
        this.startedAt = clock.instant();
    }

    /** The API-budget tier changed; queued for the next check (never blocks the caller). */
    public void tierChanged(AlertRules.TierChange change) {
        if (tierChanges.size() < MAX_QUEUED) {
            tierChanges.add(change);
        }
    }

    /**
     * The alerts to send now: due by the rules, and not held back by the quiet period. A check that
     * cannot read (the database briefly away) is one warning; the next check looks again.
     */
    public List<Delivery> due() {
        try {
            return check();
        } catch (RuntimeException e) {
            LOG.warn("Checking for alerts failed: {}", e.getMessage());
            return List.of();
        }
    }

    private List<Delivery> check() {
        List<AlertRules.TierChange> changes = new ArrayList<>();
        for (AlertRules.TierChange change; (change = tierChanges.poll()) != null; ) {
            changes.add(change);
        }
        List<AlertRules.FailedRun> failed = new ArrayList<>();
        for (AlertRules.FailedRun run : sources.failedRuns()) {
            // runs that ended before this replica started were this replica's previous life's (or another's) to tell
            if (run.finishedAt() != null && run.finishedAt().isAfter(startedAt) && runsSeen.add(run.id())) {
                failed.add(run);
            }
        }
        AlertSettings current = settings.current();
        if (!current.delivers()) {
            return List.of();
        }
        Instant now = clock.instant();
        AlertRules.Readings readings = new AlertRules.Readings(now, sources.syncErrorsLastHour(),
                AlertRules.largest(sources.lag()), sources.breakers(), changes, failed);
        Duration quiet = Duration.ofMinutes(current.quietPeriodMinutes());
        List<Delivery> deliveries = new ArrayList<>();
        for (Alert alert : rules.due(current, readings)) {
            if (quietPeriod.claim(alert.kind(), quiet)) {
                LOG.info("Alert {}: {}", alert.kind(), alert.subject());
                deliveries.add(new Delivery(alert.kind(), alert.subject(), alert.text(), json(alert, now),
                        current.recipients().isEmpty() ? null : String.join(", ", current.recipients()),
                        current.webhookUrl(), quiet));
            }
        }
        return deliveries;
    }

    private String json(Alert alert, Instant now) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("kind", alert.kind().name());
        body.put("subject", alert.subject());
        body.put("text", alert.subject() + "\n" + alert.text());
        body.put("link", messages.link(alert.kind()));
        body.put("figures", alert.figures());
        body.put("replica", replicaId);
        body.put("at", now.toString());
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Writing alert " + alert.kind() + " as JSON failed", e);
        }
    }

    /** The SMTP server refused or could not be reached: one warning per quiet period. */
    public void mailFailed(Delivery delivery, Throwable failure) {
        mailFailures.failed("The alert e-mail \"" + delivery.subject() + "\" could not be sent: " + describe(failure, null)
                + ". Alert e-mails that fail are not tried again within the quiet period.", delivery.quietPeriod());
    }

    /** The webhook answered an error, timed out or could not be reached: one warning per quiet period, the URL by its origin only. */
    public void webhookFailed(Delivery delivery, Throwable failure) {
        webhookFailures.failed("The alert webhook at " + WebhookUrl.origin(delivery.webhookUrl()) + " failed for \""
                + delivery.subject() + "\": " + describe(failure, delivery.webhookUrl())
                + ". Alerts that fail are not tried again within the quiet period.", delivery.quietPeriod());
    }

    static String describe(Throwable failure, String url) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof org.apache.camel.http.base.HttpOperationFailedException http) {
                return "it answered HTTP " + http.getStatusCode(); // its message would quote the whole URL
            }
        }
        String message = root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
        return url == null ? message : WebhookUrl.scrub(message, url);
    }
}

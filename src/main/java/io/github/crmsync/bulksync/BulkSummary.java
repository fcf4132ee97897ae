package io.github.crmsync.bulksync;

import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * The e-mail to the installer when a run ends: subject and a plain-text summary (counts, duration,
 * API calls used, link to the errors list), sent through the {@code bulk-sync-mail} route (camel-mail).
 */
public final class BulkSummary {

    private static final Logger LOG = LoggerFactory.getLogger(BulkSummary.class);

    private final ProducerTemplate template;
    private final String to;
    private final String from;
    private final String publicUrl;

    public BulkSummary(ProducerTemplate template, String to, String from, String publicUrl) {
        this.template = template;
        this.to = to;
        this.from = from;
        this.publicUrl = publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
    }

    public static String subject(BulkRun run) {
        String outcome = switch (run.status()) {
            case "COMPLETED" -> "completed";
            case "STOPPED" -> "stopped";
            case "FAILED" -> "failed";
            default -> run.status().toLowerCase(Locale.ROOT);
        };
        return "Bulk sync #" + run.id() + " " + outcome + ": " + run.updatedInSalesforce() + " updated in Salesforce, "
                + run.updatedInIntercom() + " in Intercom, " + run.failed() + " failed";
    }

    public String body(BulkRun run, long ambiguous) {
        Duration took = Duration.between(run.startedAt(), run.finishedAt() != null ? run.finishedAt() : run.updatedAt());
        StringBuilder b = new StringBuilder();
        b.append("Bulk sync #").append(run.id()).append(", started by ").append(run.startedBy()).append(" at ")
                .append(run.startedAt()).append(", ended ").append(run.status());
        if (run.stopReason() != null) {
            b.append(" (stop reason: ").append(run.stopReason()).append(')');
        }
        b.append(".\n\n");
        line(b, "Records in common", run.total());
        line(b, "Processed", run.processed());
        line(b, "Updated in Salesforce", run.updatedInSalesforce());
        line(b, "Updated in Intercom", run.updatedInIntercom());
        line(b, "Unchanged", run.unchanged());
        line(b, "Failed", run.failed());
        line(b, "Ambiguous e-mails (not synced)", ambiguous);
        b.append(String.format(Locale.ROOT, "%-32s %d min %02d s%n", "Duration", took.toMinutes(), took.toSecondsPart()));
        line(b, "Salesforce API calls used", run.salesforceCalls());
        line(b, "Intercom requests", run.intercomRequests());
        if (run.failureMessage() != null) {
            b.append("\nWhy it failed: ").append(run.failureMessage()).append('\n');
        }
        b.append("\nRecords that could not be synced: ").append(publicUrl).append("/api/sync-errors?syncType=BULK&direction=ALL\n");
        return b.toString();
    }

    private static void line(StringBuilder b, String label, long value) {
        b.append(String.format(Locale.ROOT, "%-32s %,d%n", label, value));
    }

    /** Sends the summary when an installer address is set; a mail failure is logged, never the run's failure. */
    public void send(BulkRun run, long ambiguous) {
        if (to == null || to.isBlank()) {
            return;
        }
        try {
            template.sendBodyAndHeaders("direct:bulk-sync-mail", body(run, ambiguous),
                    Map.of("To", to, "From", from, "Subject", subject(run), "Content-Type", "text/plain; charset=UTF-8"));
        } catch (RuntimeException e) {
            LOG.warn("The bulk sync summary e-mail to {} could not be sent: {}", to, e.getMessage());
        }
    }
}

package io.github.crmsync.bulksync;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crmsync.requests.Conflict;
import io.github.crmsync.requests.InvalidInput;
import io.github.crmsync.requests.NotFound;
import io.github.crmsync.requests.QueryParameters;
import io.swagger.v3.oas.annotations.media.Schema;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code /api/bulk-sync}: start (202, or 409 with the active run), the current run with whether a
 * start is possible, the history, and stop; the preview (202, then its figures by id) and a start
 * from it. Answers follow the shared bulk-sync API contract.
 */
public final class BulkSyncApi {

    /** The optional body of a start. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @Schema(name = "BulkSyncStart")
    public record Start(@Schema(description = "who starts the run (up to 200 characters); the logged-in admin when absent",
            maxLength = 200) String startedBy,
                        @Schema(description = "a completed preview to start from: the run takes its mappings (refused "
                                + "with 409 when they have changed since)", minimum = "1") Long previewId) {
    }

    /** The optional body of a preview. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @Schema(name = "BulkSyncPreviewStart")
    public record PreviewStart(@Schema(description = "who starts the preview (up to 200 characters); the logged-in admin "
            + "when absent", maxLength = 200) String startedBy) {
    }

    /**
     * A preview: its row (a BulkRun of kind PREVIEW: status and progress) and, once COMPLETED, what it
     * found ({@link BulkPreviewFigures}; OpenAPI 3.0 cannot say "a BulkPreviewFigures or null").
     */
    @Schema(name = "BulkSyncPreview", requiredProperties = {"preview", "figures"})
    public record Preview(BulkRunView preview,
                          @Schema(type = "object", nullable = true, description = "what the preview found and what "
                                  + "the run would spend (pairsInCommon, ambiguousMatches, unchanged, failing, directions "
                                  + "with records and fields, each field with records and up to 20 samples of before and "
                                  + "after, cost, duration); null until the preview has COMPLETED")
                          Object figures) {
    }

    /** {@code run} is the active run's JSON (a BulkRun), null when none: OpenAPI 3.0 cannot say "a BulkRun or null". */
    @Schema(name = "BulkSyncCurrent", requiredProperties = {"run", "canStart", "cannotStartReason"})
    public record Current(@Schema(type = "object", nullable = true, description = "the active run (a BulkRun), null when none")
                          Object run, boolean canStart, @Schema(nullable = true) String cannotStartReason) {
    }

    @Schema(name = "BulkSyncRuns", requiredProperties = "runs")
    public record Runs(List<BulkRunView> runs) {
    }

    private static final int MAX_LIMIT = 200;
    private static final String ALREADY_RUNNING = "A bulk sync is already running";
    private static final String PREVIEW_REFUSED = "A bulk sync or preview is already running";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BulkSync bulkSync;
    private final BulkRunStore store;

    public BulkSyncApi(BulkSync bulkSync, BulkRunStore store) {
        this.bulkSync = bulkSync;
        this.store = store;
    }

    /**
     * Starts a run (the route answers 202) or throws {@link Conflict} with the active one.
     *
     * @param body  the {@link Start} sent, or the empty body when none was
     * @param admin the logged-in admin, who started the run unless the body names someone
     */
    public BulkRunView start(Object body, String admin) {
        // the JSON binding reads a body into Start; an empty one (the page sends none) stays as it came
        Start start = body instanceof Start s ? s : null;
        String by = startedBy(start == null ? null : start.startedBy(), admin);
        BulkSync.Started started;
        if (start != null && start.previewId() != null) {
            if (start.previewId() < 1) {
                throw new InvalidInput("previewId must be the id of a completed preview (a whole number from 1), not "
                        + start.previewId() + ".");
            }
            started = bulkSync.startFromPreview(start.previewId(), by);
        } else {
            started = bulkSync.start(by);
        }
        if (!started.created()) {
            throw new Conflict(ALREADY_RUNNING, runDetails(started.run()));
        }
        return BulkRunView.of(started.run());
    }

    /** Starts a preview (the route answers 202) or throws {@link Conflict} with the active run or preview. */
    public Preview preview(Object body, String admin) {
        BulkSync.Started started = bulkSync.preview(startedBy(body instanceof PreviewStart p ? p.startedBy() : null, admin));
        if (!started.created()) {
            throw new Conflict(PREVIEW_REFUSED, runDetails(started.run()));
        }
        return new Preview(BulkRunView.of(started.run()), null);
    }

    /** A preview by id: its progress, and its figures once it has completed. */
    public Preview previewOf(String idText) {
        List<String> problems = new java.util.ArrayList<>();
        long id = QueryParameters.number(idText == null ? Map.of() : Map.of("id", idText), "id", -1, 1, Long.MAX_VALUE,
                problems);
        if (id < 1) {
            throw new InvalidInput(problems.isEmpty() ? "id must be a whole number from 1 up" : problems.get(0));
        }
        long wanted = id;
        BulkRun preview = store.find(id).filter(BulkRun::preview)
                .orElseThrow(() -> new NotFound("No bulk sync preview " + wanted));
        String figures = store.previewJson(id);
        try {
            return new Preview(BulkRunView.of(preview), figures == null ? null : JSON.readTree(figures));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Preview " + id + "'s figures are not readable: " + e.getMessage(), e);
        }
    }

    /** The 409 body of a start while a run is active (the JMX bean answers the same). */
    public static Map<String, Object> alreadyRunning(BulkRun run) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", ALREADY_RUNNING);
        body.putAll(runDetails(run));
        return body;
    }

    private static Map<String, Object> runDetails(BulkRun run) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("runId", run.id());
        details.put("run", run.asJson());
        return details;
    }

    public Current current() {
        Optional<BulkRun> run = store.active();
        String reason = null;
        if (run.isPresent()) {
            reason = run.get().preview() ? "A bulk sync preview is running (preview " + run.get().id() + ")."
                    : "A bulk sync is already running (run " + run.get().id() + ").";
        } else if (!bulkSync.canStartNow()) {
            reason = "The Salesforce API usage tier does not allow a bulk sync now: a run started now waits "
                    + "(WAITING_FOR_CAPACITY) until it does.";
        }
        return new Current(run.map(BulkRun::asJson).orElse(null), reason == null, reason);
    }

    public Runs runs(String limitText) {
        int limit = 20;
        if (limitText != null && !limitText.isBlank()) {
            try {
                limit = Integer.parseInt(limitText.trim());
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_LIMIT) {
                throw new InvalidInput("limit must be a whole number from 1 to " + MAX_LIMIT + ", not '" + limitText + "'.");
            }
        }
        return new Runs(store.recent(limit).stream().map(BulkRunView::of).toList());
    }

    public BulkRunView stop() {
        return bulkSync.stop("USER").map(BulkRunView::of).orElseThrow(() -> new NotFound("No bulk sync is running"));
    }

    /** Who starts: {@code {"startedBy": "..."}} in the body, else the logged-in admin, else "api". */
    private static String startedBy(String by, String admin) {
        if (by != null) {
            if (by.isBlank() || by.length() > 200) {
                throw new InvalidInput("Send {} or {\"startedBy\": \"<name, up to 200 characters>\"}.");
            }
            return by.trim();
        }
        return admin != null && !admin.isBlank() ? admin.trim() : "api";
    }
}

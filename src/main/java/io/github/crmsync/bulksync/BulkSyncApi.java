package io.github.crmsync.bulksync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crmsync.access.AdminAccess;
import io.github.crmsync.admin.HttpAnswers;
import org.apache.camel.Exchange;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code /api/bulk-sync}: start (202, or 409 with the active run), the current run with whether a
 * start is possible, the history, and stop. Answers follow the shared bulk-sync API contract.
 */
public final class BulkSyncApi {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_LIMIT = 200;

    private final BulkSync bulkSync;
    private final BulkRunStore store;

    public BulkSyncApi(BulkSync bulkSync, BulkRunStore store) {
        this.bulkSync = bulkSync;
        this.store = store;
    }

    public void start(Exchange exchange) {
        String startedBy = startedBy(exchange);
        if (startedBy == null) {
            return;
        }
        BulkSync.Started started = bulkSync.start(startedBy);
        if (started.created()) {
            HttpAnswers.json(exchange, 202, started.run().asJson());
        } else {
            HttpAnswers.json(exchange, 409, alreadyRunning(started.run()));
        }
    }

    public static Map<String, Object> alreadyRunning(BulkRun run) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", "A bulk sync is already running");
        body.put("runId", run.id());
        body.put("run", run.asJson());
        return body;
    }

    public void current(Exchange exchange) {
        Optional<BulkRun> run = store.active();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("run", run.map(BulkRun::asJson).orElse(null));
        String reason = null;
        if (run.isPresent()) {
            reason = "A bulk sync is already running (run " + run.get().id() + ").";
        } else if (!bulkSync.canStartNow()) {
            reason = "The Salesforce API usage tier does not allow a bulk sync now: a run started now waits "
                    + "(WAITING_FOR_CAPACITY) until it does.";
        }
        body.put("canStart", reason == null);
        body.put("cannotStartReason", reason);
        HttpAnswers.json(exchange, 200, body);
    }

    public void runs(Exchange exchange) {
        String limitText = exchange.getMessage().getHeader("limit", String.class);
        int limit = 20;
        if (limitText != null && !limitText.isBlank()) {
            try {
                limit = Integer.parseInt(limitText.trim());
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_LIMIT) {
                HttpAnswers.error(exchange, 400, "limit must be a whole number from 1 to " + MAX_LIMIT + ", not '"
                        + limitText + "'.");
                return;
            }
        }
        List<Map<String, Object>> runs = store.recent(limit).stream().map(BulkRun::asJson).toList();
        HttpAnswers.json(exchange, 200, Map.of("runs", runs));
    }

    public void stop(Exchange exchange) {
        Optional<BulkRun> run = bulkSync.stop("USER");
        if (run.isEmpty()) {
            HttpAnswers.error(exchange, 404, "No bulk sync is running");
        } else {
            HttpAnswers.json(exchange, 200, run.get().asJson());
        }
    }

    /** Who starts: {@code {"startedBy": "..."}} in the body, else the logged-in admin, else "api". */
    private static String startedBy(Exchange exchange) {
        String text = exchange.getMessage().getBody(String.class);
        if (text != null && !text.isBlank()) {
            try {
                JsonNode body = JSON.readTree(text);
                JsonNode by = body.path("startedBy");
                if (!body.isObject() || (!by.isMissingNode() && (!by.isTextual() || by.asText().isBlank()
                        || by.asText().length() > 200))) {
                    HttpAnswers.error(exchange, 400, "Send {} or {\"startedBy\": \"<name, up to 200 characters>\"}.");
                    return null;
                }
                if (by.isTextual()) {
                    return by.asText().trim();
                }
            } catch (IOException e) {
                HttpAnswers.error(exchange, 400, "The body is not JSON: " + e.getMessage().lines().findFirst().orElse(""));
                return null;
            }
        }
        String user = exchange.getMessage().getHeader(AdminAccess.USER_HEADER, String.class);
        return user != null && !user.isBlank() ? user.trim() : "api";
    }
}

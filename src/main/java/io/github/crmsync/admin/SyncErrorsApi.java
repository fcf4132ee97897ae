package io.github.crmsync.admin;

import io.github.crmsync.errors.StoredSyncError;
import io.github.crmsync.errors.SyncErrorFilter;
import io.github.crmsync.errors.SyncErrorRetry;
import io.github.crmsync.errors.SyncErrorStore;
import io.github.crmsync.mapping.Direction;
import io.github.crmsync.mapping.ObjectType;
import io.github.crmsync.quota.UsageTier;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * {@code /api/sync-errors}: the sync-errors list (filtered, paged; Intercom → Salesforce unless asked
 * otherwise, as Intercom's app shows it), one row with its details, retry of one row or of every
 * row a filter matches, and dismissal.
 */
public final class SyncErrorsApi {

    public static final int MAX_PAGE_SIZE = 500;
    private static final int DEFAULT_PAGE_SIZE = 50;
    private static final int RETRY_CHUNK = 100;
    private static final Set<String> SYNC_TYPES = Set.of("EVENT", "BULK", "RETRY");
    private static final Pattern CODE = Pattern.compile("[A-Za-z0-9_.-]{1,100}");
    private static final int MAX_TEXT = 200;
    private static final Logger LOG = LoggerFactory.getLogger(SyncErrorsApi.class);

    private final SyncErrorStore store;
    private final SyncErrorRetry retry;
    private final Supplier<UsageTier> tier;

    /** {@code tier}: a retry spends Salesforce calls as event sync does, so it runs only where event sync may. */
    public SyncErrorsApi(SyncErrorStore store, SyncErrorRetry retry, Supplier<UsageTier> tier) {
        this.store = store;
        this.retry = retry;
        this.tier = tier;
    }

    public void list(Exchange exchange) {
        answering(exchange, "Listing sync errors", () -> {
            Map<String, String> query = query(exchange);
            List<String> problems = new ArrayList<>();
            SyncErrorFilter filter = filter(query, problems);
            int page = number(query, "page", 0, 0, Integer.MAX_VALUE / MAX_PAGE_SIZE, problems);
            int size = number(query, "size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE, problems);
            if (!problems.isEmpty()) {
                HttpAnswers.problems(exchange, 400, "The query is not valid.", problems);
                return;
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("errors", store.page(filter, page, size).stream().map(row -> row.toMap(false)).toList());
            body.put("page", page);
            body.put("size", size);
            body.put("total", store.count(filter));
            HttpAnswers.json(exchange, 200, body);
        });
    }

    public void get(Exchange exchange) {
        answering(exchange, "Reading a sync error", () -> row(exchange).ifPresent(row -> HttpAnswers.json(exchange, 200,
                row.toMap(true))));
    }

    public void delete(Exchange exchange) {
        answering(exchange, "Dismissing a sync error", () -> id(exchange).ifPresent(id -> {
            if (store.delete(id)) {
                HttpAnswers.json(exchange, 200, Map.of("deleted", id));
            } else {
                notFound(exchange, id);
            }
        }));
    }

    public void retryOne(Exchange exchange) {
        answering(exchange, "Retrying a sync error", () -> row(exchange).ifPresent(row -> {
            if (refusedByTier(exchange)) {
                return;
            }
            if (row.error().salesforceId().isEmpty() && row.error().intercomId().isEmpty()) {
                HttpAnswers.error(exchange, 409, "Sync error " + row.id() + " names neither a Salesforce nor an Intercom "
                        + "record, so there is nothing to retry; dismiss it instead.");
                return;
            }
            SyncErrorRetry.Outcome outcome = retry.retry(row);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("retried", true);
            body.put("resolved", outcome.resolved());
            if (outcome.note() != null) {
                body.put("note", outcome.note());
            }
            if (!outcome.resolved() && outcome.row() != null) {
                body.put("id", outcome.row().id());
                body.put("errorCode", outcome.row().error().errorCode());
                body.put("message", outcome.row().error().message());
                body.put("attempts", outcome.row().attempts());
            }
            HttpAnswers.json(exchange, 200, body);
        }));
    }

    /** Retries every row the filter matches, one after the other (rows added meanwhile are left for later). */
    public void retryAll(Exchange exchange) {
        answering(exchange, "Retrying sync errors", () -> {
            List<String> problems = new ArrayList<>();
            SyncErrorFilter filter = filter(query(exchange), problems);
            if (!problems.isEmpty()) {
                HttpAnswers.problems(exchange, 400, "The query is not valid.", problems);
                return;
            }
            if (refusedByTier(exchange)) {
                return;
            }
            long upTo = store.lastId();
            long after = 0;
            int retried = 0;
            int resolved = 0;
            int skipped = 0;
            UsageTier stoppedAt = null;
            List<StoredSyncError> chunk;
            do {
                UsageTier now = tier.get();
                if (!now.allows().contains("EVENT_SYNC")) {
                    stoppedAt = now;
                    break;
                }
                chunk = store.after(filter, after, upTo, RETRY_CHUNK);
                for (StoredSyncError row : chunk) {
                    after = row.id();
                    if (row.error().salesforceId().isEmpty() && row.error().intercomId().isEmpty()) {
                        skipped++;
                        continue;
                    }
                    retried++;
                    if (retry.retry(row).resolved()) {
                        resolved++;
                    }
                }
            } while (chunk.size() == RETRY_CHUNK);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("retried", retried);
            body.put("resolved", resolved);
            body.put("stillFailing", retried - resolved);
            if (skipped > 0) {
                body.put("skipped", skipped);
            }
            if (stoppedAt != null) {
                body.put("stoppedAtTier", stoppedAt.name());
            }
            HttpAnswers.json(exchange, 200, body);
        });
    }

    /** Answers 409 when the Salesforce API tier allows no sync now (only the inbox app runs at the top tier). */
    private boolean refusedByTier(Exchange exchange) {
        UsageTier now = tier.get();
        if (now.allows().contains("EVENT_SYNC")) {
            return false;
        }
        HttpAnswers.error(exchange, 409, "Salesforce API use is in tier " + now + ", which allows " + now.allows()
                + " only; retry when the org's consumption falls below the upper threshold.");
        return true;
    }

    /** The filter of a list or retry-all request; each bad value adds a problem naming its parameter. */
    static SyncErrorFilter filter(Map<String, String> query, List<String> problems) {
        String direction = query.getOrDefault("direction", Direction.INTERCOM_TO_SALESFORCE.name()).toUpperCase(Locale.ROOT);
        List<String> directions = new ArrayList<>(Arrays.stream(Direction.values()).map(Enum::name).toList());
        directions.add("ALL");
        if (!directions.contains(direction)) {
            problems.add("direction must be one of " + directions + ", not '" + query.get("direction") + "'");
        }
        String syncType = upper(query.get("syncType"));
        if (syncType != null && !SYNC_TYPES.contains(syncType)) {
            problems.add("syncType must be one of [EVENT, BULK, RETRY], not '" + query.get("syncType") + "'");
        }
        String objectType = upper(query.get("objectType"));
        List<String> objectTypes = Arrays.stream(ObjectType.values()).map(Enum::name).toList();
        if (objectType != null && !objectTypes.contains(objectType)) {
            problems.add("objectType must be one of " + objectTypes + ", not '" + query.get("objectType") + "'");
        }
        String code = query.get("code");
        if (code != null && !CODE.matcher(code).matches()) {
            problems.add("code is an error code such as STRING_TOO_LONG (letters, digits, '_', '.', '-'; at most 100)");
        }
        String text = query.get("text");
        if (text != null && (text.isBlank() || text.length() > MAX_TEXT)) {
            problems.add("text must have 1 to " + MAX_TEXT + " characters");
        }
        return new SyncErrorFilter("ALL".equals(direction) ? null : direction, syncType, objectType, code, text);
    }

    private static int number(Map<String, String> query, String name, int otherwise, int min, int max, List<String> problems) {
        String value = query.get(name);
        if (value == null) {
            return otherwise;
        }
        try {
            int number = Integer.parseInt(value.trim());
            if (number >= min && number <= max) {
                return number;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        problems.add(name + " must be a whole number from " + min + " to " + max + ", not '" + value + "'");
        return otherwise;
    }

    /** The query string's parameters (the first value of each), decoded; an empty value counts as absent. */
    static Map<String, String> query(Exchange exchange) {
        Map<String, String> parameters = new LinkedHashMap<>();
        String raw = exchange.getMessage().getHeader(Exchange.HTTP_RAW_QUERY, String.class);
        if (raw == null) {
            raw = exchange.getMessage().getHeader(Exchange.HTTP_QUERY, String.class);
        }
        if (raw == null || raw.isEmpty()) {
            return parameters;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (!name.isEmpty() && !value.isEmpty()) {
                parameters.putIfAbsent(name, value);
            }
        }
        return parameters;
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return text;
        }
    }

    private static String upper(String value) {
        return value == null ? null : value.toUpperCase(Locale.ROOT);
    }

    private Optional<StoredSyncError> row(Exchange exchange) {
        Optional<Long> id = id(exchange);
        if (id.isEmpty()) {
            return Optional.empty();
        }
        Optional<StoredSyncError> row = store.find(id.get());
        if (row.isEmpty()) {
            notFound(exchange, id.get());
        }
        return row;
    }

    private static Optional<Long> id(Exchange exchange) {
        String id = exchange.getMessage().getHeader("id", String.class);
        try {
            return Optional.of(Long.parseLong(id));
        } catch (NumberFormatException e) {
            HttpAnswers.error(exchange, 400, "A sync error id is a number, not '" + id + "'.");
            return Optional.empty();
        }
    }

    private static void notFound(Exchange exchange, long id) {
        HttpAnswers.error(exchange, 404, "There is no sync error " + id + ".");
    }

    /** Runs the endpoint's work; an unexpected failure answers 500 with a short message, never a stack trace. */
    private static void answering(Exchange exchange, String what, Runnable work) {
        try {
            work.run();
        } catch (RuntimeException e) {
            LOG.error("{} failed", what, e);
            HttpAnswers.error(exchange, 500, what + " failed; the service log has the details.");
        }
    }
}

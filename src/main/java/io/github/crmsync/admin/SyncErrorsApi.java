package io.github.crmsync.admin;

import io.github.crmsync.errors.StoredSyncError;
import io.github.crmsync.errors.SyncErrorFilter;
import io.github.crmsync.eventsync.SyncErrorRetry;
import io.github.crmsync.errors.SyncErrorStore;
import io.github.crmsync.mapping.Direction;
import io.github.crmsync.mapping.ObjectType;
import io.github.crmsync.quota.UsageTier;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.github.crmsync.requests.Conflict;
import io.github.crmsync.requests.InvalidInput;
import io.github.crmsync.requests.NotFound;
import io.github.crmsync.requests.QueryParameters;
import io.swagger.v3.oas.annotations.media.Schema;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * {@code /api/sync-errors}: the sync-errors list (filtered, paged; Intercom → Salesforce unless asked
 * otherwise, as Intercom's app shows it), one row with its details, retry of one row or of every
 * row a filter matches, and dismissal.
 */
public final class SyncErrorsApi {

    @Schema(name = "SyncErrorPage", requiredProperties = {"errors", "page", "size", "total"})
    public record Page(List<SyncErrorRow> errors, int page, int size, long total) {
    }

    /** A retry's outcome; when the record still fails, the row's new cause. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "SyncErrorRetry", requiredProperties = {"retried", "resolved"})
    public record RetryOutcome(boolean retried, boolean resolved, String note, Long id, String errorCode, String message,
                               Integer attempts) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "SyncErrorRetryAll", requiredProperties = {"retried", "resolved", "stillFailing"})
    public record RetryAllOutcome(int retried, int resolved, int stillFailing,
                                  @Schema(description = "rows naming no record, left alone") Integer skipped,
                                  @Schema(description = "the tier that stopped the retries mid-way") String stoppedAtTier) {
    }

    public static final int MAX_PAGE_SIZE = 500;
    private static final int DEFAULT_PAGE_SIZE = 50;
    private static final int RETRY_CHUNK = 1000;
    private static final Set<String> SYNC_TYPES = Set.of("EVENT", "BULK", "RETRY");
    private static final Pattern CODE = Pattern.compile("[A-Za-z0-9_.-]{1,100}");
    private static final int MAX_TEXT = 200;

    private final SyncErrorStore store;
    private final SyncErrorRetry retry;
    private final Supplier<UsageTier> tier;

    /** {@code tier}: a retry spends Salesforce calls as event sync does, so it runs only where event sync may. */
    public SyncErrorsApi(SyncErrorStore store, SyncErrorRetry retry, Supplier<UsageTier> tier) {
        this.store = store;
        this.retry = retry;
        this.tier = tier;
    }

    public Page list(String rawQuery) {
        Map<String, String> query = QueryParameters.parse(rawQuery);
        List<String> problems = new ArrayList<>();
        SyncErrorFilter filter = filter(query, problems);
        int page = number(query, "page", 0, 0, Integer.MAX_VALUE / MAX_PAGE_SIZE, problems);
        int size = number(query, "size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE, problems);
        if (!problems.isEmpty()) {
            throw new InvalidInput("The query is not valid.", problems);
        }
        return new Page(store.page(filter, page, size).stream().map(row -> SyncErrorRow.of(row, false)).toList(), page, size,
                store.count(filter));
    }

    public SyncErrorRow get(String id) {
        return SyncErrorRow.of(row(id), true);
    }

    public Deleted delete(String id) {
        long rowId = id(id);
        if (!store.delete(rowId)) {
            throw notFound(rowId);
        }
        return new Deleted(rowId);
    }

    public RetryOutcome retryOne(String id) {
        StoredSyncError row = row(id);
        refuseByTier();
        if (row.error().salesforceId().isEmpty() && row.error().intercomId().isEmpty()) {
            throw new Conflict("Sync error " + row.id() + " names neither a Salesforce nor an Intercom "
                    + "record, so there is nothing to retry; dismiss it instead.");
        }
        SyncErrorRetry.Outcome outcome = retry.retry(row);
        if (outcome.resolved() || outcome.row() == null) {
            return new RetryOutcome(true, outcome.resolved(), outcome.note(), null, null, null, null);
        }
        StoredSyncError now = outcome.row();
        return new RetryOutcome(true, false, outcome.note(), now.id(), now.error().errorCode(), now.error().message(),
                now.attempts());
    }

    /** Retries every row the filter matches, 1,000 at a time (rows added meanwhile are left for later). */
    public RetryAllOutcome retryAll(String rawQuery) {
        List<String> problems = new ArrayList<>();
        SyncErrorFilter filter = filter(QueryParameters.parse(rawQuery), problems);
        if (!problems.isEmpty()) {
            throw new InvalidInput("The query is not valid.", problems);
        }
        refuseByTier();
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
            List<StoredSyncError> toRetry = new ArrayList<>();
            for (StoredSyncError row : chunk) {
                after = row.id();
                if (row.error().salesforceId().isEmpty() && row.error().intercomId().isEmpty()) {
                    skipped++;
                } else {
                    toRetry.add(row);
                }
            }
            retried += toRetry.size();
            // read and written together: a few Composite calls per chunk, not two calls per row
            resolved += (int) retry.retryAll(toRetry).stream().filter(SyncErrorRetry.Outcome::resolved).count();
        } while (chunk.size() == RETRY_CHUNK);
        return new RetryAllOutcome(retried, resolved, retried - resolved, skipped > 0 ? skipped : null,
                stoppedAt == null ? null : stoppedAt.name());
    }

    /** Refuses with 409 when the Salesforce API tier allows no sync now (only the inbox app runs at the top tier). */
    private void refuseByTier() {
        UsageTier now = tier.get();
        if (!now.allows().contains("EVENT_SYNC")) {
            throw new Conflict("Salesforce API use is in tier " + now + ", which allows " + now.allows()
                    + " only; retry when the org's consumption falls below the upper threshold.");
        }
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
        return (int) QueryParameters.number(query, name, otherwise, min, max, problems);
    }

    private static String upper(String value) {
        return value == null ? null : value.toUpperCase(Locale.ROOT);
    }

    private StoredSyncError row(String id) {
        long rowId = id(id);
        return store.find(rowId).orElseThrow(() -> notFound(rowId));
    }

    private static long id(String id) {
        try {
            return Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw new InvalidInput("A sync error id is a number, not '" + id + "'.");
        }
    }

    private static NotFound notFound(long id) {
        return new NotFound("There is no sync error " + id + ".");
    }
}

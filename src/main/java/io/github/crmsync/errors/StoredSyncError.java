package io.github.crmsync.errors;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** A row of the sync-errors list: the error, when it first and last happened, and how often it was tried. */
public record StoredSyncError(long id, Instant occurredAt, Instant firstOccurredAt, SyncError error, int attempts) {

    /** The row as the admin API shows it; the full remote response only when asked for. */
    public Map<String, Object> toMap(boolean withDetails) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("occurredAt", occurredAt.toString());
        row.put("firstOccurredAt", firstOccurredAt.toString());
        row.put("syncType", error.syncType());
        row.put("direction", error.direction().name());
        row.put("objectType", error.objectType().name());
        row.put("salesforceId", error.salesforceId());
        row.put("intercomId", error.intercomId());
        row.put("attributes", error.attributes());
        row.put("errorCode", error.errorCode());
        row.put("message", error.message());
        row.put("attempts", attempts);
        if (withDetails) {
            row.put("details", error.details());
        }
        return row;
    }
}

package io.github.crmsync.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.github.crmsync.errors.StoredSyncError;
import io.swagger.v3.oas.annotations.media.Schema;

import java.util.List;

/** One sync-error row as the API answers it; {@code details} (the remote system's full answer) only for one row. */
@Schema(name = "SyncError", requiredProperties = {"id", "occurredAt", "firstOccurredAt", "syncType", "direction",
        "objectType", "salesforceId", "intercomId", "attributes", "errorCode", "message", "attempts"})
public record SyncErrorRow(
        long id,
        @Schema(format = "date-time") String occurredAt,
        @Schema(format = "date-time") String firstOccurredAt,
        @Schema(allowableValues = {"EVENT", "BULK", "RETRY"}) String syncType,
        @Schema(allowableValues = {"INTERCOM_TO_SALESFORCE", "SALESFORCE_TO_INTERCOM"}) String direction,
        @Schema(allowableValues = {"LEAD", "CONTACT"}) String objectType,
        @Schema(description = "empty when not known") String salesforceId,
        @Schema(description = "empty when not known") String intercomId,
        List<String> attributes,
        @Schema(nullable = true) String errorCode,
        @Schema(nullable = true) String message,
        int attempts,
        @JsonInclude(JsonInclude.Include.NON_NULL)
        @Schema(description = "only in GET /api/sync-errors/{id}") String details) {

    static SyncErrorRow of(StoredSyncError row, boolean withDetails) {
        var error = row.error();
        return new SyncErrorRow(row.id(), row.occurredAt().toString(), row.firstOccurredAt().toString(), error.syncType(),
                error.direction().name(), error.objectType().name(), error.salesforceId(), error.intercomId(),
                error.attributes(), error.errorCode(), error.message(), row.attempts(), withDetails ? error.details() : null);
    }
}

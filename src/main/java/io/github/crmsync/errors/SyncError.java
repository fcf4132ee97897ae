package io.github.crmsync.errors;

import io.github.crmsync.mapping.Direction;
import io.github.crmsync.mapping.ObjectType;

import java.util.List;

/**
 * A record that could not be synced: what, where, and the remote system's own words.
 *
 * @param syncType     EVENT, BULK or RETRY
 * @param salesforceId empty when not known (e.g. no match yet)
 * @param intercomId   empty when not known
 * @param details      the full remote response or conversion detail, secrets removed
 */
public record SyncError(String syncType, Direction direction, ObjectType objectType, String salesforceId,
                        String intercomId, List<String> attributes, String errorCode, String message, String details) {

    public SyncError {
        salesforceId = salesforceId == null ? "" : salesforceId;
        intercomId = intercomId == null ? "" : intercomId;
        attributes = attributes == null ? List.of() : List.copyOf(attributes);
    }
}

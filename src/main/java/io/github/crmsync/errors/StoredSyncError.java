package io.github.crmsync.errors;

import java.time.Instant;

/** A row of the sync-errors list: the error, when it first and last happened, and how often it was tried. */
public record StoredSyncError(long id, Instant occurredAt, Instant firstOccurredAt, SyncError error, int attempts) {
}

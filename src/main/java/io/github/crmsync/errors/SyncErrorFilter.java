package io.github.crmsync.errors;

/**
 * Which sync-error rows a list or a "retry all" is about. A null field does not filter.
 *
 * @param direction  {@code INTERCOM_TO_SALESFORCE} or {@code SALESFORCE_TO_INTERCOM}; null for all directions
 * @param syncType   {@code EVENT}, {@code BULK} or {@code RETRY}
 * @param objectType {@code LEAD} or {@code CONTACT}
 * @param code       the error code, exactly
 * @param text       a case-insensitive part of the message, the Salesforce id or the Intercom id
 */
public record SyncErrorFilter(String direction, String syncType, String objectType, String code, String text) {

    public static SyncErrorFilter all() {
        return new SyncErrorFilter(null, null, null, null, null);
    }
}

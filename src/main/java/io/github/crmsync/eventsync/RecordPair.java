package io.github.crmsync.eventsync;

import io.github.crmsync.errors.SyncedRecord;
import io.github.crmsync.mapping.MappingSet;
import io.github.crmsync.mapping.ObjectType;

import java.util.Map;

/**
 * A Salesforce record and the Intercom contact it is linked or matched to, with both sides'
 * current values and the mappings in force: what one record's sync works on. A contact not read
 * (its id alone) gets every Salesforce value present written, an empty one as a clear.
 */
public record RecordPair(ObjectType objectType, String salesforceId, String intercomId,
                         Map<String, Object> salesforceValues, Map<String, Object> intercomContact, MappingSet mappings)
        implements SyncedRecord {

    /**
     * Whether the contact's values were read: a contact of its id alone was not (a change event's
     * record, whose new values are the news, or a contact Intercom no longer lists).
     */
    public boolean intercomRead() {
        return intercomContact != null && intercomContact.keySet().stream().anyMatch(k -> !"id".equals(k));
    }
}

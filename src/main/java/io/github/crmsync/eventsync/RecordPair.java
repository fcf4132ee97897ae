package io.github.crmsync.eventsync;

import io.github.crmsync.errors.SyncedRecord;
import io.github.crmsync.mapping.MappingSet;
import io.github.crmsync.mapping.ObjectType;

import java.util.Map;

/**
 * A Salesforce record and the Intercom contact it is linked or matched to, with both sides'
 * current values and the mappings in force: what one record's sync works on.
 */
public record RecordPair(ObjectType objectType, String salesforceId, String intercomId,
                         Map<String, Object> salesforceValues, Map<String, Object> intercomContact, MappingSet mappings)
        implements SyncedRecord {
}

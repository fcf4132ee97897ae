package io.github.crmsync.eventsync;

import io.github.crmsync.matching.RecordLinks;

import io.github.crmsync.errors.SyncError;
import io.github.crmsync.errors.SyncErrorStore;
import io.github.crmsync.history.ChangeHistory;
import io.github.crmsync.history.Changes;
import io.github.crmsync.history.FieldChange;
import io.github.crmsync.intercom.IntercomClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crmsync.mapping.AttributeError;
import io.github.crmsync.mapping.AttributeMapping;
import io.github.crmsync.mapping.MappingSet;
import io.github.crmsync.mapping.ObjectType;
import io.github.crmsync.mapping.Direction;
import io.github.crmsync.mapping.PatchCalculator;
import io.github.crmsync.mapping.SchemaCache;
import io.github.crmsync.mapping.SyncPatch;
import io.github.crmsync.mapping.ValueConverter;
import io.github.crmsync.metrics.SyncMetrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One record pair's sync in one direction: the minimal patch for the target side (null when the
 * pair is already in step), conversion problems reported as that record's sync error, and the
 * Intercom write. Only the direction being synced is looked at, so a write never echoes back:
 * each attribute has one direction, and the other direction finds its values already equal.
 */
public final class RecordSync {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SchemaCache schemas;
    private final IntercomClient intercom;
    private final SyncErrorStore errors;
    private final RecordLinks links;
    private final SyncMetrics metrics;
    private final ChangeHistory history;
    private final ValueConverter converter = new ValueConverter();

    public RecordSync(SchemaCache schemas, IntercomClient intercom, SyncErrorStore errors, RecordLinks links) {
        this(schemas, intercom, errors, links, SyncMetrics.none(), ChangeHistory.none());
    }

    /** {@code history}: where every value written is recorded, once the target has taken it. */
    public RecordSync(SchemaCache schemas, IntercomClient intercom, SyncErrorStore errors, RecordLinks links,
                      SyncMetrics metrics, ChangeHistory history) {
        this.schemas = schemas;
        this.intercom = intercom;
        this.errors = errors;
        this.links = links;
        this.metrics = metrics;
        this.history = history;
    }

    /** A record written to Salesforce: the pair (its values those the patch was computed from) and the patch. */
    public record Written(RecordPair pair, Map<String, Object> patch) {
    }

    /**
     * What one direction's sync of a pair comes to: the values to write (null when the target
     * already holds every value), or {@code failed} when a value could not be converted (then
     * recorded as the record's sync error).
     */
    public record Outcome(Map<String, Object> patch, boolean failed) {
    }

    /** The {@code PUT /contacts/{id}} body for the pair, or null when Intercom already holds every value. */
    public Map<String, Object> intercomPatch(RecordPair pair) {
        return sync(pair, Direction.SALESFORCE_TO_INTERCOM, "EVENT").patch();
    }

    /** The fields to update in Salesforce, or null when Salesforce already holds every value. */
    public Map<String, Object> salesforcePatch(RecordPair pair, String syncType) {
        return sync(pair, Direction.INTERCOM_TO_SALESFORCE, syncType).patch();
    }

    /** The pair's patch for the direction, conversion problems recorded as its sync error of that sync type. */
    public Outcome sync(RecordPair pair, Direction direction, String syncType) {
        SyncPatch patch = compute(pair, direction);
        if (report(pair, patch, direction, syncType)) {
            return new Outcome(null, true);
        }
        boolean toIntercom = direction == Direction.SALESFORCE_TO_INTERCOM;
        if (toIntercom ? !patch.hasIntercomChanges() : !patch.hasSalesforceChanges()) {
            return new Outcome(null, false);
        }
        return new Outcome(toIntercom ? patch.intercomPatch() : patch.salesforcePatch(), false);
    }

    /** The pair's patch for the direction, as {@link #sync} computes it, recording nothing: what a bulk preview counts. */
    public Outcome check(RecordPair pair, Direction direction) {
        SyncPatch patch = compute(pair, direction);
        if (!patch.errors(direction).isEmpty()) {
            return new Outcome(null, true);
        }
        boolean toIntercom = direction == Direction.SALESFORCE_TO_INTERCOM;
        if (toIntercom ? !patch.hasIntercomChanges() : !patch.hasSalesforceChanges()) {
            return new Outcome(null, false);
        }
        return new Outcome(toIntercom ? patch.intercomPatch() : patch.salesforcePatch(), false);
    }

    public void writeIntercom(RecordPair pair, Map<String, Object> patch) {
        writeIntercom(pair, patch, "EVENT");
    }

    public void writeIntercom(RecordPair pair, Map<String, Object> patch, String syncType) {
        writeIntercom(pair, patch, syncType, null);
    }

    /** {@code bulkRunId}: the bulk run writing it, null for other sync types. */
    public void writeIntercom(RecordPair pair, Map<String, Object> patch, String syncType, Long bulkRunId) {
        JsonNode written = intercom.update(pair.intercomId(), patch);
        // The notification of this very write changes none of the attributes sent to Salesforce, so it
        // must write nothing there: a link whose synced values are stored compares the same; one with
        // none yet gets the written contact's, so its notification is not taken for an Intercom change
        // (a write never echoes back). Stored values are never replaced here: a change of those
        // attributes still waiting to be written must not be taken as synced.
        links.storeIntercomStatesWhereNone(Map.of(pair.intercomId(),
                SyncedValues.of(pair.mappings(), pair.objectType(), written)));
        errors.clear(Direction.SALESFORCE_TO_INTERCOM.name(), pair.salesforceId(), pair.intercomId());
        metrics.recordsSynced(Direction.SALESFORCE_TO_INTERCOM, syncType, 1);
        history.record(changes(Direction.SALESFORCE_TO_INTERCOM, syncType, bulkRunId, List.of(new Written(pair, patch))));
    }

    /**
     * A change that may have been written before its record was (a change event handled again after the
     * service stopped between its Intercom write and its commit), now read back from Intercom: null when
     * Intercom holds every value already, the write then recorded as the earlier attempt made it (its
     * change history with the values it wrote, the contact's synced values where none are stored, the
     * record's sync error cleared); otherwise the patch still to write, as {@link #intercomPatch}.
     */
    public Map<String, Object> intercomPatchOrWrittenBefore(RecordPair read) {
        Outcome outcome = sync(read, Direction.SALESFORCE_TO_INTERCOM, "EVENT");
        if (outcome.failed() || outcome.patch() != null) {
            return outcome.patch();
        }
        RecordPair unread = new RecordPair(read.objectType(), read.salesforceId(), read.intercomId(),
                read.salesforceValues(), Map.of("id", read.intercomId()), read.mappings());
        Map<String, Object> written = compute(unread, Direction.SALESFORCE_TO_INTERCOM).intercomPatch();
        if (written.isEmpty()) {
            return null;
        }
        links.storeIntercomStatesWhereNone(Map.of(read.intercomId(), SyncedValues.of(read.mappings(), read.objectType(),
                JSON.valueToTree(read.intercomContact()))));
        errors.clear(Direction.SALESFORCE_TO_INTERCOM.name(), read.salesforceId(), read.intercomId());
        metrics.recordsSynced(Direction.SALESFORCE_TO_INTERCOM, "EVENT", 1);
        history.record(changes(Direction.SALESFORCE_TO_INTERCOM, "EVENT", null, List.of(new Written(unread, written))));
        return null;
    }

    /**
     * The records of one write batch that Salesforce took (the caller wrote them itself, in batches):
     * counted for the records-synced metric and recorded in the change history, in one statement.
     */
    public void salesforceWritten(String syncType, Long bulkRunId, List<Written> written) {
        if (written.isEmpty()) {
            return;
        }
        metrics.recordsSynced(Direction.INTERCOM_TO_SALESFORCE, syncType, written.size());
        history.record(changes(Direction.INTERCOM_TO_SALESFORCE, syncType, bulkRunId, written));
    }

    private static List<FieldChange> changes(Direction direction, String syncType, Long bulkRunId, List<Written> written) {
        List<FieldChange> changes = new ArrayList<>();
        for (Written w : written) {
            RecordPair p = w.pair();
            changes.addAll(Changes.of(syncType, direction, p.objectType(), p.salesforceId(), p.intercomId(), bulkRunId,
                    p.mappings(), p.salesforceValues(), p.intercomContact(), w.patch()));
        }
        return changes;
    }

    /**
     * The values a linked Salesforce record is taken to hold without reading it: the Intercom values
     * of the {@code changed} mappings as last synced ({@code synced}, as a contact), converted as they
     * were written. They are the "before" of the patch and of the change history.
     */
    public Map<String, Object> syncedSalesforceValues(ObjectType type, String salesforceId,
                                                      List<AttributeMapping> changed, Map<String, Object> synced) {
        SyncPatch before = new PatchCalculator(schemas.current(), converter)
                .compute(MappingSet.of(changed), type, Direction.INTERCOM_TO_SALESFORCE, Map.of(), synced);
        Map<String, Object> salesforce = new HashMap<>(before.hasErrors() ? Map.of() : before.salesforcePatch());
        salesforce.put("Id", salesforceId);
        return salesforce;
    }

    /**
     * The Salesforce patch for what changed in Intercom since the pair's values were last synced, without
     * reading Salesforce: only the {@code changed} mappings are looked at, the pair's Salesforce side
     * holding {@link #syncedSalesforceValues}, so a value converting to the same as before is not
     * written and a cleared one is. Conversion problems are recorded as the record's sync error.
     */
    public Outcome salesforceChanges(RecordPair pair, List<AttributeMapping> changed, String syncType) {
        return sync(new RecordPair(pair.objectType(), pair.salesforceId(), pair.intercomId(), pair.salesforceValues(),
                pair.intercomContact(), MappingSet.of(changed)), Direction.INTERCOM_TO_SALESFORCE, syncType);
    }

    private SyncPatch compute(RecordPair pair, Direction direction) {
        PatchCalculator calculator = new PatchCalculator(schemas.current(), converter);
        if (direction == Direction.SALESFORCE_TO_INTERCOM && !pair.intercomRead()) {
            return calculator.computeTargetUnread(pair.mappings(), pair.objectType(), direction, pair.salesforceValues(),
                    pair.intercomContact());
        }
        return calculator.compute(pair.mappings(), pair.objectType(), direction, pair.salesforceValues(), pair.intercomContact());
    }

    /** Records the pair's conversion errors for the direction; true when there were any. */
    private boolean report(RecordPair pair, SyncPatch patch, Direction direction, String syncType) {
        List<AttributeError> problems = patch.errors(direction);
        if (problems.isEmpty()) {
            return false;
        }
        AttributeError first = problems.get(0);
        errors.record(new SyncError(syncType, direction, pair.objectType(), pair.salesforceId(), pair.intercomId(),
                problems.stream().map(p -> direction == Direction.INTERCOM_TO_SALESFORCE
                        ? p.mapping().salesforceField() : p.mapping().intercomAttribute()).toList(),
                first.code(), first.error().message(),
                problems.stream().map(p -> p.mapping().describe() + ": " + p.error().message())
                        .collect(Collectors.joining("\n"))));
        return true;
    }
}

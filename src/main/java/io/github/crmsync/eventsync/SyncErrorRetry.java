package io.github.crmsync.eventsync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crmsync.errors.StoredSyncError;
import io.github.crmsync.errors.SyncError;
import io.github.crmsync.errors.SyncErrorStore;
import io.github.crmsync.errors.SyncFailures.Cause;
import io.github.crmsync.intercom.IntercomClient;
import io.github.crmsync.mapping.Direction;
import io.github.crmsync.mapping.MappingSet;
import io.github.crmsync.mapping.MappingStore;
import io.github.crmsync.mapping.ObjectType;
import io.github.crmsync.matching.EmailMatcher.Candidate;
import io.github.crmsync.matching.EmailMatcher;
import io.github.crmsync.matching.RecordLinks;
import io.github.crmsync.salesforce.CompositeRequest;
import io.github.crmsync.salesforce.SObjectPatch;
import io.github.crmsync.salesforce.SalesforceQueries;
import io.github.crmsync.salesforce.Soql;
import org.apache.camel.ProducerTemplate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Retries sync-errors rows: re-reads both records' current values, matches them by e-mail when
 * the row does not know both ids, and syncs each record in the row's direction now, as sync type
 * {@code RETRY}. A success removes the row; a failure updates it (attempts + 1, the new cause).
 * Many rows at once ({@link #retryAll}) are read from Salesforce in Composite calls of up to 5
 * queries by Id and written in Composite calls of up to 5 sObject Collections updates of 200, as
 * event sync does: a retry-all of 1,000 rows that know both ids costs about two Salesforce calls
 * per object type, not two per row.
 */
public final class SyncErrorRetry {

    /** How a retry ended: resolved (the row is gone), or the row as it now stands. */
    public record Outcome(boolean resolved, StoredSyncError row, String note) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RETRY = "RETRY";

    private final SyncErrorStore store;
    private final MappingStore mappings;
    private final RecordLinks links;
    private final IntercomClient intercom;
    private final SalesforceQueries salesforce;
    private final RecordSync recordSync;
    private final ProducerTemplate template;

    public SyncErrorRetry(SyncErrorStore store, MappingStore mappings, RecordLinks links, IntercomClient intercom,
                          SalesforceQueries salesforce, RecordSync recordSync, ProducerTemplate template) {
        this.store = store;
        this.mappings = mappings;
        this.links = links;
        this.intercom = intercom;
        this.salesforce = salesforce;
        this.recordSync = recordSync;
        this.template = template;
    }

    /** Retries the row; its ids must not both be empty. */
    public Outcome retry(StoredSyncError row) {
        SyncError error = row.error();
        Key key = new Key(error.salesforceId(), error.intercomId());
        if (key.salesforceId.isEmpty() && key.intercomId.isEmpty()) {
            throw new IllegalArgumentException("The row names neither a Salesforce nor an Intercom record.");
        }
        try {
            MappingSet set = mappings.current();
            ObjectType type = error.objectType();
            Map<String, Object> record = key.salesforceId.isEmpty() ? null : salesforceRecord(type, key.salesforceId, set);
            Pending pending = prepare(row, key, record, set);
            if (pending.outcome != null) {
                return pending.outcome;
            }
            return writeSalesforce(type, List.of(pending)).get(0);
        } catch (RuntimeException e) {
            return failed(row, key, Cause.of(e));
        }
    }

    /**
     * Retries the rows (each naming at least one record), in their order: the Salesforce records of
     * those that know both ids are read together, and their Salesforce writes sent together, in
     * Composite calls; a row that lacks an id is matched and retried on its own ({@link #retry}).
     */
    public List<Outcome> retryAll(List<StoredSyncError> rows) {
        Outcome[] outcomes = new Outcome[rows.size()];
        MappingSet set = mappings.current();
        for (ObjectType type : ObjectType.values()) {
            List<Integer> known = new ArrayList<>();
            for (int i = 0; i < rows.size(); i++) {
                SyncError error = rows.get(i).error();
                if (error.objectType() != type) {
                    continue;
                }
                if (error.salesforceId().isEmpty() || error.intercomId().isEmpty()) {
                    outcomes[i] = retry(rows.get(i));
                } else {
                    known.add(i);
                }
            }
            if (known.isEmpty()) {
                continue;
            }
            Map<String, Map<String, Object>> records;
            try {
                records = salesforceRecords(type, known.stream().map(i -> rows.get(i).error().salesforceId()).toList(), set);
            } catch (RuntimeException e) {
                for (int i : known) {
                    outcomes[i] = failed(rows.get(i), keyOf(rows.get(i)), Cause.of(e));
                }
                continue;
            }
            List<Pending> writes = new ArrayList<>();
            List<Integer> writeIndexes = new ArrayList<>();
            for (int i : known) {
                StoredSyncError row = rows.get(i);
                try {
                    Pending pending = prepare(row, keyOf(row), records.get(row.error().salesforceId()), set);
                    if (pending.outcome != null) {
                        outcomes[i] = pending.outcome;
                    } else {
                        writes.add(pending);
                        writeIndexes.add(i);
                    }
                } catch (RuntimeException e) {
                    outcomes[i] = failed(row, keyOf(row), Cause.of(e));
                }
            }
            List<Outcome> written = writeSalesforce(type, writes);
            for (int w = 0; w < written.size(); w++) {
                outcomes[writeIndexes.get(w)] = written.get(w);
            }
        }
        return List.of(outcomes);
    }

    /** A row whose Salesforce write is still to be sent (outcome null), or its outcome already. */
    private record Pending(StoredSyncError row, Key key, Map<String, Object> patch, Outcome outcome, RecordPair pair,
                           String syncedValues) {
    }

    private static Key keyOf(StoredSyncError row) {
        return new Key(row.error().salesforceId(), row.error().intercomId());
    }

    /**
     * Everything of one row's retry but the Salesforce write: its counterpart (when the row lacks an
     * id), the Intercom contact, the sync; an Intercom write goes at once.
     */
    private Pending prepare(StoredSyncError row, Key key, Map<String, Object> record, MappingSet set) {
        SyncError error = row.error();
        Direction direction = error.direction();
        ObjectType type = error.objectType();
        JsonNode contact = key.intercomId.isEmpty() ? null : intercom.get(key.intercomId);
        if (!key.salesforceId.isEmpty() && record == null) {
            return done(failed(row, key, new Cause("NOT_FOUND", "Salesforce has no " + type.salesforceObject() + " with Id "
                    + key.salesforceId + " any more.", null)));
        }
        if (key.salesforceId.isEmpty() || key.intercomId.isEmpty()) {
            Key found = counterpart(row, type, key, record, contact);
            if (found == null) {
                return done(failed(row, key, null));
            }
            if (found.salesforceId.isEmpty() || found.intercomId.isEmpty()) {
                store.delete(row.id());
                return done(new Outcome(true, null, "The record has no counterpart in the other system any more: "
                        + "nothing to sync."));
            }
            store.rekey(row.id(), found.salesforceId, found.intercomId);
            key = found;
            record = record != null ? record : salesforceRecord(type, key.salesforceId, set);
            contact = contact != null ? contact : intercom.get(key.intercomId);
            if (record == null) {
                return done(failed(row, key, new Cause("NOT_FOUND", "Salesforce has no " + type.salesforceObject()
                        + " with Id " + key.salesforceId + " any more.", null)));
            }
        }
        RecordPair pair = new RecordPair(type, key.salesforceId, key.intercomId, record,
                JSON.convertValue(contact, Map.class), set);
        RecordSync.Outcome sync = recordSync.sync(pair, direction, RETRY);
        if (sync.failed()) {
            return done(failed(row, key, null));
        }
        // the contact's values mapped to Salesforce, stored as synced once Salesforce holds them
        String syncedValues = direction == Direction.INTERCOM_TO_SALESFORCE && contact != null
                ? SyncedValues.of(set, type, contact) : null;
        if (sync.patch() != null && direction == Direction.INTERCOM_TO_SALESFORCE) {
            return new Pending(row, key, sync.patch(), null, pair, syncedValues);
        }
        if (syncedValues != null) {
            links.rememberIntercomStates(Map.of(key.intercomId, syncedValues));
        }
        if (sync.patch() != null) {
            recordSync.writeIntercom(pair, sync.patch(), RETRY);
        }
        return done(resolved(row, key, sync.patch() == null ? "Both records already hold the same values." : null));
    }

    private static Pending done(Outcome outcome) {
        return new Pending(null, null, null, outcome, null, null);
    }

    private Outcome resolved(StoredSyncError row, Key key, String note) {
        store.clear(row.error().direction().name(), key.salesforceId, key.intercomId);
        store.delete(row.id());
        return new Outcome(true, null, note);
    }

    /** Records the cause (when not recorded already) under the record's ids; answers the row as it now stands. */
    private Outcome failed(StoredSyncError row, Key key, Cause cause) {
        SyncError error = row.error();
        if (cause != null) {
            store.record(new SyncError(RETRY, error.direction(), error.objectType(), key.salesforceId, key.intercomId,
                    error.attributes(), cause.code(), cause.message(), cause.details()));
        }
        return new Outcome(false, store.find(error.direction(), error.objectType(), key.salesforceId, key.intercomId)
                .orElse(null), null);
    }

    private Map<String, Object> salesforceRecord(ObjectType type, String id, MappingSet set) {
        return salesforceRecords(type, List.of(id), set).get(id);
    }

    /** The records by Id, read with queries within the URL limit, sent together in Composite calls. */
    private Map<String, Map<String, Object>> salesforceRecords(ObjectType type, List<String> ids, MappingSet set) {
        List<String> fields = new ArrayList<>(List.of("Id", "Email"));
        set.salesforceFields(type).stream().filter(f -> !fields.contains(f)).forEach(fields::add);
        Map<String, Map<String, Object>> byId = new HashMap<>();
        for (Map<String, Object> r : salesforce.allInComposite(Soql.byIdsOrEmailsWithin(type.salesforceObject(), fields,
                List.copyOf(new LinkedHashSet<>(ids)), List.of(), Soql.MAX_ENCODED_QUERY_LENGTH))) {
            byId.put((String) r.get("Id"), r);
        }
        return byId;
    }

    /**
     * The record's counterpart by link, else by a unique e-mail match (then linked) as event sync
     * finds it: a key with an empty id when there is none; null when the match is ambiguous (recorded).
     */
    private Key counterpart(StoredSyncError row, ObjectType type, Key key, Map<String, Object> record, JsonNode contact) {
        if (!key.salesforceId.isEmpty()) {
            String linked = links.intercomIdsBySalesforceId(List.of(key.salesforceId)).get(key.salesforceId);
            if (linked != null) {
                return new Key(key.salesforceId, linked);
            }
        } else {
            String linked = links.salesforceIdsByIntercomId(List.of(key.intercomId)).get(key.intercomId);
            if (linked != null) {
                return new Key(linked, key.intercomId);
            }
        }
        String email = EmailMatcher.normalise(record != null ? (String) record.get("Email") : contact.path("email").asText(null));
        if (email == null || email.isEmpty()) {
            return key;
        }
        List<Candidate> salesforceSide = new ArrayList<>();
        for (Map<String, Object> r : salesforce.all(Soql.byIdsOrEmails(type.salesforceObject(), List.of("Id", "Email"),
                List.of(), List.of(email)))) {
            salesforceSide.add(new Candidate((String) r.get("Id"), (String) r.get("Email")));
        }
        List<Candidate> intercomSide = new ArrayList<>();
        for (JsonNode c : intercom.searchIn("email", Set.of(email), type.intercomRole())) {
            intercomSide.add(new Candidate(c.path("id").asText(), c.path("email").asText(null)));
        }
        // records already linked to another have their partner: they are not candidates
        Set<String> linkedSalesforce = links.intercomIdsBySalesforceId(salesforceSide.stream().map(Candidate::id).toList()).keySet();
        Set<String> linkedIntercom = links.salesforceIdsByIntercomId(intercomSide.stream().map(Candidate::id).toList()).keySet();
        EmailMatcher.Outcome outcome = EmailMatcher.match(
                salesforceSide.stream().filter(c -> !linkedSalesforce.contains(c.id())).toList(),
                intercomSide.stream().filter(c -> !linkedIntercom.contains(c.id())).toList());
        if (!outcome.ambiguities().isEmpty()) {
            SyncError error = row.error();
            store.record(new SyncError(RETRY, error.direction(), type, key.salesforceId, key.intercomId, List.of("email"),
                    "AMBIGUOUS_MATCH", outcome.ambiguities().get(0).describe(), null));
            return null;
        }
        for (Map.Entry<String, String> match : outcome.intercomIdBySalesforceId().entrySet()) {
            if (match.getKey().equals(key.salesforceId) || match.getValue().equals(key.intercomId)) {
                links.link(type, match.getKey(), match.getValue());
                return new Key(match.getKey(), match.getValue());
            }
        }
        return key;
    }

    /**
     * The rows' Salesforce writes in Composite calls of up to 5 sObject Collections updates of 200:
     * each row resolved when Salesforce took its record, else failed with Salesforce's reason (a call
     * that failed as a whole: each of its rows with that failure).
     */
    private List<Outcome> writeSalesforce(ObjectType type, List<Pending> writes) {
        List<Outcome> outcomes = new ArrayList<>();
        List<SObjectPatch> patches = writes.stream()
                .map(w -> new SObjectPatch(type.salesforceObject(), w.key.salesforceId, w.patch)).toList();
        List<String> calls = CompositeRequest.updateCalls(salesforce.apiVersion(), patches);
        for (int c = 0; c < calls.size(); c++) {
            List<Pending> inCall = writes.subList(c * IntercomToSalesforce.RECORDS_PER_CALL,
                    Math.min(writes.size(), (c + 1) * IntercomToSalesforce.RECORDS_PER_CALL));
            List<CompositeRequest.Result> results;
            try {
                results = CompositeRequest.results(template.requestBody("direct:salesforce-update-records", calls.get(c),
                        String.class));
            } catch (RuntimeException e) {
                inCall.forEach(w -> outcomes.add(failed(w.row, w.key, Cause.of(e))));
                continue;
            }
            for (int i = 0; i < inCall.size(); i++) {
                Pending w = inCall.get(i);
                CompositeRequest.Result result = i / CompositeRequest.COLLECTION_SIZE < results.size()
                        ? results.get(i / CompositeRequest.COLLECTION_SIZE) : null;
                JsonNode record = result != null && result.ok() ? result.body().path(i % CompositeRequest.COLLECTION_SIZE) : null;
                if (record != null && record.path("success").asBoolean(false)) {
                    recordSync.salesforceWritten(RETRY, null, List.of(new RecordSync.Written(w.pair, w.patch)));
                    links.markSynced(List.of(w.key.salesforceId)); // its inbox card read before: out of date
                    if (w.syncedValues != null) {
                        links.rememberIntercomStates(Map.of(w.key.intercomId, w.syncedValues));
                    }
                    outcomes.add(resolved(w.row, w.key, null));
                } else if (record != null) {
                    JsonNode first = record.path("errors").path(0);
                    outcomes.add(failed(w.row, w.key, new Cause(first.path("statusCode").asText("UNKNOWN"),
                            first.path("message").asText("Salesforce did not say why the update failed"),
                            record.path("errors").toString())));
                } else {
                    outcomes.add(failed(w.row, w.key, result == null
                            ? new Cause("UNKNOWN", "Salesforce did not answer the update", null)
                            : new Cause(result.errorCode(), result.errorMessage(), result.body().toString())));
                }
            }
        }
        return outcomes;
    }

    private record Key(String salesforceId, String intercomId) {
    }
}

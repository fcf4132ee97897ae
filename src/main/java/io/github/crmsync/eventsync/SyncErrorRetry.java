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
import io.github.crmsync.salesforce.SObjectPatch;
import io.github.crmsync.salesforce.SalesforceQueries;
import io.github.crmsync.salesforce.Soql;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.salesforce.api.dto.RestError;
import org.apache.camel.component.salesforce.api.dto.SaveSObjectResult;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Retries one sync-errors row: re-reads both records' current values, matches them by e-mail when
 * the row does not know both ids, and syncs that one record in the row's direction now, as sync
 * type {@code RETRY}. A success removes the row; a failure updates it (attempts + 1, the new cause).
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
        Direction direction = error.direction();
        ObjectType type = error.objectType();
        Key key = new Key(error.salesforceId(), error.intercomId());
        if (key.salesforceId.isEmpty() && key.intercomId.isEmpty()) {
            throw new IllegalArgumentException("The row names neither a Salesforce nor an Intercom record.");
        }
        try {
            MappingSet set = mappings.current();
            Map<String, Object> record = key.salesforceId.isEmpty() ? null : salesforceRecord(type, key.salesforceId, set);
            JsonNode contact = key.intercomId.isEmpty() ? null : intercom.get(key.intercomId);
            if (!key.salesforceId.isEmpty() && record == null) {
                return failed(row, key, new Cause("NOT_FOUND", "Salesforce has no " + type.salesforceObject() + " with Id "
                        + key.salesforceId + " any more.", null));
            }
            if (key.salesforceId.isEmpty() || key.intercomId.isEmpty()) {
                Key found = counterpart(row, type, key, record, contact);
                if (found == null) {
                    return failed(row, key, null);
                }
                if (found.salesforceId.isEmpty() || found.intercomId.isEmpty()) {
                    store.delete(row.id());
                    return new Outcome(true, null, "The record has no counterpart in the other system any more: "
                            + "nothing to sync.");
                }
                store.rekey(row.id(), found.salesforceId, found.intercomId);
                key = found;
                record = record != null ? record : salesforceRecord(type, key.salesforceId, set);
                contact = contact != null ? contact : intercom.get(key.intercomId);
                if (record == null) {
                    return failed(row, key, new Cause("NOT_FOUND", "Salesforce has no " + type.salesforceObject()
                            + " with Id " + key.salesforceId + " any more.", null));
                }
            }
            RecordPair pair = new RecordPair(type, key.salesforceId, key.intercomId, record,
                    JSON.convertValue(contact, Map.class), set);
            RecordSync.Outcome sync = recordSync.sync(pair, direction, RETRY);
            if (sync.failed()) {
                return failed(row, key, null);
            }
            if (sync.patch() != null) {
                if (direction == Direction.SALESFORCE_TO_INTERCOM) {
                    recordSync.writeIntercom(pair, sync.patch(), RETRY);
                } else {
                    Cause refused = writeSalesforce(type, key.salesforceId, sync.patch());
                    if (refused != null) {
                        return failed(row, key, refused);
                    }
                    recordSync.salesforceWritten(RETRY, 1);
                    links.markSynced(List.of(key.salesforceId)); // its inbox card read before: out of date
                }
            }
            store.clear(direction.name(), key.salesforceId, key.intercomId);
            store.delete(row.id());
            return new Outcome(true, null, sync.patch() == null ? "Both records already hold the same values." : null);
        } catch (RuntimeException e) {
            return failed(row, key, Cause.of(e));
        }
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
        List<String> fields = new ArrayList<>(List.of("Id", "Email"));
        set.salesforceFields(type).stream().filter(f -> !fields.contains(f)).forEach(fields::add);
        List<Map<String, Object>> records = salesforce.all(Soql.byIdsOrEmails(type.salesforceObject(), fields,
                List.of(id), List.of()));
        return records.isEmpty() ? null : records.get(0);
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

    /** One sObject Collections update of the record; null when Salesforce took it, else its reason. */
    private Cause writeSalesforce(ObjectType type, String salesforceId, Map<String, Object> patch) {
        List<?> results = template.requestBody("direct:salesforce-update-records",
                List.of(new SObjectPatch(type.salesforceObject(), salesforceId, patch)), List.class);
        SaveSObjectResult result = results == null || results.isEmpty() ? null : (SaveSObjectResult) results.get(0);
        if (result != null && Boolean.TRUE.equals(result.getSuccess())) {
            return null;
        }
        RestError first = result == null || result.getErrors() == null || result.getErrors().isEmpty()
                ? null : result.getErrors().get(0);
        return new Cause(first != null ? first.getErrorCode() : "UNKNOWN",
                first != null ? first.getMessage() : "Salesforce did not say why the update failed",
                result == null ? null : String.valueOf(result.getErrors()));
    }

    private record Key(String salesforceId, String intercomId) {
    }
}

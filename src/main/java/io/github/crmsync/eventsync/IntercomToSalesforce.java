package io.github.crmsync.eventsync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crmsync.errors.FailureClassifier;
import io.github.crmsync.errors.SyncError;
import io.github.crmsync.errors.SyncErrorStore;
import io.github.crmsync.errors.SyncFailures;
import io.github.crmsync.eventsync.IntercomChanges.Change;
import io.github.crmsync.eventsync.IntercomChanges.Claim;
import io.github.crmsync.intercom.IntercomClient;
import io.github.crmsync.mapping.Direction;
import io.github.crmsync.mapping.MappingSet;
import io.github.crmsync.mapping.MappingStore;
import io.github.crmsync.mapping.ObjectType;
import io.github.crmsync.matching.EmailMatcher;
import io.github.crmsync.matching.EmailMatcher.Candidate;
import io.github.crmsync.matching.RecordLinks;
import io.github.crmsync.salesforce.CompositeRequest;
import io.github.crmsync.salesforce.SalesforceQueries;
import io.github.crmsync.salesforce.SObjectPatch;
import io.github.crmsync.salesforce.Soql;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Event sync, Intercom → Salesforce: takes a batch of stored changes (up to 1,000 of one object
 * type), reads the paired Salesforce records' current values (by link, or by e-mail for contacts
 * not linked yet) in one Composite call of up to 5 queries, and writes the differences in Composite
 * calls of up to 5 sObject Collections updates of 200 (one call for a batch of 1,000). A batch of
 * N ≤ 1,000 changes therefore costs two Salesforce calls. A record Salesforce refuses is that record's
 * sync error only (Collections {@code allOrNone=false}, Composite {@code allOrNone=false}). A batch (or
 * one of its write calls) that fails as a whole is given back and tried again; its changes that have
 * failed so {@code crmsync.event.whole-page-attempts} times are then written contact by contact, and
 * what still fails becomes that contact's sync error.
 */
public final class IntercomToSalesforce {

    /** One batch in flight: the claim, and the pairs and patches worked out for it. */
    public static final class Batch {
        private final ObjectType type;
        private final Claim claim;
        private final Map<String, String> salesforceIdByIntercomId = new HashMap<>();
        private final List<RecordPair> written = new ArrayList<>();
        // what each written pair was sent, for the change history
        private final Map<RecordPair, Map<String, Object>> patchOf = new java.util.IdentityHashMap<>();
        private final Map<String, String> stateByIntercomId = new HashMap<>();
        private final Map<String, String> settled = new HashMap<>();
        private final Set<Long> released = new HashSet<>();
        private MappingSet mappings = MappingSet.empty();
        private final long claimedAtNanos = System.nanoTime();
        private volatile long renewedAtNanos = claimedAtNanos;

        Batch(ObjectType type, Claim claim) {
            this.type = type;
            this.claim = claim;
        }

        public ObjectType type() {
            return type;
        }

        public int size() {
            return claim.changes().size();
        }

        /** One contact's changes taken on their own, after batches holding them failed as a whole. */
        public boolean alone() {
            return claim.alone();
        }
    }

    /** Changes taken at once: read in one Composite call, written in one of 5 sObject Collections of 200. */
    public static final int BATCH_SIZE = 1000;
    /** Records one Composite write call updates: 5 sObject Collections of 200. */
    public static final int RECORDS_PER_CALL = CompositeRequest.MAX_COLLECTIONS_OR_QUERIES * CompositeRequest.COLLECTION_SIZE;
    /** A batch's claim is renewed for at most this many leases. */
    private static final int MAX_HOLD_LEASES = 10;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = LoggerFactory.getLogger(IntercomToSalesforce.class);

    private final IntercomChanges changes;
    private final MappingStore mappings;
    private final RecordLinks links;
    private final IntercomClient intercom;
    private final SyncErrorStore errors;
    private final SalesforceQueries salesforce;
    private final RecordSync recordSync;
    private final String replicaId;
    private final Duration window;
    private final int wholeBatchAttempts;
    private volatile boolean stopping;
    /** Batches claimed here and not yet completed or given back: their claims are renewed while they run. */
    private final Set<Batch> inFlight = ConcurrentHashMap.newKeySet();

    public IntercomToSalesforce(IntercomChanges changes, MappingStore mappings, RecordLinks links, IntercomClient intercom,
                                SyncErrorStore errors, SalesforceQueries salesforce, RecordSync recordSync,
                                String replicaId, Duration window) {
        this(changes, mappings, links, intercom, errors, salesforce, recordSync, replicaId, window, 3);
    }

    public IntercomToSalesforce(IntercomChanges changes, MappingStore mappings, RecordLinks links, IntercomClient intercom,
                                SyncErrorStore errors, SalesforceQueries salesforce, RecordSync recordSync,
                                String replicaId, Duration window, int wholeBatchAttempts) {
        this.wholeBatchAttempts = wholeBatchAttempts;
        this.changes = changes;
        this.mappings = mappings;
        this.links = links;
        this.intercom = intercom;
        this.errors = errors;
        this.salesforce = salesforce;
        this.recordSync = recordSync;
        this.replicaId = replicaId;
        this.window = window;
    }

    /** The next batch ready to write, or null when none is (yet); {@code now}: without waiting for the window ("poll now"). */
    public Batch claimBatch(boolean now) {
        return claim(now ? Duration.ZERO : window);
    }

    /** Takes no new batch from now on: the service is stopping and drains only what it holds. */
    public void stopClaiming() {
        stopping = true;
    }

    private Batch claim(Duration wait) {
        if (stopping) {
            return null;
        }
        for (ObjectType type : ObjectType.values()) {
            Claim alone = changes.claimAlone(replicaId, type.intercomRole());
            if (!alone.isEmpty()) {
                return held(new Batch(type, alone));
            }
            Claim claim = changes.claim(replicaId, type.intercomRole(), BATCH_SIZE, wait);
            if (!claim.isEmpty()) {
                return held(new Batch(type, claim));
            }
        }
        return null;
    }

    private Batch held(Batch batch) {
        inFlight.add(batch);
        return batch;
    }

    /**
     * Renews the claims of the batches this replica is writing once a quarter of the lease has passed
     * since their last renewal: a write that outlasts the lease (a slow Salesforce, retries) would
     * otherwise be claimed and written a second time, here or by another replica. A batch is held
     * for at most ten leases (a write that never ends must not hold its changes for ever), and one
     * whose claims were all given back is forgotten. Returns how many changes it renewed.
     */
    public int renewClaims() {
        long lease = changes.claimLease().toNanos();
        long now = System.nanoTime();
        List<Batch> due = new ArrayList<>();
        for (Batch batch : inFlight) {
            if (now - batch.claimedAtNanos >= MAX_HOLD_LEASES * lease) {
                inFlight.remove(batch);
                LOG.warn("A batch of {} {} change(s) is still being written after {} ms; its claim is no longer "
                        + "renewed, so it can be taken again", batch.size(), batch.type, MAX_HOLD_LEASES * changes.claimLease().toMillis());
            } else if (now - batch.renewedAtNanos >= lease / 4) {
                due.add(batch);
            }
        }
        if (due.isEmpty()) {
            return 0;
        }
        Set<Long> held = changes.renew(replicaId, due.stream().flatMap(b -> b.claim.rowIds().stream()).toList());
        for (Batch batch : due) {
            batch.renewedAtNanos = now;
            if (batch.claim.rowIds().stream().noneMatch(held::contains)) {
                inFlight.remove(batch);
            }
        }
        return held.size();
    }

    /**
     * Reads the batch's Salesforce records (linked ones by Id, the others by e-mail) with as few
     * queries as fit in Salesforce's URL length, sent together in Composite calls, matches the
     * unlinked ones, and returns the Composite write calls to send (their JSON bodies): up to 5
     * sObject Collections updates of 200 records whose mapped values differ.
     */
    public List<String> salesforceUpdates(Batch batch) {
        batch.mappings = mappings.current();
        if (batch.mappings.forObject(batch.type, Direction.INTERCOM_TO_SALESFORCE).isEmpty()) {
            return List.of();
        }
        List<String> intercomIds = batch.claim.changes().stream().map(Change::intercomId).toList();
        batch.salesforceIdByIntercomId.putAll(links.salesforceIdsByIntercomId(intercomIds));
        Map<String, String> lastSynced = links.intercomStates(intercomIds);
        List<Change> toSync = new ArrayList<>();
        for (Change change : batch.claim.changes()) {
            String state = IntercomFingerprint.of(batch.mappings, batch.type, change.contact());
            batch.stateByIntercomId.put(change.intercomId(), state);
            if (!state.equals(lastSynced.get(change.intercomId()))) {
                toSync.add(change);
            }
        }
        if (toSync.isEmpty()) {
            return List.of();
        }
        Set<String> salesforceIds = new LinkedHashSet<>();
        Set<String> emails = new LinkedHashSet<>();
        for (Change change : toSync) {
            String linked = batch.salesforceIdByIntercomId.get(change.intercomId());
            if (linked != null) {
                salesforceIds.add(linked);
            }
            String email = EmailMatcher.normalise(change.contact().path("email").asText(null));
            if (!batch.salesforceIdByIntercomId.containsKey(change.intercomId()) && email != null && !email.isEmpty()) {
                emails.add(email);
            }
        }
        List<String> fields = new ArrayList<>(List.of("Id", "Email"));
        fields.addAll(batch.mappings.salesforceFields(batch.type));
        List<Map<String, Object>> records = salesforce.allInComposite(Soql.byIdsOrEmailsWithin(
                batch.type.salesforceObject(), fields, List.copyOf(salesforceIds), List.copyOf(emails),
                Soql.MAX_ENCODED_QUERY_LENGTH));
        Map<String, Map<String, Object>> salesforceById = new HashMap<>();
        records.forEach(r -> salesforceById.put((String) r.get("Id"), r));
        matchUnlinked(batch, records);

        List<SObjectPatch> patches = new ArrayList<>();
        for (Change change : toSync) {
            String sfId = batch.salesforceIdByIntercomId.get(change.intercomId());
            Map<String, Object> record = sfId == null ? null : salesforceById.get(sfId);
            if (record == null) {
                if (sfId == null) {
                    continue;
                }
                // linked to a record the query no longer returns (deleted or merged): the update lets
                // Salesforce say so, and the change becomes that record's sync error instead of vanishing
                record = Map.of("Id", sfId);
            }
            RecordPair pair = new RecordPair(batch.type, sfId, change.intercomId(), record,
                    JSON.convertValue(change.contact(), Map.class), batch.mappings);
            RecordSync.Outcome outcome = recordSync.sync(pair, Direction.INTERCOM_TO_SALESFORCE, "EVENT");
            if (outcome.patch() != null) {
                patches.add(new SObjectPatch(batch.type.salesforceObject(), sfId, outcome.patch()));
                batch.written.add(pair);
                batch.patchOf.put(pair, outcome.patch());
            } else if (!outcome.failed()) {
                batch.settled.put(change.intercomId(), batch.stateByIntercomId.get(change.intercomId()));
            }
        }
        return updateCalls(salesforce.apiVersion(), patches);
    }

    /** The Composite write calls for these patches: each up to 5 sObject Collections updates of 200. */
    static List<String> updateCalls(String apiVersion, List<SObjectPatch> patches) {
        List<String> calls = new ArrayList<>();
        for (List<SObjectPatch> call : SalesforceToIntercom.chunks(patches, RECORDS_PER_CALL)) {
            CompositeRequest request = new CompositeRequest(apiVersion);
            List<List<SObjectPatch>> collections = SalesforceToIntercom.chunks(call, CompositeRequest.COLLECTION_SIZE);
            for (int i = 0; i < collections.size(); i++) {
                request.update("update" + i, collections.get(i));
            }
            calls.add(request.json());
        }
        return calls;
    }

    /**
     * Records the answer of one Composite write call: each record Salesforce took, and each it refused
     * as a sync error of that record only (a Collections subrequest refused as a whole: each of its
     * records, with the subrequest's error).
     */
    public void results(Batch batch, int call, String answer) {
        List<RecordPair> pairs = batch.written.subList(Math.min(batch.written.size(), call * RECORDS_PER_CALL),
                Math.min(batch.written.size(), (call + 1) * RECORDS_PER_CALL));
        List<CompositeRequest.Result> results = CompositeRequest.results(answer);
        List<RecordSync.Written> taken = new ArrayList<>();
        for (int j = 0; j * CompositeRequest.COLLECTION_SIZE < pairs.size(); j++) {
            // an update the answer lacks is an error of each of its records, never silently done
            CompositeRequest.Result result = j < results.size() ? results.get(j) : new CompositeRequest.Result("update" + j,
                    0, JSON.valueToTree(List.of(Map.of("errorCode", "UNKNOWN", "message",
                            "Salesforce's Composite answer holds no result for this update"))));
            List<RecordPair> collection = pairs.subList(Math.min(pairs.size(), j * CompositeRequest.COLLECTION_SIZE),
                    Math.min(pairs.size(), (j + 1) * CompositeRequest.COLLECTION_SIZE));
            for (int i = 0; i < collection.size(); i++) {
                RecordPair pair = collection.get(i);
                JsonNode record = result.ok() ? result.body().path(i) : null;
                if (record != null && record.path("success").asBoolean(false)) {
                    errors.clear(Direction.INTERCOM_TO_SALESFORCE.name(), pair.salesforceId(), pair.intercomId());
                    taken.add(new RecordSync.Written(pair, batch.patchOf.get(pair)));
                    batch.settled.put(pair.intercomId(), batch.stateByIntercomId.get(pair.intercomId()));
                } else if (record != null) {
                    JsonNode first = record.path("errors").path(0);
                    List<String> fields = new ArrayList<>();
                    first.path("fields").forEach(f -> fields.add(f.asText()));
                    errors.record(new SyncError("EVENT", Direction.INTERCOM_TO_SALESFORCE, pair.objectType(),
                            pair.salesforceId(), pair.intercomId(), fields, first.path("statusCode").asText("UNKNOWN"),
                            first.path("message").asText("Salesforce did not say why the update failed"),
                            record.path("errors").toString()));
                } else {
                    errors.record(new SyncError("EVENT", Direction.INTERCOM_TO_SALESFORCE, pair.objectType(),
                            pair.salesforceId(), pair.intercomId(), List.of(), result.errorCode(), result.errorMessage(),
                            result.body().toString()));
                }
            }
        }
        recordSync.salesforceWritten("EVENT", null, taken);
    }

    /**
     * A write call (chunk: its index; or, with no chunk, the batch's reading) failed past its retries. In a batch,
     * its changes are counted and given back, to be tried again (on their own once they have failed
     * as a whole {@code crmsync.event.whole-page-attempts} times). Taken on their own, each record
     * becomes one sync error with the cause, so the batch can complete and nothing is lost.
     */
    public void failed(Batch batch, Integer chunk, Throwable failure, Integer attempts) {
        if (chunk == null && FailureClassifier.limitExceeded(failure)) {
            // the day's allowance is spent: keep the changes for when the tier allows event sync again
            changes.release(batch.claim.rowIds());
            inFlight.remove(batch);
            return;
        }
        if (chunk == null && !WholeFailures.counts(failure)) {
            // an open breaker: the system is unavailable, not this batch bad; tried again as it was
            changes.release(batch.claim.rowIds());
            inFlight.remove(batch);
            return;
        }
        SyncFailures.Cause cause = SyncFailures.Cause.of(failure);
        List<RecordPair> pairs = new ArrayList<>();
        if (chunk != null) {
            pairs.addAll(batch.written.subList(Math.min(batch.written.size(), chunk * RECORDS_PER_CALL),
                    Math.min(batch.written.size(), (chunk + 1) * RECORDS_PER_CALL)));
        }
        if (!batch.alone()) {
            List<String> intercomIds = chunk != null ? pairs.stream().map(RecordPair::intercomId).toList()
                    : batch.claim.changes().stream().map(Change::intercomId).toList();
            intercomIds.forEach(batch.settled::remove);
            batch.released.addAll(changes.batchFailed(batch.claim.rowIds(), intercomIds));
            LOG.warn("{} {} change(s) of a batch failed as a whole; given back to be tried again "
                    + "(on their own after {} such failures): {}", intercomIds.size(), batch.type, wholeBatchAttempts, cause.message());
            if (chunk == null) {
                complete(batch);
            }
            return;
        }
        String details = SyncFailures.withAttempts(cause.details(), attempts == null ? 1 : Math.max(1, attempts));
        if (chunk == null) {
            List<String> unknown = batch.claim.changes().stream().map(Change::intercomId)
                    .filter(id -> !batch.salesforceIdByIntercomId.containsKey(id)).toList();
            batch.salesforceIdByIntercomId.putAll(links.salesforceIdsByIntercomId(unknown));
            for (Change change : batch.claim.changes()) {
                pairs.add(new RecordPair(batch.type, batch.salesforceIdByIntercomId.get(change.intercomId()),
                        change.intercomId(), Map.of(), Map.of(), batch.mappings));
            }
        }
        for (RecordPair pair : pairs) {
            batch.settled.remove(pair.intercomId());
            errors.record(new SyncError("EVENT", Direction.INTERCOM_TO_SALESFORCE, pair.objectType(), pair.salesforceId(),
                    pair.intercomId(), List.of(), cause.code(), cause.message(), details));
        }
        if (chunk == null) {
            complete(batch);
        }
    }

    /**
     * Waits (at most {@code max}) until batches that other threads or replicas are writing are done,
     * so that "poll now" answers when every change it could see has reached Salesforce.
     */
    public void awaitInFlight(Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (changes.inFlight() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }

    /** The batch was written or its failures recorded: its changes are done (except those given back to try again). */
    public void complete(Batch batch) {
        inFlight.remove(batch);
        links.rememberIntercomStates(batch.settled);
        List<Long> done = batch.claim.rowIds().stream().filter(id -> !batch.released.contains(id)).toList();
        if (!done.isEmpty()) {
            changes.complete(done);
        }
    }

    private void matchUnlinked(Batch batch, List<Map<String, Object>> salesforceRecords) {
        List<Change> unlinked = batch.claim.changes().stream()
                .filter(c -> !batch.salesforceIdByIntercomId.containsKey(c.intercomId())).toList();
        if (unlinked.isEmpty()) {
            return;
        }
        Set<String> linkedSalesforce = Set.copyOf(batch.salesforceIdByIntercomId.values());
        List<Candidate> salesforceSide = salesforceRecords.stream()
                .filter(r -> !linkedSalesforce.contains((String) r.get("Id")))
                .map(r -> new Candidate((String) r.get("Id"), (String) r.get("Email"))).toList();
        Set<String> alreadyLinked = links.intercomIdsBySalesforceId(salesforceSide.stream().map(Candidate::id).toList()).keySet();
        salesforceSide = salesforceSide.stream().filter(c -> !alreadyLinked.contains(c.id())).toList();
        if (salesforceSide.isEmpty()) {
            return;
        }
        // Other Intercom contacts with the same e-mail make a match ambiguous: ask Intercom, not just this batch.
        Set<String> emails = new LinkedHashSet<>();
        salesforceSide.forEach(c -> emails.add(EmailMatcher.normalise(c.email())));
        List<Candidate> intercomSide = new ArrayList<>();
        unlinked.forEach(c -> intercomSide.add(new Candidate(c.intercomId(), c.contact().path("email").asText(null))));
        for (JsonNode contact : intercom.searchIn("email", emails, batch.type.intercomRole())) {
            intercomSide.add(new Candidate(contact.path("id").asText(), contact.path("email").asText(null)));
        }
        EmailMatcher.Outcome outcome = EmailMatcher.match(salesforceSide, intercomSide);
        Set<String> unlinkedIds = new LinkedHashSet<>();
        unlinked.forEach(c -> unlinkedIds.add(c.intercomId()));
        for (EmailMatcher.Ambiguity ambiguity : outcome.ambiguities()) {
            for (String icId : ambiguity.intercomIds()) {
                if (unlinkedIds.contains(icId)) {
                    errors.record(new SyncError("EVENT", Direction.INTERCOM_TO_SALESFORCE, batch.type, "", icId,
                            List.of("email"), "AMBIGUOUS_MATCH", ambiguity.describe(), null));
                }
            }
        }
        outcome.intercomIdBySalesforceId().forEach((sfId, icId) -> {
            if (unlinkedIds.contains(icId)) {
                links.link(batch.type, sfId, icId);
                batch.salesforceIdByIntercomId.put(icId, sfId);
            }
        });
    }
}

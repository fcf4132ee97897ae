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
import io.github.crmsync.mapping.AttributeMapping;
import io.github.crmsync.mapping.Direction;
import io.github.crmsync.mapping.MappingSet;
import io.github.crmsync.mapping.MappingStore;
import io.github.crmsync.mapping.ObjectType;
import io.github.crmsync.matching.EmailMatcher;
import io.github.crmsync.matching.EmailMatcher.Candidate;
import io.github.crmsync.matching.RecordLinks;
import io.github.crmsync.salesforce.CompositeRequest;
import io.github.crmsync.salesforce.QueryPage;
import io.github.crmsync.salesforce.SalesforceQueries;
import io.github.crmsync.salesforce.SObjectPatch;
import io.github.crmsync.salesforce.Soql;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Event sync, Intercom → Salesforce: takes a batch of stored changes (up to 1,000, Contacts and Leads
 * together) and writes them in Composite calls of up to 5 sObject Collections updates of 200 records
 * of either type: a full batch is one Salesforce call. A linked contact whose Intercom values as last
 * synced are stored (see {@link SyncedValues}) needs no read: the attributes whose Intercom value
 * changed since are written. Salesforce is read only for contacts not linked yet (matched by e-mail)
 * and links without stored values, in queries that go in the same Composite call as the writes while
 * the 5 "heavy" subrequests allow. A record Salesforce refuses is that record's sync error only
 * (Collections {@code allOrNone=false}, Composite {@code allOrNone=false}). A call that fails as a
 * whole ends the batch: its unfinished changes are given back and tried again; those that have failed
 * so {@code crmsync.event.whole-page-attempts} times are then written contact by contact, and what
 * still fails becomes that contact's sync error.
 */
public final class IntercomToSalesforce {

    /** One batch in flight: the claim, and what it still has to read and write. */
    public static final class Batch {
        private final Claim claim;
        private final Map<String, Change> changeByIntercomId = new HashMap<>();
        private final Map<String, String> salesforceIdByIntercomId = new HashMap<>();
        /** The values to store for each contact once its change is synced. */
        private final Map<String, String> valuesAfter = new HashMap<>();
        private final Map<String, String> settled = new HashMap<>();
        /** Contacts whose change is written, recorded as an error, or has nothing to do. */
        private final Set<String> done = new HashSet<>();
        private final Set<Long> released = new HashSet<>();
        /** Changes waiting for a read of Salesforce, and the queries still to send. */
        private final Map<ObjectType, List<Change>> awaitingRead = new EnumMap<>(ObjectType.class);
        private final Deque<Read> reads = new ArrayDeque<>();
        private final Map<ObjectType, List<Map<String, Object>>> readRecords = new EnumMap<>(ObjectType.class);
        private final Deque<Write> writes = new ArrayDeque<>();
        /** What the call being sent carries: its queries, then its Collections updates. */
        private final List<Read> callReads = new ArrayList<>();
        private final List<List<Write>> callWrites = new ArrayList<>();
        private boolean prepared;
        private MappingSet mappings = MappingSet.empty();
        private final long claimedAtNanos = System.nanoTime();
        private volatile long renewedAtNanos = claimedAtNanos;

        Batch(Claim claim) {
            this.claim = claim;
            claim.changes().forEach(c -> changeByIntercomId.put(c.intercomId(), c));
        }

        public int size() {
            return claim.changes().size();
        }

        /** One contact's changes taken on their own, after batches holding them failed as a whole. */
        public boolean alone() {
            return claim.alone();
        }

        /** The object types of the batch's changes. */
        public Set<ObjectType> types() {
            Set<ObjectType> types = EnumSet.noneOf(ObjectType.class);
            claim.changes().forEach(c -> types.add(typeOf(c)));
            return types;
        }

        private List<String> unfinished() {
            return claim.changes().stream().map(Change::intercomId).filter(id -> !done.contains(id)).toList();
        }

        private Progress progress() {
            Map<ObjectType, List<Change>> awaiting = new EnumMap<>(ObjectType.class);
            awaitingRead.forEach((type, changes) -> awaiting.put(type, new ArrayList<>(changes)));
            Map<ObjectType, List<Map<String, Object>>> read = new EnumMap<>(ObjectType.class);
            readRecords.forEach((type, records) -> read.put(type, new ArrayList<>(records)));
            // copies that keep nulls: a contact's values after may be null (nothing to store)
            return new Progress(new HashMap<>(salesforceIdByIntercomId), new HashMap<>(valuesAfter), new HashMap<>(settled),
                    new HashSet<>(done), new HashSet<>(released), awaiting, new ArrayList<>(reads), read,
                    new ArrayList<>(writes), new ArrayList<>(callReads), new ArrayList<>(callWrites), prepared, mappings);
        }

        private void restore(Progress p) {
            replace(salesforceIdByIntercomId, p.salesforceIdByIntercomId());
            replace(valuesAfter, p.valuesAfter());
            replace(settled, p.settled());
            done.clear();
            done.addAll(p.done());
            released.clear();
            released.addAll(p.released());
            awaitingRead.clear();
            p.awaitingRead().forEach((type, changes) -> awaitingRead.put(type, new ArrayList<>(changes)));
            reads.clear();
            reads.addAll(p.reads());
            readRecords.clear();
            p.readRecords().forEach((type, records) -> readRecords.put(type, new ArrayList<>(records)));
            writes.clear();
            writes.addAll(p.writes());
            callReads.clear();
            callReads.addAll(p.callReads());
            callWrites.clear();
            callWrites.addAll(p.callWrites());
            prepared = p.prepared();
            mappings = p.mappings();
        }

        private static <K, V> void replace(Map<K, V> map, Map<K, V> with) {
            map.clear();
            map.putAll(with);
        }
    }

    /** A batch's progress between two of its steps (see {@link #wholeStep}). */
    private record Progress(Map<String, String> salesforceIdByIntercomId, Map<String, String> valuesAfter,
                            Map<String, String> settled, Set<String> done, Set<Long> released,
                            Map<ObjectType, List<Change>> awaitingRead, List<Read> reads,
                            Map<ObjectType, List<Map<String, Object>>> readRecords, List<Write> writes,
                            List<Read> callReads, List<List<Write>> callWrites, boolean prepared, MappingSet mappings) {
    }

    /**
     * Runs one of a batch's steps whole or not at all: a call inside it that fails (a schema read,
     * an Intercom search) has the route's error handling do the step again, which must then find the
     * batch as the step found it; a step redone from half-way would complete the changes it had not
     * reached without writing them.
     */
    private static <T> T wholeStep(Batch batch, Supplier<T> step) {
        Progress before = batch.progress();
        try {
            return step.get();
        } catch (RuntimeException failure) {
            batch.restore(before);
            throw failure;
        }
    }

    /** A query of Salesforce records a batch needs (by Id or by e-mail) for one object type. */
    private record Read(ObjectType type, String soql) {
    }

    /** One record's update: the pair and the fields to write. */
    private record Write(RecordPair pair, Map<String, Object> patch) {
    }

    /** Changes taken at once: written in one Composite call of 5 sObject Collections updates of 200. */
    public static final int BATCH_SIZE = 1000;
    /** Records one Composite write call updates: 5 sObject Collections of 200. */
    public static final int RECORDS_PER_CALL = CompositeRequest.MAX_COLLECTIONS_OR_QUERIES * CompositeRequest.COLLECTION_SIZE;
    /** A batch's claim is renewed for at most this many leases. */
    private static final int MAX_HOLD_LEASES = 10;
    private static final List<String> ROLES = Arrays.stream(ObjectType.values()).map(ObjectType::intercomRole).toList();
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

    /**
     * A contact's changes on their own when one waits, else a batch of Contacts and Leads together:
     * when the oldest change of either has waited the window, the other type's waiting changes go
     * in the same call rather than in a call of their own.
     */
    private Batch claim(Duration wait) {
        if (stopping) {
            return null;
        }
        for (ObjectType type : ObjectType.values()) {
            Claim alone = changes.claimAlone(replicaId, type.intercomRole());
            if (!alone.isEmpty()) {
                return held(new Batch(alone));
            }
        }
        Claim claim = changes.claim(replicaId, ROLES, BATCH_SIZE, wait);
        return claim.isEmpty() ? null : held(new Batch(claim));
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
                LOG.warn("A batch of {} change(s) is still being written after {} ms; its claim is no longer "
                        + "renewed, so it can be taken again", batch.size(), MAX_HOLD_LEASES * changes.claimLease().toMillis());
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
     * The batch's next Composite call (its JSON body), or null when nothing is left to send: the
     * queries still to read first, then as many Collections updates of 200 as the 5 "heavy"
     * subrequests of a call leave room for. The first call works out what each change needs.
     */
    public String nextCall(Batch batch) {
        return wholeStep(batch, () -> call(batch));
    }

    private String call(Batch batch) {
        if (!batch.prepared) {
            prepare(batch);
        }
        batch.callReads.clear();
        batch.callWrites.clear();
        CompositeRequest request = new CompositeRequest(salesforce.apiVersion());
        while (!batch.reads.isEmpty() && request.roomForCollectionOrQuery()) {
            Read read = batch.reads.poll();
            request.query("read" + batch.callReads.size(), read.soql());
            batch.callReads.add(read);
        }
        while (!batch.writes.isEmpty() && request.roomForCollectionOrQuery()) {
            List<Write> collection = new ArrayList<>();
            while (!batch.writes.isEmpty() && collection.size() < CompositeRequest.COLLECTION_SIZE) {
                collection.add(batch.writes.poll());
            }
            request.update("update" + batch.callWrites.size(), collection.stream().map(w -> new SObjectPatch(
                    w.pair().objectType().salesforceObject(), w.pair().salesforceId(), w.patch())).toList());
            batch.callWrites.add(collection);
        }
        return request.size() == 0 ? null : request.json();
    }

    /**
     * Sorts the batch's changes: a contact whose mapped values did not change since they were last
     * synced (the echo of a write) is settled; a linked one with stored values gets the patch of what
     * changed; the others wait for a read of Salesforce (linked ones by Id, the others by e-mail).
     */
    private void prepare(Batch batch) {
        batch.prepared = true;
        batch.mappings = mappings.current();
        List<String> intercomIds = batch.claim.changes().stream().map(Change::intercomId).toList();
        batch.salesforceIdByIntercomId.putAll(links.salesforceIdsByIntercomId(intercomIds));
        Map<String, String> stored = links.intercomStates(intercomIds);
        Map<ObjectType, Set<String>> idsToRead = new EnumMap<>(ObjectType.class);
        Map<ObjectType, Set<String>> emailsToRead = new EnumMap<>(ObjectType.class);
        for (Change change : batch.claim.changes()) {
            ObjectType type = typeOf(change);
            String icId = change.intercomId();
            List<AttributeMapping> sent = batch.mappings.forObject(type, Direction.INTERCOM_TO_SALESFORCE);
            if (sent.isEmpty()) {
                batch.done.add(icId);
                continue;
            }
            batch.valuesAfter.put(icId, SyncedValues.after(batch.mappings, type, change.contact(), stored.get(icId)));
            String sfId = batch.salesforceIdByIntercomId.get(icId);
            SyncedValues synced = SyncedValues.parse(stored.get(icId));
            if (synced != null && synced.covers(sent)) {
                List<AttributeMapping> changed = synced.changed(sent, change.contact());
                if (changed.isEmpty()) {
                    settle(batch, icId);
                } else if (sfId != null) {
                    RecordPair pair = pair(batch, type, sfId, change,
                            recordSync.syncedSalesforceValues(type, sfId, changed, synced.asContact(changed)));
                    queue(batch, pair, recordSync.salesforceChanges(pair, changed, "EVENT"));
                } else {
                    batch.done.add(icId);
                }
                continue;
            }
            String email = EmailMatcher.normalise(change.contact().path("email").asText(null));
            if (sfId != null) {
                idsToRead.computeIfAbsent(type, t -> new LinkedHashSet<>()).add(sfId);
            } else if (email != null && !email.isEmpty()) {
                emailsToRead.computeIfAbsent(type, t -> new LinkedHashSet<>()).add(email);
            } else {
                batch.done.add(icId); // neither linked nor matchable: nothing to write
                continue;
            }
            batch.awaitingRead.computeIfAbsent(type, t -> new ArrayList<>()).add(change);
        }
        for (ObjectType type : batch.awaitingRead.keySet()) {
            List<String> fields = new ArrayList<>(List.of("Id", "Email"));
            fields.addAll(batch.mappings.salesforceFields(type));
            for (String soql : Soql.byIdsOrEmailsWithin(type.salesforceObject(), fields,
                    List.copyOf(idsToRead.getOrDefault(type, Set.of())), List.copyOf(emailsToRead.getOrDefault(type, Set.of())),
                    Soql.MAX_ENCODED_QUERY_LENGTH)) {
                batch.reads.add(new Read(type, soql));
            }
        }
    }

    private RecordPair pair(Batch batch, ObjectType type, String sfId, Change change, Map<String, Object> salesforceValues) {
        return new RecordPair(type, sfId, change.intercomId(), salesforceValues, JSON.convertValue(change.contact(), Map.class),
                batch.mappings);
    }

    private void queue(Batch batch, RecordPair pair, RecordSync.Outcome outcome) {
        if (outcome.patch() != null) {
            batch.writes.add(new Write(pair, outcome.patch()));
        } else if (outcome.failed()) {
            batch.done.add(pair.intercomId());
        } else {
            settle(batch, pair.intercomId());
        }
    }

    private static void settle(Batch batch, String intercomId) {
        batch.done.add(intercomId);
        String values = batch.valuesAfter.get(intercomId);
        if (values != null) {
            batch.settled.put(intercomId, values);
        }
    }

    /**
     * Records the answer of one Composite call: each record Salesforce took, and each it refused as a
     * sync error of that record only (a Collections subrequest refused as a whole: each of its
     * records, with the subrequest's error); the records its queries read, whose changes are then
     * matched (contacts not linked yet) and queued for the next call. A query that failed gives its
     * changes back to be tried again (taken on their own: their sync errors).
     */
    public void results(Batch batch, String answer) {
        wholeStep(batch, () -> {
            recordResults(batch, answer);
            return null;
        });
    }

    private void recordResults(Batch batch, String answer) {
        List<CompositeRequest.Result> results = CompositeRequest.results(answer);
        int reads = batch.callReads.size();
        List<RecordSync.Written> taken = new ArrayList<>();
        for (int j = 0; j < batch.callWrites.size(); j++) {
            // an update the answer lacks is an error of each of its records, never silently done
            CompositeRequest.Result result = reads + j < results.size() ? results.get(reads + j)
                    : new CompositeRequest.Result("update" + j, 0, JSON.valueToTree(List.of(Map.of("errorCode", "UNKNOWN",
                    "message", "Salesforce's Composite answer holds no result for this update"))));
            taken.addAll(writeResults(batch, batch.callWrites.get(j), result));
        }
        Set<ObjectType> failedReads = EnumSet.noneOf(ObjectType.class);
        for (int i = 0; i < reads; i++) {
            ObjectType type = batch.callReads.get(i).type();
            CompositeRequest.Result result = i < results.size() ? results.get(i) : null;
            if (result == null || !result.ok()) {
                if (failedReads.add(type)) {
                    readFailed(batch, type, result == null ? new IllegalStateException(
                            "Salesforce's Composite answer holds no result for this query") : SalesforceQueries.failure(result));
                }
            } else if (!failedReads.contains(type)) {
                batch.readRecords.computeIfAbsent(type, t -> new ArrayList<>())
                        .addAll(salesforce.allFrom(QueryPage.parse(result.body().toString())));
            }
        }
        batch.callReads.clear();
        batch.callWrites.clear();
        for (ObjectType type : ObjectType.values()) {
            if (batch.awaitingRead.containsKey(type) && batch.reads.stream().noneMatch(r -> r.type() == type)) {
                List<Change> awaiting = batch.awaitingRead.remove(type);
                List<Map<String, Object>> records = batch.readRecords.remove(type);
                if (!failedReads.contains(type) && records != null) {
                    readDone(batch, type, awaiting, records);
                }
            }
        }
        // last, so that the step done again after a failure above does not record them twice
        recordSync.salesforceWritten("EVENT", null, taken);
    }

    /** Records one Collections update's results; returns the records Salesforce took. */
    private List<RecordSync.Written> writeResults(Batch batch, List<Write> collection, CompositeRequest.Result result) {
        List<RecordSync.Written> taken = new ArrayList<>();
        for (int i = 0; i < collection.size(); i++) {
            RecordPair pair = collection.get(i).pair();
            batch.done.add(pair.intercomId());
            JsonNode record = result.ok() ? result.body().path(i) : null;
            if (record != null && record.path("success").asBoolean(false)) {
                errors.clear(Direction.INTERCOM_TO_SALESFORCE.name(), pair.salesforceId(), pair.intercomId());
                taken.add(new RecordSync.Written(pair, collection.get(i).patch()));
                settle(batch, pair.intercomId());
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
        return taken;
    }

    /** The records read for the changes of one type: the unlinked matched, each pair's patch (the values that differ) queued. */
    private void readDone(Batch batch, ObjectType type, List<Change> awaiting, List<Map<String, Object>> records) {
        Map<String, Map<String, Object>> salesforceById = new HashMap<>();
        records.forEach(r -> salesforceById.put((String) r.get("Id"), r));
        matchUnlinked(batch, type, awaiting, records);
        for (Change change : awaiting) {
            String sfId = batch.salesforceIdByIntercomId.get(change.intercomId());
            if (sfId == null) {
                batch.done.add(change.intercomId()); // no match (or an ambiguous one, recorded)
                continue;
            }
            // linked to a record the query no longer returns (deleted or merged): the update lets
            // Salesforce say so, and the change becomes that record's sync error instead of vanishing
            Map<String, Object> record = salesforceById.getOrDefault(sfId, Map.of("Id", sfId));
            RecordPair pair = pair(batch, type, sfId, change, record);
            queue(batch, pair, recordSync.sync(pair, Direction.INTERCOM_TO_SALESFORCE, "EVENT"));
        }
    }

    /** A query of the batch failed: the changes waiting for it are given back (or, taken alone, become sync errors). */
    private void readFailed(Batch batch, ObjectType type, RuntimeException failure) {
        List<String> waiting = batch.awaitingRead.getOrDefault(type, List.of()).stream().map(Change::intercomId).toList();
        batch.reads.removeIf(r -> r.type() == type);
        giveBack(batch, waiting, failure, null);
    }

    /**
     * A call failed past its retries (or a step of the batch failed): its changes and those not sent
     * yet are given back, counted, to be tried again (on their own once they have failed as a whole
     * {@code crmsync.event.whole-page-attempts} times); taken on their own, each becomes one sync error
     * with the cause. A spent daily allowance or an open breaker gives them back uncounted: Salesforce
     * is unavailable, the changes are not bad. What was written before is done; the batch completes.
     */
    public void failed(Batch batch, Throwable failure, Integer attempts) {
        giveBack(batch, batch.unfinished(), failure, attempts);
        complete(batch);
    }

    private void giveBack(Batch batch, List<String> intercomIds, Throwable failure, Integer attempts) {
        if (intercomIds.isEmpty()) {
            return;
        }
        batch.done.addAll(intercomIds);
        intercomIds.forEach(batch.settled::remove);
        if (FailureClassifier.limitExceeded(failure) || !WholeFailures.counts(failure)) {
            batch.released.addAll(changes.release(batch.claim.rowIds(), intercomIds));
            return;
        }
        SyncFailures.Cause cause = SyncFailures.Cause.of(failure);
        if (!batch.alone()) {
            batch.released.addAll(changes.batchFailed(batch.claim.rowIds(), intercomIds));
            LOG.warn("{} change(s) of a batch failed as a whole; given back to be tried again "
                    + "(on their own after {} such failures): {}", intercomIds.size(), wholeBatchAttempts, cause.message());
            return;
        }
        String details = SyncFailures.withAttempts(cause.details(), attempts == null ? 1 : Math.max(1, attempts));
        for (String icId : intercomIds) {
            Change change = batch.changeByIntercomId.get(icId);
            String sfId = batch.salesforceIdByIntercomId.get(icId);
            if (sfId == null) {
                sfId = links.salesforceIdsByIntercomId(List.of(icId)).get(icId);
            }
            errors.record(new SyncError("EVENT", Direction.INTERCOM_TO_SALESFORCE, typeOf(change), sfId, icId,
                    List.of(), cause.code(), cause.message(), details));
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

    private static ObjectType typeOf(Change change) {
        return ObjectType.fromIntercomRole(change.role());
    }

    private void matchUnlinked(Batch batch, ObjectType type, List<Change> changes, List<Map<String, Object>> salesforceRecords) {
        List<Change> unlinked = changes.stream()
                .filter(c -> !batch.salesforceIdByIntercomId.containsKey(c.intercomId())).toList();
        if (unlinked.isEmpty()) {
            return;
        }
        // linked since the batch was prepared: by this step's own try before it failed (its links are
        // stored, the batch's progress was put back), or by the other direction's sync
        Map<String, String> linkedSince = links.salesforceIdsByIntercomId(unlinked.stream().map(Change::intercomId).toList());
        batch.salesforceIdByIntercomId.putAll(linkedSince);
        unlinked = unlinked.stream().filter(c -> !linkedSince.containsKey(c.intercomId())).toList();
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
        for (JsonNode contact : intercom.searchIn("email", emails, type.intercomRole())) {
            intercomSide.add(new Candidate(contact.path("id").asText(), contact.path("email").asText(null)));
        }
        EmailMatcher.Outcome outcome = EmailMatcher.match(salesforceSide, intercomSide);
        Set<String> unlinkedIds = new LinkedHashSet<>();
        unlinked.forEach(c -> unlinkedIds.add(c.intercomId()));
        for (EmailMatcher.Ambiguity ambiguity : outcome.ambiguities()) {
            for (String icId : ambiguity.intercomIds()) {
                if (unlinkedIds.contains(icId)) {
                    errors.record(new SyncError("EVENT", Direction.INTERCOM_TO_SALESFORCE, type, "", icId,
                            List.of("email"), "AMBIGUOUS_MATCH", ambiguity.describe(), null));
                }
            }
        }
        outcome.intercomIdBySalesforceId().forEach((sfId, icId) -> {
            if (unlinkedIds.contains(icId)) {
                links.link(type, sfId, icId);
                batch.salesforceIdByIntercomId.put(icId, sfId);
            }
        });
    }
}

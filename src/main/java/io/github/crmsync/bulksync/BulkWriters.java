package io.github.crmsync.bulksync;

import io.github.crmsync.errors.SyncError;
import io.github.crmsync.errors.SyncErrorStore;
import io.github.crmsync.errors.SyncFailures;
import io.github.crmsync.eventsync.RecordPair;
import io.github.crmsync.eventsync.RecordSync;
import io.github.crmsync.mapping.Direction;
import io.github.crmsync.mapping.MappingSet;
import io.github.crmsync.mapping.ObjectType;
import io.github.crmsync.matching.RecordLinks;
import io.github.crmsync.salesforce.SObjectPatch;
import org.apache.camel.component.salesforce.api.dto.RestError;
import org.apache.camel.component.salesforce.api.dto.SaveSObjectResult;

import javax.sql.DataSource;
import java.io.Closeable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.BooleanSupplier;

/**
 * Write: the stored patches go out in order — Salesforce in sObject Collections batches of 200,
 * Intercom one {@code PUT /contacts/{id}} per contact — through iterators that Camel's streaming
 * split pulls from. Each iterator asks {@code proceed} (the stop flag) before it reads the next
 * batch, so that a stopped run reads no further; the route checks the flag and the API tier at
 * each batch boundary before it writes the batch.
 */
public final class BulkWriters {

    public static final int COLLECTION_SIZE = 200;

    /** One sObject Collections call: the records and, in the same order, what they came from. */
    public record SalesforceBatch(List<SObjectPatch> records, List<PatchCursor.Patch> patches) {
    }

    private final DataSource dataSource;
    private final RecordSync recordSync;
    private final RecordLinks links;
    private final SyncErrorStore errors;

    public BulkWriters(DataSource dataSource, RecordSync recordSync, RecordLinks links, SyncErrorStore errors) {
        this.dataSource = dataSource;
        this.recordSync = recordSync;
        this.links = links;
        this.errors = errors;
    }

    public Iterator<SalesforceBatch> salesforceBatches(long runId, BooleanSupplier proceed) throws Exception {
        PatchCursor cursor = new PatchCursor(dataSource, runId, "SALESFORCE", null);
        return new Pull<>(cursor::close, proceed) {
            @Override
            SalesforceBatch read() {
                List<SObjectPatch> records = new ArrayList<>();
                List<PatchCursor.Patch> patches = new ArrayList<>();
                PatchCursor.Patch p;
                while (records.size() < COLLECTION_SIZE && (p = cursor.next()) != null) {
                    records.add(new SObjectPatch(p.objectType().salesforceObject(), p.salesforceId(), p.patch()));
                    patches.add(p);
                }
                return records.isEmpty() ? null : new SalesforceBatch(records, patches);
            }
        };
    }

    /** Counts each record of a Collections answer; a failed one becomes its BULK sync error. */
    public void salesforceResults(SalesforceBatch batch, List<SaveSObjectResult> results, MappingSet mappings,
                                  RunProgress progress) {
        Map<String, String> settled = new HashMap<>();
        List<RecordSync.Written> taken = new ArrayList<>();
        for (int i = 0; i < batch.patches().size(); i++) {
            PatchCursor.Patch p = batch.patches().get(i);
            SaveSObjectResult result = i < results.size() ? results.get(i) : null;
            if (result != null && Boolean.TRUE.equals(result.getSuccess())) {
                progress.updatedInSalesforce.incrementAndGet();
                taken.add(new RecordSync.Written(pair(p, mappings), p.patch()));
                settled.put(p.intercomId(), p.intercomState());
                errors.clear(Direction.INTERCOM_TO_SALESFORCE.name(), p.salesforceId(), p.intercomId());
            } else {
                RestError first = result == null || result.getErrors() == null || result.getErrors().isEmpty()
                        ? null : result.getErrors().get(0);
                salesforceFailed(p, first != null ? first.getErrorCode() : "UNKNOWN",
                        first != null ? first.getMessage() : "Salesforce did not say why the update failed",
                        result == null ? null : String.valueOf(result.getErrors()),
                        first != null && first.getFields() != null ? first.getFields() : List.copyOf(p.patch().keySet()),
                        progress);
            }
        }
        recordSync.salesforceWritten("BULK", progress.runId(), taken);
        // the contacts' values now in Salesforce: their next notification without change is an echo
        links.rememberIntercomStates(settled);
    }

    /** The pair of a stored patch: the run's writers have no values (the history takes them from the run's stage). */
    private static RecordPair pair(PatchCursor.Patch p, MappingSet mappings) {
        return new RecordPair(p.objectType(), p.salesforceId(), p.intercomId(), Map.of(), Map.of(), mappings);
    }

    /** A whole Collections call failed (after the component's retries): each of its records is a failure. */
    public void salesforceBatchFailed(SalesforceBatch batch, Exception cause, RunProgress progress) {
        for (PatchCursor.Patch p : batch.patches()) {
            salesforceFailed(p, "BATCH_FAILED", "The sObject Collections update failed: " + cause.getMessage(), null,
                    List.copyOf(p.patch().keySet()), progress);
        }
    }

    void salesforceFailed(PatchCursor.Patch p, String code, String message, String details, List<String> fields,
                          RunProgress progress) {
        progress.failed.incrementAndGet();
        errors.record(new SyncError("BULK", Direction.INTERCOM_TO_SALESFORCE, p.objectType(), p.salesforceId(),
                p.intercomId(), fields, code, message, details));
    }

    /**
     * The Intercom patches: first those the diff hands over while it runs, then, once it has ended,
     * the stored ones after the last handed over. Nothing more once the diff failed or was stopped.
     */
    public Iterator<PatchCursor.Patch> intercomWrites(long runId, EarlyPatches early, BooleanSupplier stop,
                                                      BooleanSupplier proceed) {
        PatchCursor[] stored = new PatchCursor[1];
        return new Pull<>(() -> {
            if (stored[0] != null) {
                stored[0].close();
            }
        }, proceed) {
            @Override
            PatchCursor.Patch read() {
                if (stored[0] == null) {
                    PatchCursor.Patch handed = early.take(stop);
                    if (handed != null || early.diffIncomplete() || stop.getAsBoolean()) {
                        return handed;
                    }
                    try {
                        stored[0] = new PatchCursor(dataSource, runId, "INTERCOM", null, early.lastSeq());
                    } catch (java.sql.SQLException e) {
                        throw new IllegalStateException("Reading the bulk run's patches failed: " + e.getMessage(), e);
                    }
                }
                return stored[0].next();
            }
        };
    }

    /**
     * One contact's {@code PUT}. A failure goes back to the route, whose error handling redelivers a
     * transient one and hands the rest to {@link #intercomFailed}.
     */
    public void writeIntercom(PatchCursor.Patch p, MappingSet mappings, RunProgress progress) {
        recordSync.writeIntercom(pair(p, mappings), p.patch(), "BULK", progress.runId());
        progress.updatedInIntercom.incrementAndGet();
    }

    /** A contact's {@code PUT} refused, or failed after its redeliveries: its BULK sync error, in Intercom's words. */
    public void intercomFailed(PatchCursor.Patch p, Throwable failure, int attempts, RunProgress progress) {
        progress.failed.incrementAndGet();
        SyncFailures.Cause cause = SyncFailures.Cause.of(failure);
        errors.record(new SyncError("BULK", Direction.SALESFORCE_TO_INTERCOM, p.objectType(), p.salesforceId(),
                p.intercomId(), attributes(p.patch()), cause.code(), cause.message(),
                SyncFailures.withAttempts(cause.details(), attempts)));
    }

    /**
     * The records an ingest job updated in Salesforce (the type's patches but the failed ones): counted
     * for the records-synced metric and recorded in the change history, 1,000 records a statement.
     */
    void salesforceWritten(long runId, ObjectType type, MappingSet mappings, java.util.Set<String> failedIds)
            throws java.sql.SQLException {
        List<RecordSync.Written> taken = new ArrayList<>();
        try (PatchCursor cursor = salesforcePatches(runId, type)) {
            for (PatchCursor.Patch p = cursor.next(); p != null; p = cursor.next()) {
                if (!failedIds.contains(p.salesforceId())) {
                    taken.add(new RecordSync.Written(pair(p, mappings), p.patch()));
                }
                if (taken.size() == 1000) {
                    recordSync.salesforceWritten("BULK", runId, taken);
                    taken = new ArrayList<>();
                }
            }
        }
        recordSync.salesforceWritten("BULK", runId, taken);
    }

    static List<String> attributes(Map<String, Object> intercomPatch) {
        List<String> names = new ArrayList<>();
        intercomPatch.forEach((key, value) -> {
            if (key.equals("custom_attributes") && value instanceof Map<?, ?> custom) {
                custom.keySet().forEach(k -> names.add("custom_attributes." + k));
            } else {
                names.add(key);
            }
        });
        return names;
    }

    /** Patches of one object type for the Bulk API ingest path. */
    PatchCursor salesforcePatches(long runId, ObjectType type) throws java.sql.SQLException {
        return new PatchCursor(dataSource, runId, "SALESFORCE", type);
    }

    /**
     * An iterator over a cursor that asks {@code proceed} before each element and ends (closing the
     * cursor) when it says no; Camel's splitter closes it at the end too.
     */
    private abstract static class Pull<T> implements Iterator<T>, Closeable {
        private final Runnable cursor;
        private final BooleanSupplier proceed;
        private T next;
        private boolean done;

        Pull(Runnable closeCursor, BooleanSupplier proceed) {
            this.cursor = closeCursor;
            this.proceed = proceed;
        }

        abstract T read();

        @Override
        public synchronized boolean hasNext() {
            if (next == null && !done) {
                next = proceed.getAsBoolean() ? read() : null;
                if (next == null) {
                    done = true;
                    cursor.run();
                }
            }
            return next != null;
        }

        @Override
        public synchronized T next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            T out = next;
            next = null;
            return out;
        }

        @Override
        public void close() {
            done = true;
            cursor.run();
        }
    }
}

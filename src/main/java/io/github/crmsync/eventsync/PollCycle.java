package io.github.crmsync.eventsync;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.crmsync.mapping.ObjectType;
import io.github.crmsync.salesforce.CompositeRequest;
import io.github.crmsync.salesforce.SalesforceQueries;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One Salesforce → Intercom poll of one or more object types, read in Composite calls that pack the
 * query operations of every type still reading (up to 5 a call): a quiet poll of Contacts and Leads
 * is one call, a busy one about ⌈pages / 5⌉. A type's first operation in a call is its query, or
 * the explicit {@code nextRecordsUrl} of its last page read; its further operations in the call are
 * references to the page before ({@code @{contact0.nextRecordsUrl}}), which Salesforce answers 400
 * {@code PROCESSING_HALTED} without running once the query is done.
 * <p>
 * How many operations each type gets: one each, then as many as each type's pages still to read
 * (from its {@code totalSize} and the records read; unknown before its query's first page, so the
 * first call of a busy poll may place a reference past a type's end), then the room left in turns,
 * since an operation that ends halted costs nothing more.
 * <p>
 * A type goes on to its next pages only once every page of it read so far was handled (its
 * watermark moved past it): a type whose page failed, or whose first operation in a call failed, is
 * left for the next poll, from its watermark, while the other types go on. Only a call that read no
 * page at all fails.
 */
public final class PollCycle {

    private static final Logger LOG = LoggerFactory.getLogger(PollCycle.class);

    /** A page read for one object type: the {@code index}-th of that type in its call. */
    public record Page(ObjectType objectType, int index, String json) {
    }

    private final String apiVersion;
    private final Instant startedAt;
    private final List<Reading> readings = new ArrayList<>();
    /** The last call's operations: referenceId to the type it reads, in the order sent. */
    private final Map<String, Reading> lastCall = new LinkedHashMap<>();
    private int calls;

    /** How far one object type has read. */
    private static final class Reading {
        final ObjectType type;
        final String soql;
        String next;
        boolean started;
        boolean done;
        boolean left;
        long totalSize;
        long read;
        int pageSize;
        int pagesInCall;
        int handledInCall;

        Reading(ObjectType type, String soql) {
            this.type = type;
            this.soql = soql;
        }

        /** Pages still to read, from the query's totalSize; 0 while unknown (before its first page). */
        int pagesToRead() {
            if (!started || done) {
                return 0;
            }
            long left = Math.max(1, totalSize - read);
            return (int) Math.min(Integer.MAX_VALUE, (left + pageSize - 1) / Math.max(1, pageSize));
        }

        String referenceId(int n) {
            return type.name().toLowerCase(Locale.ROOT) + n;
        }
    }

    /**
     * A poll of these object types, each with its SOQL (the records changed since its watermark), in
     * the order their operations go into a call.
     *
     * @param startedAt when the poll started: taken before its first call, stored as the point read to
     *                  by each type that reads every page ({@link #completed})
     */
    public PollCycle(String apiVersion, Instant startedAt, Map<ObjectType, String> queries) {
        this.apiVersion = apiVersion;
        this.startedAt = startedAt;
        queries.forEach((type, soql) -> readings.add(new Reading(type, soql)));
    }

    public Instant startedAt() {
        return startedAt;
    }

    /** The Composite calls asked for so far. */
    public synchronized int calls() {
        return calls;
    }

    /**
     * The next Composite call's body, or null when no type has pages left to read (or every type
     * with some was left for the next poll).
     */
    public synchronized String nextRequest() {
        for (Reading r : readings) {
            if (r.handledInCall < r.pagesInCall) {
                r.left = true; // a page of it was not handled: from its watermark, next poll
            }
            r.pagesInCall = 0;
            r.handledInCall = 0;
        }
        List<Reading> reading = readings.stream().filter(r -> !r.done && !r.left).toList();
        lastCall.clear();
        if (reading.isEmpty()) {
            return null;
        }
        int[] toRead = new int[reading.size()];
        for (int i = 0; i < toRead.length; i++) {
            toRead[i] = reading.get(i).pagesToRead();
        }
        int[] operations = operations(toRead, CompositeRequest.MAX_COLLECTIONS_OR_QUERIES);
        CompositeRequest request = new CompositeRequest(apiVersion);
        for (int i = 0; i < operations.length; i++) {
            Reading r = reading.get(i);
            for (int n = 0; n < operations[i]; n++) {
                String referenceId = r.referenceId(n);
                if (n > 0) {
                    request.queryMore(referenceId, "@{" + r.referenceId(n - 1) + ".nextRecordsUrl}");
                } else if (r.started) {
                    request.queryMore(referenceId, r.next);
                } else {
                    request.query(referenceId, r.soql);
                }
                lastCall.put(referenceId, r);
            }
        }
        calls++;
        return request.json();
    }

    /**
     * How many query operations each type gets in a call of {@code room}: one each (in order, while
     * room is left), then up to each one's pages still to read (0: unknown), then what is left in
     * turns, first type first.
     */
    static int[] operations(int[] pagesToRead, int room) {
        int[] operations = new int[pagesToRead.length];
        int left = room;
        for (int i = 0; i < operations.length && left > 0; i++) {
            operations[i] = 1;
            left--;
        }
        for (int i = 0; i < operations.length && left > 0; i++) {
            int more = Math.min(left, Math.max(0, pagesToRead[i] - operations[i]));
            operations[i] += more;
            left -= more;
        }
        for (int i = 0; left > 0 && operations.length > 0; i = (i + 1) % operations.length) {
            if (operations[i] > 0) {
                operations[i]++;
                left--;
            }
        }
        return operations;
    }

    /**
     * The pages the last call read, type by type, each type's in order: up to its query's last page
     * (done, no {@code nextRecordsUrl}), or up to the first that failed (the type's next call starts
     * again after the page before it). A type whose first operation failed is left for the next poll;
     * when no type read a page, the call fails with the first failure in Salesforce's words.
     */
    public synchronized List<Page> read(String answer) {
        Map<String, CompositeRequest.Result> results = new HashMap<>();
        CompositeRequest.Result firstFailure = null;
        for (CompositeRequest.Result result : CompositeRequest.results(answer)) {
            results.put(result.referenceId(), result);
            if (firstFailure == null && !result.ok()) {
                firstFailure = result;
            }
        }
        List<Page> pages = new ArrayList<>();
        Map<Reading, CompositeRequest.Result> failedFirst = new LinkedHashMap<>();
        Map<Reading, Boolean> stopped = new HashMap<>();
        for (Map.Entry<String, Reading> operation : lastCall.entrySet()) {
            Reading r = operation.getValue();
            if (stopped.containsKey(r)) {
                continue;
            }
            CompositeRequest.Result result = results.get(operation.getKey());
            if (result == null || !result.ok()) {
                if (r.pagesInCall == 0) {
                    failedFirst.put(r, result != null ? result : firstFailure);
                }
                stopped.put(r, true);
                continue;
            }
            JsonNode body = result.body();
            pages.add(new Page(r.type, r.pagesInCall++, body.toString()));
            int records = body.path("records").size();
            r.started = true;
            r.totalSize = body.path("totalSize").asLong();
            r.read += records;
            r.pageSize = Math.max(r.pageSize, records);
            r.next = body.path("done").asBoolean(true) ? null : body.path("nextRecordsUrl").asText(null);
            if (r.next == null) {
                r.done = true;
                stopped.put(r, true);
            }
        }
        if (pages.isEmpty()) {
            CompositeRequest.Result failure = failedFirst.values().stream().filter(f -> f != null).findFirst().orElse(firstFailure);
            if (failure == null) {
                throw new IllegalArgumentException("Salesforce's Composite answer holds none of the poll's queries");
            }
            failedFirst.keySet().forEach(r -> r.left = true);
            throw SalesforceQueries.failure(failure);
        }
        failedFirst.forEach((r, failure) -> {
            r.left = true;
            LOG.warn("The changed {} records were not read: {}; the next poll tries again", r.type,
                    failure == null ? "no answer to the query" : failure.errorCode() + ": " + failure.errorMessage());
        });
        return pages;
    }

    /** Whether this page may be handled now: every page of its type before it in the call was handled. */
    public synchronized boolean inTurn(Page page) {
        Reading r = reading(page.objectType());
        return !r.left && r.handledInCall == page.index();
    }

    /** The page was handled (its watermark moved past it). */
    public synchronized void handled(Page page) {
        Reading r = reading(page.objectType());
        if (r.handledInCall == page.index()) {
            r.handledInCall++;
        }
    }

    /** The types that read and handled every page of their query (once no call is left). */
    public synchronized List<ObjectType> completed() {
        return readings.stream().filter(r -> r.done && !r.left && r.handledInCall == r.pagesInCall).map(r -> r.type).toList();
    }

    private Reading reading(ObjectType type) {
        return readings.stream().filter(r -> r.type == type).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("this poll does not read " + type));
    }
}

package io.github.crmsync.bulksync;

import io.github.crmsync.mapping.ObjectType;

import java.util.Map;

/**
 * What a run would spend, worked out from a preview: the reads it repeats (the preview's own, as
 * counted), the writes the preview's patches come to with the writers' own batching, and how long it
 * takes. Salesforce writes go in sObject Collections calls of 200, or, past the ingest threshold,
 * one Bulk API 2.0 ingest job per object that has changes (create, upload, close and at least one
 * look); Intercom writes are one {@code PUT} per contact. The writes' time is the longer of
 * Intercom's rate-limit floor and the observed latency of a write spread over the writers; the
 * staging and the diff take what they took in the preview.
 */
public final class BulkEstimate {

    /** Intercom's default: 10,000 requests a minute, which it splits into 10-second windows. */
    static final long DEFAULT_LIMIT_PER_WINDOW = 1_666;
    static final double WINDOW_SECONDS = 10.0;
    /** An ingest job's calls: create, upload, close, and the first look at it. */
    static final int INGEST_JOB_CALLS = 4;

    /**
     * What the preview itself did and saw. {@code intercomLatencyFrom}: {@code WRITES} when the latency
     * is that of recent contact writes, {@code NONE} (latency 0) when the service has written no
     * contact since it started: the writes' time is then the rate-limit floor, a lower bound.
     */
    public record Observed(long salesforceReadCalls, long intercomReads, double stagingAndDiffSeconds,
                           double intercomLatencyMillis, String intercomLatencyFrom, Long intercomLimitPerWindow) {
    }

    /** The Salesforce calls and Intercom requests of the run. */
    public record Cost(long salesforceCalls, long salesforceReadCalls, long salesforceWriteCalls, String salesforceWritePath,
                       long intercomRequests, long intercomReads, long intercomWrites) {
    }

    /** How long the run takes, and what that comes from. */
    public record Duration(double expectedSeconds, double stagingAndDiffSeconds, double intercomWriteSeconds,
                           double intercomFloorSeconds, double intercomLatencyMillis, String intercomLatencyFrom,
                           long intercomLimitPerWindow) {
    }

    private final long ingestThreshold;
    private final int collectionSize;
    private final int intercomWriters;

    public BulkEstimate(long ingestThreshold, int collectionSize, int intercomWriters) {
        this.ingestThreshold = ingestThreshold;
        this.collectionSize = collectionSize;
        this.intercomWriters = Math.max(1, intercomWriters);
    }

    /** {@code salesforcePatches}: the records to update per object; {@code intercomPatches}: the contacts to update. */
    public Cost cost(Observed observed, Map<ObjectType, Long> salesforcePatches, long intercomPatches) {
        long toSalesforce = salesforcePatches.values().stream().mapToLong(Long::longValue).sum();
        long writeCalls;
        String path;
        if (toSalesforce == 0) {
            writeCalls = 0;
            path = "NONE";
        } else if (toSalesforce > ingestThreshold) { // as BulkSync.useIngestJob decides
            writeCalls = INGEST_JOB_CALLS * salesforcePatches.values().stream().filter(n -> n > 0).count();
            path = "INGEST_JOBS";
        } else {
            writeCalls = (toSalesforce + collectionSize - 1) / collectionSize;
            path = "COLLECTIONS";
        }
        return new Cost(observed.salesforceReadCalls() + writeCalls, observed.salesforceReadCalls(), writeCalls, path,
                observed.intercomReads() + intercomPatches, observed.intercomReads(), intercomPatches);
    }

    public Duration duration(Observed observed, long intercomWrites) {
        long limit = observed.intercomLimitPerWindow() != null && observed.intercomLimitPerWindow() > 0
                ? observed.intercomLimitPerWindow() : DEFAULT_LIMIT_PER_WINDOW;
        double floor = intercomWrites * WINDOW_SECONDS / limit;
        double byLatency = intercomWrites * observed.intercomLatencyMillis() / 1000.0 / intercomWriters;
        double writes = Math.max(floor, byLatency);
        return new Duration(round(observed.stagingAndDiffSeconds() + writes), round(observed.stagingAndDiffSeconds()),
                round(writes), round(floor), round(observed.intercomLatencyMillis()), observed.intercomLatencyFrom(), limit);
    }

    private static double round(double value) {
        return Math.round(value * 10.0) / 10.0;
    }
}

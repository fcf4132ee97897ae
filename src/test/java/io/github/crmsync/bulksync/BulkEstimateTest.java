package io.github.crmsync.bulksync;

import io.github.crmsync.mapping.ObjectType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.EnumMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What a preview says a run costs: the writers' batching applied to its patches, and the time the writes take. */
class BulkEstimateTest {

    private static final BulkEstimate ESTIMATE = new BulkEstimate(2_000, 200, 8);

    @ParameterizedTest(name = "{0} Lead and {1} Contact updates: {2} write calls by {3}")
    @CsvSource({
            // nothing to write: only the reads
            "0, 0, 0, NONE",
            // one Collections call per 200 records, Leads and Contacts together (the writers mix them)
            "1, 0, 1, COLLECTIONS",
            "120, 80, 1, COLLECTIONS",
            "120, 81, 2, COLLECTIONS",
            "1000, 1000, 10, COLLECTIONS",
            // past the ingest threshold: one job per object with changes, four calls each at least
            "1000, 1001, 8, INGEST_JOBS",
            "2001, 0, 4, INGEST_JOBS",
            "50000, 50000, 8, INGEST_JOBS"})
    void salesforceWritesGoAsTheWritersBatchThem(long leads, long contacts, long writeCalls, String path) {
        Map<ObjectType, Long> patches = new EnumMap<>(ObjectType.class);
        patches.put(ObjectType.LEAD, leads);
        patches.put(ObjectType.CONTACT, contacts);
        BulkEstimate.Cost cost = ESTIMATE.cost(observed(5, 12, 3.0, 20, 1_666L), patches, 30);
        assertThat(cost.salesforceWriteCalls()).isEqualTo(writeCalls);
        assertThat(cost.salesforceWritePath()).isEqualTo(path);
        assertThat(cost.salesforceReadCalls()).as("the reads the preview made, as the run repeats them").isEqualTo(5);
        assertThat(cost.salesforceCalls()).isEqualTo(5 + writeCalls);
        assertThat(cost.intercomReads()).isEqualTo(12);
        assertThat(cost.intercomWrites()).as("one PUT per contact").isEqualTo(30);
        assertThat(cost.intercomRequests()).isEqualTo(42);
    }

    @ParameterizedTest(name = "{0} writes, {1} ms each, limit {2}/10 s: floor {3} s, writes {4} s, expected {5} s")
    @CsvSource({
            // Intercom's default limit (10,000 a minute): 100,000 writes take at least 600 s
            "100000, 20, 1666, 600.2, 600.2, 630.2",
            // slow answers spread over 8 writers take longer than the floor
            "1000, 200, 1666, 6.0, 25.0, 55.0",
            // a small limit: the floor decides
            "1000, 20, 167, 59.9, 59.9, 89.9",
            // nothing to write: the staging and diff only
            "0, 20, 1666, 0.0, 0.0, 30.0",
            // no limit seen yet: Intercom's default
            "16660, 0, 0, 100.0, 100.0, 130.0"})
    void theWritesTakeTheLongerOfTheRateLimitFloorAndTheLatency(long writes, double latencyMillis, long limit, double floor,
                                                             double writeSeconds, double expected) {
        BulkEstimate.Duration d = ESTIMATE.duration(observed(5, 12, 30.0, latencyMillis, limit == 0 ? null : limit), writes);
        assertThat(d.intercomFloorSeconds()).isEqualTo(floor);
        assertThat(d.intercomWriteSeconds()).isEqualTo(writeSeconds);
        assertThat(d.stagingAndDiffSeconds()).isEqualTo(30.0);
        assertThat(d.expectedSeconds()).isEqualTo(expected);
        assertThat(d.intercomLimitPerWindow()).isEqualTo(limit == 0 ? 1_666 : limit);
        assertThat(d.intercomLatencyFrom()).isEqualTo("WRITES");
    }

    private static BulkEstimate.Observed observed(long sfReads, long icReads, double seconds, double latency, Long limit) {
        return new BulkEstimate.Observed(sfReads, icReads, seconds, latency, "WRITES", limit);
    }
}

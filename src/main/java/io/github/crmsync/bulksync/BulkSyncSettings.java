package io.github.crmsync.bulksync;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * The bulk sync's settings ({@code crmsync.bulk.*}), read from the same properties / environment as
 * the service's other settings.
 *
 * @param bulkQueryThreshold   an object with more records than this is read with a Bulk API 2.0 query job
 * @param queryPageRecords     records per page of Bulk API query results (each page is one call, held in memory by the client)
 * @param ingestThreshold      more Salesforce changes than this are written with a Bulk API 2.0 ingest job
 * @param intercomConcurrency  most Intercom writes in flight (paced by the rate-limit headers)
 * @param lease                how long a run stays owned without a heartbeat before another replica interrupts it
 * @param progressInterval     how often counters are written and the stop flag read (at most a second)
 * @param capacityCheck        how often a run waiting for API capacity looks again
 * @param jobPoll              first wait before looking at a Bulk API job (doubles up to 10 s)
 * @param stopWait             how long a settings save with confirmation waits for the run to stop
 * @param publicUrl            where the service's page is, for the link in the e-mail
 * @param earlyPatches         most Intercom patches the diff hands straight to the writers while it runs
 */
public record BulkSyncSettings(long bulkQueryThreshold, int queryPageRecords, long ingestThreshold, int intercomConcurrency, Duration lease,
                               Duration progressInterval, Duration capacityCheck, Duration jobPoll, Duration stopWait,
                               String publicUrl, int earlyPatches) {

    public static BulkSyncSettings from(Function<String, Optional<String>> lookup) {
        Function<String, Optional<String>> value = key -> lookup.apply(key).map(String::trim).filter(v -> !v.isEmpty());
        return new BulkSyncSettings(
                number(value, "crmsync.bulk.query-threshold", 2_000),
                (int) Math.max(1, number(value, "crmsync.bulk.query-page-records", 100_000)),
                number(value, "crmsync.bulk.ingest-threshold", 2_000),
                (int) number(value, "crmsync.bulk.intercom-concurrency", 8),
                Duration.ofMillis(number(value, "crmsync.bulk.lease-ms", 30_000)),
                Duration.ofMillis(Math.min(1_000, number(value, "crmsync.bulk.progress-ms", 1_000))),
                Duration.ofMillis(number(value, "crmsync.bulk.capacity-check-ms", 5_000)),
                Duration.ofMillis(number(value, "crmsync.bulk.job-poll-ms", 500)),
                Duration.ofMillis(number(value, "crmsync.bulk.stop-wait-ms", 30_000)),
                value.apply("crmsync.public-url").orElse("http://127.0.0.1:"
                        + value.apply("camel.server.port").orElse("8080")),
                (int) Math.min(1_000_000, number(value, "crmsync.bulk.early-patches", 10_000)));
    }

    private static long number(Function<String, Optional<String>> value, String key, long fallback) {
        Optional<String> v = value.apply(key);
        if (v.isEmpty()) {
            return fallback;
        }
        try {
            long n = Long.parseLong(v.get());
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number of at least 0, not '" + v.get() + "'");
        }
    }
}

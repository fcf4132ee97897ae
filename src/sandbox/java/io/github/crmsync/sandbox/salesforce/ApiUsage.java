package io.github.crmsync.sandbox.salesforce;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * A rolling 24-hour counter of the org's, attributed to whom it counts for: the API requests per OAuth
 * client, the change events delivered to subscribers. Per name, 1,440 one-minute buckets (a count older
 * than 24 hours drops out).
 */
final class ApiUsage {

    private static final int MINUTES = 24 * 60;

    private final LongSupplier clock;
    private final Map<String, long[][]> byClient = new TreeMap<>();

    ApiUsage(LongSupplier clockMillis) {
        this.clock = clockMillis;
    }

    /** Counts for a client in the current minute. */
    synchronized void add(String clientId, long count) {
        long minute = clock.getAsLong() / 60_000;
        long[][] buckets = byClient.computeIfAbsent(clientId, k -> new long[2][MINUTES]);
        int slot = (int) (minute % MINUTES);
        if (buckets[0][slot] != minute) {
            buckets[0][slot] = minute;
            buckets[1][slot] = 0;
        }
        buckets[1][slot] += count;
    }

    synchronized long total() {
        long sum = 0;
        for (long v : byClient().values()) {
            sum += v;
        }
        return sum;
    }

    synchronized Map<String, Long> byClient() {
        long now = clock.getAsLong() / 60_000;
        Map<String, Long> out = new LinkedHashMap<>();
        for (Map.Entry<String, long[][]> e : byClient.entrySet()) {
            long[][] b = e.getValue();
            long sum = 0;
            for (int i = 0; i < MINUTES; i++) {
                if (b[0][i] > now - MINUTES && b[0][i] <= now) {
                    sum += b[1][i];
                }
            }
            if (sum > 0) {
                out.put(e.getKey(), sum);
            }
        }
        return out;
    }

    synchronized void reset() {
        byClient.clear();
    }
}

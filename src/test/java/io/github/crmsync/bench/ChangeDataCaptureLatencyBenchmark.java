package io.github.crmsync.bench;

import io.github.crmsync.mapping.MappingStore;
import io.github.crmsync.mapping.SandboxMappings;
import io.github.crmsync.sandbox.seed.SeedPerson;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.SalesforceClient;
import io.github.crmsync.testing.SimulatedWorld;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Change Data Capture latency: another app changes linked Salesforce Contacts at a steady rate
 * (default 100 changes a second for 120 seconds, each a different record) and the benchmark prints
 * the p50 / p95 / max time from the Salesforce write (its 204) to the Intercom write, the REST calls
 * the service spent finding the changes (SOQL queries; target 0) and its Salesforce calls in all per
 * 1,000 changes, and the Intercom requests. Records start linked, as after a first bulk sync.
 *
 * <pre>mvn -B -q test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.github.crmsync.bench.ChangeDataCaptureLatencyBenchmark [-Dexec.args="100 120"]</pre>
 */
public final class ChangeDataCaptureLatencyBenchmark {

    private static final int SLICE_SECONDS = 10;

    private ChangeDataCaptureLatencyBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 120;
        int changes = rate * seconds;
        Path dir = Files.createTempDirectory("cdc-latency-benchmark");
        try (SimulatedWorld world = new SimulatedWorld(dir, Math.max(3 * changes, 2000))) {
            Map<String, String> properties = world.serviceProperties();
            properties.put("crmsync.cdc.enabled", "true");
            properties.put("crmsync.cdc.backstop-poll-cron", "0 0 0 1 1 ? 2099");
            try (RunningService service = RunningService.start(properties)) {
                run(world, service, rate, changes);
            }
        }
        System.exit(0);
    }

    private static void run(SimulatedWorld world, RunningService service, int rate, int changes) throws Exception {
        service.bean("mappingStore", MappingStore.class).seedIfEmpty(SandboxMappings.defaults());
        List<SeedPerson> contacts = new ArrayList<>();
        for (int i = 0; i < world.seed.people() && contacts.size() < changes; i++) {
            SeedPerson p = world.seed.person(i);
            if (!p.lead() && p.salesforce() != null && p.intercom() != null && !world.sharesEmail(i)) {
                contacts.add(p);
            }
        }
        if (contacts.size() < changes) {
            throw new IllegalStateException("the seed has only " + contacts.size() + " linked Contacts");
        }
        link(service.bean("dataSource", DataSource.class), contacts);
        service.bean("schemaCache", io.github.crmsync.mapping.SchemaCache.class).current();
        long deadline = System.currentTimeMillis() + 60_000;
        while (world.salesforce.pubSubSubscriptions() < 2 && System.currentTimeMillis() < deadline) {
            Thread.sleep(100); // a benchmark's own start-up wait, not a test's
        }

        Map<String, Long> committedAt = new ConcurrentHashMap<>();
        Map<String, Long> writtenAt = new ConcurrentHashMap<>();
        world.intercom.onUpdate(id -> writtenAt.putIfAbsent(id, System.nanoTime()));
        AtomicLong queries = new AtomicLong();
        world.salesforce.onQuery(soql -> queries.incrementAndGet());
        long salesforceBefore = serviceCalls(world);
        long intercomBefore = world.intercom.requestCount();

        SalesforceClient other = SalesforceClient.asOtherClient(world.salesforce.baseUrl());
        ExecutorService writers = Executors.newFixedThreadPool(8);
        long start = System.nanoTime();
        long periodNanos = 1_000_000_000L / rate;
        for (int i = 0; i < changes; i++) {
            long due = start + i * periodNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            SeedPerson p = contacts.get(i);
            int n = i;
            writers.execute(() -> {
                int status = other.update("Contact", p.salesforce().id(), Map.of("Title",
                        String.format(Locale.ROOT, "Latency %d", n))).status();
                if (status == 204) {
                    committedAt.put(p.intercom().id(), System.nanoTime());
                }
            });
        }
        writers.shutdown();
        writers.awaitTermination(5, TimeUnit.MINUTES);
        double madeIn = (System.nanoTime() - start) / 1e9;
        long waitUntil = System.currentTimeMillis() + 120_000;
        while (writtenAt.keySet().containsAll(committedAt.keySet()) == false && System.currentTimeMillis() < waitUntil) {
            Thread.sleep(200);
        }

        List<Double> latencies = new ArrayList<>();
        Map<String, Long> missing = new HashMap<>(committedAt);
        committedAt.forEach((id, at) -> {
            Long written = writtenAt.get(id);
            if (written != null) {
                latencies.add((written - at) / 1e6);
                missing.remove(id);
            }
        });
        latencies.sort(Double::compare);
        long salesforceCalls = serviceCalls(world) - salesforceBefore;
        long intercomRequests = world.intercom.requestCount() - intercomBefore;
        System.out.printf(Locale.ROOT, "Change Data Capture, %d changes at %d/s (made in %.1f s): %d written to Intercom, %d not%n",
                changes, rate, madeIn, latencies.size(), missing.size());
        if (!latencies.isEmpty()) {
            System.out.printf(Locale.ROOT, "  latency Salesforce write -> Intercom write: p50 %.0f ms, p95 %.0f ms, max %.0f ms%n",
                    percentile(latencies, 50), percentile(latencies, 95), latencies.get(latencies.size() - 1));
        }
        System.out.printf(Locale.ROOT, "  SOQL queries to find changes: %d; Salesforce calls by the service: %d (%.2f per 1,000 changes)%n",
                queries.get(), salesforceCalls, 1000.0 * salesforceCalls / changes);
        System.out.printf(Locale.ROOT, "  Intercom requests: %d (%.2f per change)%n", intercomRequests,
                (double) intercomRequests / changes);
        printSlices(start, committedAt, writtenAt);
    }

    /**
     * Latency over the run, by 10-second slice of Salesforce write time, and the Intercom writes made
     * in each slice: a backlog built early and draining shows as falling latency with writes above the
     * rate; a fixed delay as flat latency with writes at the rate.
     */
    private static void printSlices(long start, Map<String, Long> committedAt, Map<String, Long> writtenAt) {
        long slice = TimeUnit.SECONDS.toNanos(SLICE_SECONDS);
        TreeMap<Long, List<Double>> bySlice = new TreeMap<>();
        committedAt.forEach((id, at) -> {
            Long written = writtenAt.get(id);
            if (written != null) {
                bySlice.computeIfAbsent((at - start) / slice, s -> new ArrayList<>()).add((written - at) / 1e6);
            }
        });
        TreeMap<Long, Integer> writes = new TreeMap<>();
        writtenAt.values().forEach(at -> writes.merge(Math.max(0, at - start) / slice, 1, Integer::sum));
        System.out.println("  by " + SLICE_SECONDS + "-second slice of Salesforce write time: changes, latency p50 / max,"
                + " Intercom writes made in the slice");
        long last = Math.max(bySlice.isEmpty() ? 0 : bySlice.lastKey(), writes.isEmpty() ? 0 : writes.lastKey());
        for (long s = 0; s <= last; s++) {
            List<Double> sorted = new ArrayList<>(bySlice.getOrDefault(s, List.of()));
            sorted.sort(Double::compare);
            System.out.printf(Locale.ROOT, "    %4d-%4d s: %5d changes, %s, %5d writes%n", s * SLICE_SECONDS,
                    (s + 1) * SLICE_SECONDS, sorted.size(), sorted.isEmpty() ? "      -" : String.format(Locale.ROOT,
                            "p50 %6.0f ms / max %6.0f ms", percentile(sorted, 50), sorted.get(sorted.size() - 1)),
                    writes.getOrDefault(s, 0));
        }
    }

    private static double percentile(List<Double> sorted, int p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    private static long serviceCalls(SimulatedWorld world) {
        return world.salesforce.apiRequestsUsedByClient().getOrDefault("sandbox-client", 0L);
    }

    private static void link(DataSource dataSource, List<SeedPerson> pairs) throws Exception {
        try (Connection c = dataSource.getConnection(); PreparedStatement insert = c.prepareStatement(
                "INSERT INTO record_link (object_type, salesforce_id, intercom_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
            for (SeedPerson p : pairs) {
                insert.setString(1, "CONTACT");
                insert.setString(2, p.salesforce().id());
                insert.setString(3, p.intercom().id());
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }
}

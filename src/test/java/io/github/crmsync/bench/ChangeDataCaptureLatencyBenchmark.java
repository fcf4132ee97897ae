package io.github.crmsync.bench;

import io.github.crmsync.mapping.MappingStore;
import io.github.crmsync.mapping.SandboxMappings;
import io.github.crmsync.sandbox.seed.SeedPerson;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.SalesforceClient;
import io.github.crmsync.testing.SimulatedWorld;

import javax.sql.DataSource;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * the service spent finding the changes (the poll's SOQL queries; target 0), its other queries and its Salesforce calls in all per
 * 1,000 changes, and the Intercom requests; then the CPU the changes cost (this JVM, which runs the
 * service, the simulators and the benchmark, and its PostgreSQL), by thread, and latency over the run.
 * Records start linked with their synced values stored, as a first bulk sync leaves them. A third argument, seconds, first makes the same
 * load on other records for that long, unmeasured (the service warmed up: JIT, pools).
 *
 * <pre>mvn -B -q test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.github.crmsync.bench.ChangeDataCaptureLatencyBenchmark [-Dexec.args="100 120 [30]"]</pre>
 */
public final class ChangeDataCaptureLatencyBenchmark {

    private static final int SLICE_SECONDS = 10;

    private ChangeDataCaptureLatencyBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 120;
        int changes = rate * seconds;
        int warmUp = rate * (args.length > 2 ? Integer.parseInt(args[2]) : 0);
        Path dir = Files.createTempDirectory("cdc-latency-benchmark");
        try (SimulatedWorld world = new SimulatedWorld(dir, Math.max(3 * (changes + warmUp), 2000))) {
            Map<String, String> properties = world.serviceProperties();
            properties.put("crmsync.cdc.enabled", "true");
            properties.put("crmsync.cdc.backstop-poll-cron", "0 0 0 1 1 ? 2099");
            try (RunningService service = RunningService.start(properties)) {
                run(world, service, rate, changes, warmUp);
            }
        }
        System.exit(0);
    }

    private static void run(SimulatedWorld world, RunningService service, int rate, int changes, int warmUp) throws Exception {
        service.bean("mappingStore", MappingStore.class).seedIfEmpty(SandboxMappings.defaults());
        List<SeedPerson> contacts = new ArrayList<>();
        for (int i = 0; i < world.seed.people() && contacts.size() < changes + warmUp; i++) {
            SeedPerson p = world.seed.person(i);
            if (!p.lead() && p.salesforce() != null && p.intercom() != null && !world.sharesEmail(i)) {
                contacts.add(p);
            }
        }
        if (contacts.size() < changes + warmUp) {
            throw new IllegalStateException("the seed has only " + contacts.size() + " linked Contacts");
        }
        SyncedLinks.store(world, service.bean("dataSource", DataSource.class), contacts);
        service.bean("schemaCache", io.github.crmsync.mapping.SchemaCache.class).current();
        long deadline = System.currentTimeMillis() + 60_000;
        // subscribed from now on (no replay id stored), and the poll has read what came before
        while ((world.salesforce.pubSubSubscriptions() < 2 || service.exchangesDone("cdc-catch-up-poll") < 1)
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(100); // a benchmark's own start-up wait, not a test's
        }

        Map<String, Long> writtenAt = new ConcurrentHashMap<>();
        world.intercom.onUpdate(id -> writtenAt.putIfAbsent(id, System.nanoTime()));
        SalesforceClient other = SalesforceClient.asOtherClient(world.salesforce.baseUrl());
        if (warmUp > 0) {
            // the same load on other records first, unmeasured: a steady state without the start-up (JIT, pools)
            Map<String, Long> warmedAt = new ConcurrentHashMap<>();
            writeAtRate(other, contacts.subList(changes, changes + warmUp), rate, System.nanoTime(), warmedAt);
            awaitWritten(writtenAt, warmedAt);
            System.out.printf(Locale.ROOT, "Warm-up: %d changes at %d/s, %d written to Intercom, not measured%n", warmUp,
                    rate, warmedAt.keySet().stream().filter(writtenAt::containsKey).count());
            writtenAt.clear();
        }

        Map<String, Long> committedAt = new ConcurrentHashMap<>();
        AtomicLong queries = new AtomicLong();
        AtomicLong otherQueries = new AtomicLong();
        // the poll's query of the records changed since its watermark; any other reads records by Id or e-mail
        world.salesforce.onQuery(soql -> (soql.contains("SystemModstamp >") ? queries : otherQueries).incrementAndGet());
        long salesforceBefore = serviceCalls(world);
        long intercomBefore = world.intercom.requestCount();
        Duration cpuBefore = cpu();
        Map<Long, Long> threadCpuBefore = threadCpu();
        long start = System.nanoTime();
        writeAtRate(other, contacts.subList(0, changes), rate, start, committedAt);
        double madeIn = (System.nanoTime() - start) / 1e9;
        awaitWritten(writtenAt, committedAt);

        Duration cpuUsed = cpu().minus(cpuBefore);
        Map<String, Long> cpuByThreads = cpuByThreadGroup(threadCpuBefore);
        double busyFor = (System.nanoTime() - start) / 1e9;
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
        System.out.printf(Locale.ROOT, "  SOQL queries to find changes: %d; other SOQL queries: %d; Salesforce calls by the service: "
                + "%d (%.2f per 1,000 changes)%n", queries.get(), otherQueries.get(), salesforceCalls,
                1000.0 * salesforceCalls / changes);
        System.out.printf(Locale.ROOT, "  Intercom requests: %d (%.2f per change)%n", intercomRequests,
                (double) intercomRequests / changes);
        System.out.printf(Locale.ROOT, "  CPU of this JVM (service, simulators, benchmark) and its PostgreSQL until the last write: "
                + "%.1f s in %.1f s (%.2f of %d cores), %.2f ms per change%n", cpuUsed.toMillis() / 1e3, busyFor,
                cpuUsed.toMillis() / 1e3 / busyFor, Runtime.getRuntime().availableProcessors(),
                (double) cpuUsed.toMillis() / changes);
        StringBuilder groups = new StringBuilder();
        cpuByThreads.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(10)
                .forEach(e -> groups.append(String.format(Locale.ROOT, "%s%s %.2f", groups.length() == 0 ? "" : "; ",
                        e.getKey(), e.getValue() / 1e6 / changes)));
        System.out.println("  of which, ms per change by thread (the rest: PostgreSQL, JIT compiler, GC): " + groups);
        printSlices(start, committedAt, writtenAt);
    }

    private static Map<Long, Long> threadCpu() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<Long, Long> cpu = new HashMap<>();
        for (long id : threads.getAllThreadIds()) {
            cpu.put(id, Math.max(0, threads.getThreadCpuTime(id)));
        }
        return cpu;
    }

    /** CPU nanoseconds since {@code before} by thread name, numbers left out (the threads of one pool together). */
    private static Map<String, Long> cpuByThreadGroup(Map<Long, Long> before) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<String, Long> groups = new HashMap<>();
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null) {
                long used = Math.max(0, threads.getThreadCpuTime(info.getThreadId())) - before.getOrDefault(info.getThreadId(), 0L);
                groups.merge(info.getThreadName().replaceAll("[0-9]+", "#"), Math.max(0, used), Long::sum);
            }
        }
        return groups;
    }

    /**
     * CPU time used so far by this JVM and the processes it started (the embedded PostgreSQL): what the
     * changes cost, whatever else the machine runs (its load stretches the latencies, hardly this).
     */
    private static Duration cpu() {
        Duration total = ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO);
        for (ProcessHandle child : ProcessHandle.current().descendants().toList()) {
            total = total.plus(child.info().totalCpuDuration().orElse(Duration.ZERO));
        }
        return total;
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

    /** Changes each record once, at the rate from {@code start}, noting when Salesforce took each (its 204). */
    private static void writeAtRate(SalesforceClient other, List<SeedPerson> people, int rate, long start,
                                    Map<String, Long> committedAt) throws InterruptedException {
        ExecutorService writers = Executors.newFixedThreadPool(8);
        long periodNanos = 1_000_000_000L / rate;
        for (int i = 0; i < people.size(); i++) {
            long due = start + i * periodNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            SeedPerson p = people.get(i);
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
    }

    private static void awaitWritten(Map<String, Long> writtenAt, Map<String, Long> committedAt) throws InterruptedException {
        long waitUntil = System.currentTimeMillis() + 120_000;
        while (!writtenAt.keySet().containsAll(committedAt.keySet()) && System.currentTimeMillis() < waitUntil) {
            Thread.sleep(200);
        }
    }

    private static double percentile(List<Double> sorted, int p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    private static long serviceCalls(SimulatedWorld world) {
        return world.salesforce.apiRequestsUsedByClient().getOrDefault("sandbox-client", 0L);
    }
}

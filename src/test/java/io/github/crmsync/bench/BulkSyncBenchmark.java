package io.github.crmsync.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.crmsync.mapping.AttributeMapping;
import io.github.crmsync.mapping.Direction;
import io.github.crmsync.mapping.MappingSet;
import io.github.crmsync.mapping.MappingStore;
import io.github.crmsync.mapping.ObjectType;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.SimulatedWorld;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Bulk-sync cost and speed: seeds enough people for N pairs in common (default 100,000), with the
 * mappings chosen so that about 10 % of the pairs differ in each direction, slows both simulators
 * to 20 ms per request, keeps Intercom's default limit (10,000 a minute) and runs one bulk sync from
 * scratch (nothing linked yet). Prints wall time per phase, records per second, Salesforce API
 * calls, Intercom requests, peak heap and RSS, and the wall time against the floor the Intercom
 * rate limit sets (its requests ÷ the limit per minute). Everything runs in this JVM, simulators
 * included, so the heap figure is an upper bound for the service.
 *
 * <pre>mvn -B -q test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.github.crmsync.bench.BulkSyncBenchmark [-Dexec.args=100000]</pre>
 */
public final class BulkSyncBenchmark {

    private static final int INTERCOM_LIMIT_PER_MINUTE = 10_000;
    private static final long LATENCY_MS = 20;

    private BulkSyncBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int people = (int) Math.ceil(pairs / 0.85);
        Path dir = Files.createTempDirectory("bulk-sync-benchmark");
        try (SimulatedWorld world = new SimulatedWorld(dir, people)) {
            Map<String, String> properties = world.serviceProperties();
            properties.put("crmsync.sandbox.people", Integer.toString(people));
            properties.put("crmsync.intercom.concurrency", "8");
            try (RunningService service = RunningService.start(properties)) {
                run(world, service, pairs);
            }
        }
        System.exit(0);
    }

    /**
     * Salesforce owns phone, title, lead source and renewal date; Intercom owns plan and seats. The
     * seed's differing pairs differ in one to three of six values (two of them Salesforce-owned, two
     * Intercom-owned here), which makes about 10.6 % of all pairs differ in each direction.
     */
    static MappingSet mappings() {
        List<AttributeMapping> list = new ArrayList<>();
        for (ObjectType type : ObjectType.values()) {
            list.add(AttributeMapping.of(type, "phone", "Phone", Direction.SALESFORCE_TO_INTERCOM));
            list.add(AttributeMapping.of(type, "custom_attributes.job_title", "Title", Direction.SALESFORCE_TO_INTERCOM));
            list.add(AttributeMapping.of(type, "custom_attributes.lead_source", "LeadSource", Direction.SALESFORCE_TO_INTERCOM));
            list.add(AttributeMapping.of(type, "custom_attributes.renewal_date", "Renewal_Date__c", Direction.SALESFORCE_TO_INTERCOM));
            list.add(AttributeMapping.of(type, "custom_attributes.plan", "Plan__c", Direction.INTERCOM_TO_SALESFORCE));
            list.add(AttributeMapping.of(type, "custom_attributes.seats", "Seats__c", Direction.INTERCOM_TO_SALESFORCE));
        }
        return MappingSet.of(list);
    }

    private static void run(SimulatedWorld world, RunningService service, int pairs) throws Exception {
        service.bean("mappingStore", MappingStore.class).seedIfEmpty(mappings());
        world.salesforce.faults().set(LATENCY_MS, 0, 0, 0);
        world.intercom.faults().set(LATENCY_MS, 0, 0, 0);
        long sfCallsBefore = world.salesforce.apiRequestsUsedByClient().getOrDefault("sandbox-client", 0L);
        long icRequestsBefore = world.intercom.requestCount();
        long limitedBefore = world.intercom.rateLimitedCount();
        long sfWritesBefore = world.salesforce.writeCount();
        long icWritesBefore = world.intercom.writeCount();
        System.gc();
        ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);

        long start = System.nanoTime();
        Http.Answer started = Http.post(service.serviceUrl() + "/api/bulk-sync", "{\"startedBy\":\"benchmark\"}");
        if (started.status() != 202) {
            throw new IllegalStateException(started.body());
        }
        long id = started.json().path("id").asLong();
        Map<String, Double> phaseStart = new LinkedHashMap<>();
        JsonNode run;
        long peakHeap = 0;
        while (true) {
            run = runJson(service, id);
            double at = (System.nanoTime() - start) / 1e9;
            phaseStart.putIfAbsent(run.path("status").asText(), at);
            peakHeap = Math.max(peakHeap, heapPeak());
            if (!List.of("STAGING", "DIFFING", "WRITING", "WAITING_FOR_CAPACITY").contains(run.path("status").asText())) {
                break;
            }
            Thread.sleep(100);
        }
        double wall = (System.nanoTime() - start) / 1e9;
        peakHeap = Math.max(peakHeap, heapPeak());

        long sfCalls = world.salesforce.apiRequestsUsedByClient().getOrDefault("sandbox-client", 0L) - sfCallsBefore;
        long icRequests = world.intercom.requestCount() - icRequestsBefore;
        double floor = run.path("intercomRequests").asLong() / (INTERCOM_LIMIT_PER_MINUTE / 60.0);
        int inCommon = 0;
        for (int i = 0; i < world.seed.people(); i++) {
            var p = world.seed.person(i);
            inCommon += p.salesforce() != null && p.intercom() != null && !world.sharesEmail(i) ? 1 : 0;
        }
        System.out.printf(Locale.ROOT, "%nBulk sync benchmark: %,d people seeded, %,d pairs in common (target %,d), "
                        + "simulators at %d ms, Intercom limit %,d/min, %d CPUs, load average %.1f%n", world.seed.people(),
                inCommon, pairs, LATENCY_MS, INTERCOM_LIMIT_PER_MINUTE, Runtime.getRuntime().availableProcessors(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.out.printf(Locale.ROOT, "Run %d %s: total %,d (pairs in step + record updates), %,d unchanged, %,d updated in Salesforce (%.1f %%), %,d updated in "
                        + "Intercom (%.1f %%), %,d failed%n", id, run.path("status").asText(), run.path("total").asLong(), run.path("unchanged").asLong(),
                run.path("updatedInSalesforce").asLong(), 100.0 * run.path("updatedInSalesforce").asLong() / inCommon,
                run.path("updatedInIntercom").asLong(), 100.0 * run.path("updatedInIntercom").asLong() / inCommon,
                run.path("failed").asLong());
        List<String> phases = new ArrayList<>(phaseStart.keySet());
        StringBuilder perPhase = new StringBuilder();
        for (int i = 0; i < phases.size() - 1; i++) {
            perPhase.append(String.format(Locale.ROOT, "%s %.1f s; ", phases.get(i),
                    phaseStart.get(phases.get(i + 1)) - phaseStart.get(phases.get(i))));
        }
        System.out.printf(Locale.ROOT, "Wall time %.1f s (%s), %,.0f records/s%n", wall, perPhase, inCommon / wall);
        System.out.printf(Locale.ROOT, "Salesforce API calls: %d (run's own count %d; target <= 60 per 100,000 pairs), "
                        + "records written %,d%n", sfCalls, run.path("salesforceCalls").asLong(),
                world.salesforce.writeCount() - sfWritesBefore);
        System.out.printf(Locale.ROOT, "Intercom requests: %,d (run's own count %,d), 429s: %d, contacts written %,d%n",
                icRequests, run.path("intercomRequests").asLong(), world.intercom.rateLimitedCount() - limitedBefore,
                world.intercom.writeCount() - icWritesBefore);
        System.out.printf(Locale.ROOT, "Intercom floor %.1f s (%,d requests / %,d per minute); wall / floor = %.2f "
                + "(target <= 1.3)%n", floor, run.path("intercomRequests").asLong(), INTERCOM_LIMIT_PER_MINUTE, wall / floor);
        System.out.printf(Locale.ROOT, "Peak heap %,d MB (max %,d MB), peak RSS %s, RSS now %s%n", peakHeap >> 20,
                Runtime.getRuntime().maxMemory() >> 20, procStatus("VmHWM"), procStatus("VmRSS"));
    }

    private static JsonNode runJson(RunningService service, long id) {
        for (JsonNode r : Http.get(service.serviceUrl() + "/api/bulk-sync/runs?limit=5").json().path("runs")) {
            if (r.path("id").asLong() == id) {
                return r;
            }
        }
        throw new IllegalStateException("run " + id + " not listed");
    }

    private static long heapPeak() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum;
    }

    private static String procStatus(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key + ":")) {
                    return line.substring(key.length() + 1).trim();
                }
            }
        } catch (java.io.IOException e) {
            return "n/a";
        }
        return "n/a";
    }

}

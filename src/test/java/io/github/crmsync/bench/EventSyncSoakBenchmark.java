package io.github.crmsync.bench;

import io.github.crmsync.sandbox.seed.SeedPerson;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.PrometheusScrape;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.SalesforceClient;
import io.github.crmsync.testing.ServiceProcess;
import io.github.crmsync.testing.SimulatedWorld;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Event-sync soak: N distinct Salesforce Contacts and Leads (default 200,000) change, in rounds of
 * N / 20, and event sync writes each to its Intercom contact. After every round the service's heap
 * after a full GC and the series on {@code /observe/metrics} are printed; at the end, whether the
 * heap stayed flat and no series appeared but those of a route used for the first time. The service runs in
 * a JVM of its own with {@code -Xmx512m}; the simulators (which keep every changed contact) and
 * PostgreSQL stay in this one.
 *
 * <pre>mvn -B -q test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.github.crmsync.bench.EventSyncSoakBenchmark [-Dexec.args=200000]</pre>
 */
public final class EventSyncSoakBenchmark {

    private static final int ROUNDS = 20;

    private EventSyncSoakBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int contacts = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int people = (int) Math.ceil(contacts / 0.75) + 1000;
        Path dir = Files.createTempDirectory("event-sync-soak");
        BenchmarkJvm.exposeClassPath();
        try (SimulatedWorld world = new SimulatedWorld(dir, people)) {
            Map<String, String> properties = world.serviceProperties();
            properties.put("crmsync.sandbox.people", Integer.toString(people));
            properties.put("camel.management.port", Integer.toString(RunningService.freePort()));
            try (ServiceProcess service = ServiceProcess.start(properties, dir.resolve("service.log"))) {
                String url = "http://127.0.0.1:" + world.serverPort;
                BenchmarkJvm.awaitUp(url, service, dir.resolve("service.log"));
                String metricsUrl = "http://127.0.0.1:" + properties.get("camel.management.port") + "/observe/metrics";
                boolean ok = run(world, url, metricsUrl, service.pid(), contacts);
                System.out.println("Service log: " + dir.resolve("service.log"));
                System.exit(ok ? 0 : 1);
            }
        }
    }

    private static boolean run(SimulatedWorld world, String serviceUrl, String metricsUrl, long pid, int contacts)
            throws Exception {
        for (String type : List.of("CONTACT", "LEAD")) {
            Http.Answer created = Http.post(serviceUrl + "/api/mappings", Http.json(Map.of("objectType", type,
                    "intercomAttribute", "phone", "salesforceField", "Phone", "direction", "SALESFORCE_TO_INTERCOM")));
            if (created.status() != 201) {
                throw new IllegalStateException(created.body());
            }
        }
        List<SeedPerson> pairs = new ArrayList<>();
        for (int i = 0; i < world.seed.people() && pairs.size() < contacts; i++) {
            SeedPerson p = world.seed.person(i);
            if (p.salesforce() != null && p.intercom() != null && !world.sharesEmail(i)) {
                pairs.add(p);
            }
        }
        if (pairs.size() < contacts) {
            throw new IllegalStateException("the seed has only " + pairs.size() + " pairs");
        }
        link(world, pairs);
        // the memory is the subject here, not Intercom's limit: let the writes run as fast as the service goes
        world.intercom.setRateLimitPerMinute(120_000);
        pollNow(serviceUrl);

        SalesforceClient other = SalesforceClient.asOtherClient(world.salesforce.baseUrl());
        int perRound = Math.max(1, contacts / ROUNDS);
        List<long[]> samples = new ArrayList<>();
        java.util.Set<String> firstSeries = new java.util.HashSet<>();
        java.util.Set<String> unbounded = new java.util.TreeSet<>();
        long start = System.nanoTime();
        long missing = 0;
        System.out.printf(Locale.ROOT, "%nEvent-sync soak: %,d distinct contacts in rounds of %,d%n", contacts, perRound);
        System.out.println("round  written  seconds  heap after GC (MB)  series on /observe/metrics  old gen %  full GCs");
        for (int from = 0, round = 1; from < contacts; from += perRound, round++) {
            List<SeedPerson> batch = pairs.subList(from, Math.min(contacts, from + perRound));
            change(other, batch);
            pollNow(serviceUrl);
            for (SeedPerson p : batch) {
                Object phone = world.intercom.contact(p.intercom().id()).orElseThrow().get("phone");
                if (!phone(p).equals(phone)) {
                    missing++;
                }
            }
            long heap = BenchmarkJvm.heapAfterGc(pid);
            java.util.Set<String> series = series(metricsUrl);
            if (round == 1) {
                firstSeries.addAll(series);
            }
            // a route used for the first time brings its own series; anything else new grows with the data
            series.stream().filter(key -> !key.contains("routeId=\"") && !key.contains("route=\""))
                    .filter(key -> !firstSeries.contains(key)).forEach(unbounded::add);
            samples.add(new long[] {heap, series.size()});
            System.out.printf(Locale.ROOT, "%5d  %,7d  %7.1f  %18d  %26d  %9s  %8s%n", round, from + batch.size(),
                    (System.nanoTime() - start) / 1e9, heap >> 20, series.size(), BenchmarkJvm.gcutilValue(pid, "O"), BenchmarkJvm.gcutilValue(pid, "FGC"));
        }

        // the first round builds what stays (endpoints, meters, caches); from then on nothing may grow
        long firstHeap = samples.get(0)[0];
        long lastHeap = samples.get(samples.size() - 1)[0];
        long maxHeap = samples.stream().mapToLong(s -> s[0]).max().orElse(0);
        long seriesFirst = samples.get(0)[1];
        long seriesLast = samples.get(samples.size() - 1)[1];
        boolean heapFlat = lastHeap <= firstHeap + (32L << 20);
        System.out.printf(Locale.ROOT, "%nSoak result: %,d contacts written in %.1f s, %,d not synced; heap after GC "
                        + "first %d MB, last %d MB, highest %d MB (%s); series on /observe/metrics first %d, last %d, "
                        + "new ones not of a route: %d%s%n",
                contacts - missing, (System.nanoTime() - start) / 1e9, missing, firstHeap >> 20, lastHeap >> 20, maxHeap >> 20,
                heapFlat ? "flat" : "GROWING", seriesFirst, seriesLast, unbounded.size(),
                unbounded.isEmpty() ? "" : " (GROWING, e.g. " + unbounded.iterator().next() + ")");
        return missing == 0 && heapFlat && unbounded.isEmpty();
    }

    private static void change(SalesforceClient other, List<SeedPerson> batch) {
        for (int from = 0; from < batch.size(); from += 200) {
            List<Map<String, Object>> records = new ArrayList<>();
            for (SeedPerson p : batch.subList(from, Math.min(batch.size(), from + 200))) {
                records.add(Map.of("attributes", Map.of("type", p.salesforce().type()), "id", p.salesforce().id(),
                        "Phone", phone(p)));
            }
            Http.Answer answer = other.updateMany(Map.of("allOrNone", true, "records", records));
            if (answer.status() != 200) {
                throw new IllegalStateException(answer.body());
            }
        }
    }

    private static void link(SimulatedWorld world, List<SeedPerson> pairs) throws Exception {
        try (Connection c = DriverManager.getConnection(world.database.jdbcUrl(), world.database.user(), "");
             PreparedStatement insert = c.prepareStatement("INSERT INTO record_link (object_type, salesforce_id, intercom_id) "
                     + "VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
            int n = 0;
            for (SeedPerson p : pairs) {
                insert.setString(1, p.lead() ? "LEAD" : "CONTACT");
                insert.setString(2, p.salesforce().id());
                insert.setString(3, p.intercom().id());
                insert.addBatch();
                if (++n % 10_000 == 0) {
                    insert.executeBatch();
                }
            }
            insert.executeBatch();
        }
    }

    /** Series (name and labels) on the Prometheus endpoint, the JVM's GC series left out (a new GC cause is a new series). */
    private static java.util.Set<String> series(String metricsUrl) {
        java.util.Set<String> keys = new java.util.HashSet<>();
        PrometheusScrape.of(metricsUrl).text().lines()
                .filter(l -> !l.isBlank() && !l.startsWith("#") && !l.startsWith("jvm_gc"))
                .forEach(l -> keys.add(l.substring(0, l.lastIndexOf(' '))));
        return keys;
    }

    private static void pollNow(String serviceUrl) {
        Http.Answer answer = Http.post(serviceUrl + "/api/event-sync/run", "");
        if (answer.status() != 200) {
            throw new IllegalStateException(answer.body());
        }
    }

    private static String phone(SeedPerson p) {
        return String.format(Locale.ROOT, "+1 555 0700 %04d", p.index() % 10_000);
    }
}

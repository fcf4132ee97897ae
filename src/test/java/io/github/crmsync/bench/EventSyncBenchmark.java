package io.github.crmsync.bench;

import io.github.crmsync.intercom.IntercomClient;
import io.github.crmsync.mapping.MappingStore;
import io.github.crmsync.mapping.SandboxMappings;
import io.github.crmsync.quota.SalesforceApiUsage;
import io.github.crmsync.sandbox.intercom.IntercomSimulatorSettings;
import io.github.crmsync.sandbox.seed.SeedPerson;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.IntercomClientForTests;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.SalesforceClient;
import io.github.crmsync.testing.SimulatedWorld;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Event-sync cost and speed: changes N Salesforce records and N Intercom contacts (default 10,000
 * each) in the sandbox and reports, per direction, the wall time until all are synced, the
 * Salesforce API calls and the Intercom requests the service used. Records start linked, with their
 * Intercom values stored as synced, as after a first sync of each pair (steady state). After the
 * Salesforce -> Intercom poll of N changes, a quiet one (2 Contacts and 1 Lead changed).
 * <p>
 * Mode {@code salesforce-to-intercom}: that direction only, with Intercom's rate limit lifted, so that
 * a large N (40,000, 50,000) shows the calls per poll without waiting minutes for Intercom.
 *
 * <pre>mvn -B -q test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.github.crmsync.bench.EventSyncBenchmark [-Dexec.args="10000 [salesforce-to-intercom]"]</pre>
 */
public final class EventSyncBenchmark {

    private EventSyncBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int changes = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        boolean bothWays = args.length < 2 || args[1].equals("both");
        if (!bothWays && !args[1].equals("salesforce-to-intercom")) {
            throw new IllegalArgumentException("mode: both or salesforce-to-intercom, not " + args[1]);
        }
        Path dir = Files.createTempDirectory("event-sync-benchmark");
        try (SimulatedWorld world = new SimulatedWorld(dir, Math.max((bothWays ? 4 : 3) * changes, 2000))) {
            Map<String, String> properties = world.serviceProperties();
            properties.put("crmsync.sandbox.people", Integer.toString(world.seed.people()));
            try (RunningService service = RunningService.start(properties)) {
                run(world, service, changes, bothWays);
            }
        }
        System.exit(0);
    }

    private static void run(SimulatedWorld world, RunningService service, int changes, boolean bothWays) throws Exception {
        service.bean("mappingStore", MappingStore.class).seedIfEmpty(SandboxMappings.defaults());
        // N changed each way, and the quiet poll's 2 Contacts and 1 Lead
        List<SeedPerson> quiet = new ArrayList<>();
        int needed = (bothWays ? 2 * changes : changes);
        List<SeedPerson> pairs = new ArrayList<>();
        for (int i = 0; i < world.seed.people() && (pairs.size() < needed || quiet.size() < 3); i++) {
            SeedPerson p = world.seed.person(i);
            if (p.salesforce() != null && p.intercom() != null && !world.sharesEmail(i)) {
                if (pairs.size() < needed) {
                    pairs.add(p);
                } else if (p.lead() ? quiet.stream().noneMatch(SeedPerson::lead) : quiet.stream().filter(q -> !q.lead()).count() < 2) {
                    quiet.add(p);
                }
            }
        }
        if (pairs.size() < needed || quiet.size() < 3) {
            throw new IllegalStateException("the seed has only " + (pairs.size() + quiet.size()) + " pairs");
        }
        pairs.addAll(quiet);
        SyncedLinks.store(world, service.bean("dataSource", DataSource.class), pairs);
        // steady state: the schemas are described once per 10 minutes, not per burst
        service.bean("schemaCache", io.github.crmsync.mapping.SchemaCache.class).current();
        pollNow(service);
        SalesforceApiUsage usage = service.bean("salesforceApiUsage", SalesforceApiUsage.class);
        IntercomClient intercom = service.bean("intercomClient", IntercomClient.class);

        if (!bothWays) {
            world.intercom.setRateLimitPerMinute(1_000_000);
        }

        SalesforceClient other = SalesforceClient.asOtherClient(world.salesforce.baseUrl());

        // a quiet poll first: 2 Contacts and 1 Lead changed (after the busy one, a poll reads its
        // records again: those of the overlap before the last complete poll's start)
        changePhones(other, quiet);
        Calls quietPoll = Calls.during(world, usage, () -> pollNow(service));
        checkSynced(world, quiet);

        // Salesforce -> Intercom: another client changes N records, then one poll cycle.
        List<SeedPerson> sfChanged = pairs.subList(0, changes);
        changePhones(other, sfChanged);
        long intercomBefore = intercom.requestCount();
        long writesBefore = world.intercom.writeCount();
        long start = System.nanoTime();
        Calls busyPoll = Calls.during(world, usage, () -> pollNow(service));
        double sfToIcSeconds = (System.nanoTime() - start) / 1e9;
        long sfToIcCalls = busyPoll.seenBySalesforce();
        long sfToIcIntercom = intercom.requestCount() - intercomBefore;
        long sfToIcWrites = world.intercom.writeCount() - writesBefore;
        checkSynced(world, sfChanged);
        // the next poll, nothing changed since: it reads the busy poll's records again (the overlap)
        Calls nextPoll = Calls.during(world, usage, () -> pollNow(service));

        System.out.printf(Locale.ROOT, "%nEvent sync benchmark: %,d changes per direction, %,d people seeded%n", changes,
                world.seed.people());
        // the floor: the time Intercom's rate limit alone needs for these requests
        double floorSeconds = 60.0 * sfToIcIntercom / IntercomSimulatorSettings.defaults().rateLimitPerMinute();
        long leads = sfChanged.stream().filter(SeedPerson::lead).count();
        // a query reads one object, a page holds up to 2,000 records, a Composite call up to 5 query operations of either
        long pages = (changes - leads + 1999) / 2000 + (leads + 1999) / 2000;
        System.out.printf(Locale.ROOT, "Salesforce -> Intercom records: %,d Contacts (%d pages) and %,d Leads (%d pages): "
                        + "%d pages, at least %d Composite calls of 5 query operations%n",
                changes - leads, (changes - leads + 1999) / 2000, leads, (leads + 1999) / 2000, pages, (pages + 4) / 5);
        System.out.printf(Locale.ROOT, "Salesforce -> Intercom: %.1f s (one poll; %s), "
                        + "%d Salesforce calls (%.2f per 100 changes, %,.0f records per call; %s), %,d Intercom requests, "
                        + "%,d contacts written%n", sfToIcSeconds,
                bothWays ? String.format(Locale.ROOT, "Intercom floor %.1f s, wall / floor %.2f", floorSeconds,
                        sfToIcSeconds / floorSeconds) : "Intercom's rate limit lifted",
                sfToIcCalls, 100.0 * sfToIcCalls / changes, (double) changes / Math.max(1, sfToIcCalls), busyPoll.counted(),
                sfToIcIntercom, sfToIcWrites);
        System.out.printf(Locale.ROOT, "Salesforce -> Intercom, a quiet poll before (2 Contacts and 1 Lead changed): "
                + "%d Salesforce calls (%s)%n", quietPoll.seenBySalesforce(), quietPoll.counted());
        System.out.printf(Locale.ROOT, "Salesforce -> Intercom, the poll after (nothing changed; it reads again the "
                + "overlap before the last complete poll's start): %d Salesforce calls (%s)%n", nextPoll.seenBySalesforce(),
                nextPoll.counted());
        if (!bothWays) {
            return;
        }

        // Intercom -> Salesforce: another client changes N contacts; webhooks carry them to the service.
        List<SeedPerson> icChanged = pairs.subList(changes, 2 * changes);
        IntercomClientForTests check = new IntercomClientForTests(world.intercom.baseUrl());
        world.intercom.setRateLimitPerMinute(1_000_000);
        Thread.sleep(1000);
        long callsBefore = total(usage.ownCallsByRoute(Instant.EPOCH));
        long salesforceSawBefore = serviceCallsSeenBySalesforce(world);
        intercomBefore = intercom.requestCount();
        long sfWritesBefore = world.salesforce.writeCount();
        start = System.nanoTime();
        Instant icStart = Instant.now();
        ExecutorService senders = Executors.newFixedThreadPool(8);
        for (SeedPerson p : icChanged) {
            senders.execute(() -> changeSeats(check, p));
        }
        senders.shutdown();
        senders.awaitTermination(10, TimeUnit.MINUTES);
        double changedSeconds = (System.nanoTime() - start) / 1e9;
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (!allSeatsSynced(world, icChanged)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Intercom changes not synced within 10 minutes");
            }
            Thread.sleep(200);
        }
        double icToSfSeconds = (System.nanoTime() - start) / 1e9;
        long icToSfCalls = serviceCallsSeenBySalesforce(world) - salesforceSawBefore;
        long icToSfCounted = total(usage.ownCallsByRoute(Instant.EPOCH)) - callsBefore;
        long icToSfIntercom = intercom.requestCount() - intercomBefore;

        System.out.printf(Locale.ROOT, "Intercom -> Salesforce: %.1f s until all in Salesforce (changes made in %.1f s), "
                        + "%d Salesforce calls (%.2f per 100 contacts; the service counted %d), %,d Intercom requests, "
                        + "%,d records written%n",
                icToSfSeconds, changedSeconds, icToSfCalls, 100.0 * icToSfCalls / changes, icToSfCounted, icToSfIntercom,
                world.salesforce.writeCount() - sfWritesBefore);
        // what a batch window can hold: the changes arrive as fast as Intercom delivers their webhooks
        try (Connection c = service.bean("dataSource", DataSource.class).getConnection(); PreparedStatement arrived =
                c.prepareStatement("SELECT count(*), EXTRACT(EPOCH FROM max(received_at) - min(received_at)) "
                        + "FROM webhook_notification WHERE received_at >= ?")) {
            arrived.setObject(1, java.time.OffsetDateTime.ofInstant(icStart, java.time.ZoneOffset.UTC));
            try (java.sql.ResultSet rs = arrived.executeQuery()) {
                rs.next();
                System.out.printf(Locale.ROOT, "Webhooks: %,d arrived over %.1f s (%.0f a second; %.0f changes per Salesforce "
                        + "call)%n", rs.getLong(1), rs.getDouble(2), rs.getLong(1) / Math.max(0.001, rs.getDouble(2)),
                        icToSfCalls == 0 ? 0.0 : (double) changes / icToSfCalls);
            }
        }
    }

    /** The Salesforce calls made while something ran: as Salesforce counted them, and as the service did by route. */
    private record Calls(long seenBySalesforce, Map<String, Long> byRoute) {

        static Calls during(SimulatedWorld world, SalesforceApiUsage usage, Runnable work) {
            long before = serviceCallsSeenBySalesforce(world);
            Map<String, Long> routesBefore = usage.ownCallsByRoute(Instant.EPOCH);
            work.run();
            Map<String, Long> byRoute = new java.util.TreeMap<>();
            usage.ownCallsByRoute(Instant.EPOCH).forEach((route, calls) -> {
                long made = calls - routesBefore.getOrDefault(route, 0L);
                if (made > 0) {
                    byRoute.put(route, made);
                }
            });
            return new Calls(serviceCallsSeenBySalesforce(world) - before, byRoute);
        }

        /** What the service counted: in all, and by route. */
        String counted() {
            return "the service counted " + total(byRoute) + ": " + byRoute;
        }
    }

    /** Another app changes these records' phones in Salesforce. */
    private static void changePhones(SalesforceClient other, List<SeedPerson> people) {
        for (int from = 0; from < people.size(); from += 200) {
            List<Map<String, Object>> records = new ArrayList<>();
            for (SeedPerson p : people.subList(from, Math.min(people.size(), from + 200))) {
                records.add(Map.of("attributes", Map.of("type", p.salesforce().type()), "id", p.salesforce().id(),
                        "Phone", phone(p)));
            }
            Http.Answer answer = other.updateMany(Map.of("allOrNone", true, "records", records));
            if (answer.status() != 200) {
                throw new IllegalStateException(answer.body());
            }
        }
    }

    /** Each one's new phone is in Intercom (checked inside the simulator: reading them over HTTP would itself hit the rate limit). */
    private static void checkSynced(SimulatedWorld world, List<SeedPerson> people) {
        List<String> missing = new ArrayList<>();
        for (SeedPerson p : people) {
            Object phone = world.intercom.contact(p.intercom().id()).orElseThrow().get("phone");
            if (!phone(p).equals(phone)) {
                missing.add(p.index() + " " + p.salesforce().id() + " " + p.intercom().id() + " phone=" + phone);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException(missing.size() + " not synced, e.g. " + missing.subList(0, Math.min(5, missing.size())));
        }
    }

    /** Another app's update; a refused or dropped request is sent again, as such an app would. */
    private static void changeSeats(IntercomClientForTests intercom, SeedPerson p) {
        for (int attempt = 1; ; attempt++) {
            try {
                if (intercom.update(p.intercom().id(), Map.of("custom_attributes", Map.of("seats", seats(p)))).status() == 200) {
                    return;
                }
            } catch (IllegalStateException e) {
                if (attempt == 5) {
                    throw e;
                }
            }
        }
    }

    /** The service's calls as Salesforce itself counts them (the simulator's per-client counter). */
    private static long serviceCallsSeenBySalesforce(SimulatedWorld world) {
        return world.salesforce.apiRequestsUsedByClient().getOrDefault("sandbox-client", 0L);
    }

    private static boolean allSeatsSynced(SimulatedWorld world, List<SeedPerson> people) {
        for (int i = people.size() - 1; i >= 0; i--) {
            SeedPerson p = people.get(i);
            Object value = world.salesforce.record(p.salesforce().type(), p.salesforce().id()).orElseThrow().get("Seats__c");
            if (!(value instanceof Number n) || n.intValue() != seats(p)) {
                return false;
            }
        }
        return true;
    }

    /**
     * "Poll now" (the route behind {@code POST /api/event-sync/run}), sent in-process: a poll of
     * 40,000 changes on a loaded machine outlasts an HTTP client's patience.
     */
    private static void pollNow(RunningService service) {
        try (org.apache.camel.ProducerTemplate template = service.context().createProducerTemplate()) {
            template.requestBody("direct:event-sync-now", (Object) null);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long total(Map<String, Long> calls) {
        return calls.values().stream().mapToLong(Long::longValue).sum();
    }

    private static String phone(SeedPerson p) {
        return String.format(Locale.ROOT, "+1 555 0400 %04d", p.index() % 10_000);
    }

    private static int seats(SeedPerson p) {
        return 1000 + p.index() % 1000;
    }
}

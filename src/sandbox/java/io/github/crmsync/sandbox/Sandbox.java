package io.github.crmsync.sandbox;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.github.crmsync.ServiceSettings;
import io.github.crmsync.database.EmbeddedDatabase;
import io.github.crmsync.sandbox.intercom.IntercomSimulator;
import io.github.crmsync.sandbox.intercom.IntercomSimulatorSettings;
import io.github.crmsync.sandbox.salesforce.SalesforceSimulator;
import io.github.crmsync.sandbox.salesforce.SalesforceSimulatorSettings;
import io.github.crmsync.sandbox.seed.SeedData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything the sandbox mode runs beside the service: an embedded PostgreSQL, the Salesforce and
 * Intercom simulators filled with seed data, and an SMTP server, under the sandbox's lock on its data
 * directory. Closed in reverse start order (the lock last).
 */
public final class Sandbox implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Sandbox.class);

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private EmbeddedDatabase database;
    private GreenMail mail;
    private IntercomSimulator intercom;
    private SalesforceSimulator salesforce;

    private Sandbox() {
    }

    /**
     * Starts every sandbox part; if one fails, those already started are stopped again.
     *
     * @param webhookUrl where the Intercom simulator sends its signed webhooks (the service's endpoint)
     */
    public static Sandbox start(ServiceSettings settings, String webhookUrl) throws Exception {
        // first of all, so that a second sandbox on the same directory is refused before it touches anything
        SandboxLock lock = SandboxLock.acquire(settings.sandboxDataDir());
        Sandbox sandbox = new Sandbox();
        sandbox.track(lock);
        try {
            // stopped by the service after its pool is closed, not by a JVM hook racing the drain; a
            // server a killed sandbox left running on the directory is stopped first (the lock is ours)
            sandbox.database = sandbox.track(EmbeddedDatabase.startOwned(
                    settings.sandboxDataDir().resolve("postgres"), settings.sandboxDbPort(), false));
            SeedData seed = new SeedData(settings.sandboxSeed(), settings.sandboxPeople());
            SimulatorFaults latency = new SimulatorFaults(settings.sandboxLatencyMillis(), 0, 0, 0);
            sandbox.salesforce = sandbox.track(new SalesforceSimulator(SalesforceSimulatorSettings.defaults()
                    .withPort(settings.sandboxSalesforcePort()).withFaults(latency), seed));
            sandbox.salesforce.start();
            sandbox.intercom = sandbox.track(new IntercomSimulator(IntercomSimulatorSettings.defaults()
                    .withPort(settings.sandboxIntercomPort()).withWebhookUrl(webhookUrl)
                    .withFaults(latency), seed));
            sandbox.intercom.start();
            GreenMail mail = new GreenMail(new ServerSetup(settings.sandboxSmtpPort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
            mail.start();
            sandbox.mail = mail;
            sandbox.track(mail::stop);
            return sandbox;
        } catch (Exception | Error e) {
            sandbox.close();
            throw e;
        }
    }

    public EmbeddedDatabase database() {
        return database;
    }

    public SalesforceSimulator salesforce() {
        return salesforce;
    }

    public IntercomSimulator intercom() {
        return intercom;
    }

    public GreenMail mail() {
        return mail;
    }

    /** Properties that point the service at the sandbox parts; configuration may still override them. */
    public Map<String, String> serviceProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("crmsync.db.url", database.jdbcUrl());
        p.put("crmsync.db.user", database.user());
        p.put("crmsync.db.password", "");
        p.put("camel.component.salesforce.loginUrl", salesforce.baseUrl());
        p.put("camel.component.salesforce.clientId", SalesforceSimulator.SERVICE_CLIENT_ID);
        p.put("camel.component.salesforce.clientSecret", SalesforceSimulator.SERVICE_CLIENT_SECRET);
        p.put("camel.component.salesforce.userName", SalesforceSimulator.USERNAME);
        p.put("camel.component.salesforce.password", SalesforceSimulator.PASSWORD);
        p.put("camel.component.salesforce.pubSubHost", salesforce.pubSubHost());
        p.put("camel.component.salesforce.pubSubPort", Integer.toString(salesforce.pubSubPort()));
        p.put("crmsync.intercom.base-url", intercom.baseUrl());
        p.put("crmsync.intercom.access-token", IntercomSimulatorSettings.defaults().accessToken());
        p.put("crmsync.intercom.client-secret", IntercomSimulatorSettings.defaults().webhookSecret());
        p.put("crmsync.mail.host", "127.0.0.1");
        p.put("crmsync.mail.port", Integer.toString(mail.getSmtp().getPort()));
        return p;
    }

    private <T extends AutoCloseable> T track(T part) {
        started.push(part);
        return part;
    }

    @Override
    public void close() {
        while (!started.isEmpty()) {
            try {
                started.pop().close();
            } catch (Exception e) {
                LOG.warn("Stopping a sandbox part failed: {}", e.toString());
            }
        }
    }
}

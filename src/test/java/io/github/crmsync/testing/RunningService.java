package io.github.crmsync.testing;

import io.github.crmsync.Application;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The whole service started the way {@code java -jar} / {@code mvn exec:java} starts it (Camel Main
 * with {@link Application}'s configuration and the routes), in sandbox mode, on free ports and with
 * its own data directory, so tests can run side by side with a developer's running sandbox.
 */
public final class RunningService implements AutoCloseable {

    /** The admin login every test service gets; {@link Http} sends it to the admin API by default. */
    public static final String ADMIN_USER = "admin";
    public static final String ADMIN_PASSWORD = "test-admin-password";
    /** The operator login of the management server (Jolokia); {@link Http} sends it to Jolokia by default. */
    public static final String OPERATOR_USER = "operator";
    public static final String OPERATOR_PASSWORD = "test-operator-password";

    private final Main main;
    private final Map<String, String> properties;

    private RunningService(Main main, Map<String, String> properties) {
        this.main = main;
        this.properties = properties;
    }

    /** Sandbox-mode properties on free ports with data under {@code dataDir}; callers may add or replace keys. */
    public static Map<String, String> sandboxProperties(Path dataDir) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("crmsync.mode", "sandbox");
        p.put("crmsync.sandbox.data-dir", dataDir.toString());
        // change events off unless a test turns them on: the other tests count the polls' calls and writes
        p.put("crmsync.cdc.enabled", "false");
        p.put("camel.server.port", Integer.toString(freePort()));
        p.put("camel.management.port", Integer.toString(freePort()));
        p.put("crmsync.sandbox.salesforce-port", Integer.toString(freePort()));
        p.put("crmsync.sandbox.intercom-port", Integer.toString(freePort()));
        p.put("crmsync.sandbox.smtp-port", Integer.toString(freePort()));
        p.put("crmsync.sandbox.people", "500");
        p.put("camel.main.jmxEnabled", "false");
        p.put("crmsync.admin.username", ADMIN_USER);
        p.put("crmsync.admin.password", ADMIN_PASSWORD);
        p.put("crmsync.operator.username", OPERATOR_USER);
        p.put("crmsync.operator.password", OPERATOR_PASSWORD);
        return p;
    }

    /** Starts the service with these properties (overriding application.properties) and waits until it runs. */
    public static RunningService start(Map<String, String> properties) throws Exception {
        Main main = Application.newMain();
        properties.forEach(main::addOverrideProperty);
        try {
            main.start();
        } catch (Exception | Error e) {
            Application.closeOpenedResources(main.getCamelContext());
            throw e;
        }
        return new RunningService(main, Map.copyOf(properties));
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    public String property(String key) {
        return properties.get(key);
    }

    public String serviceUrl() {
        return "http://127.0.0.1:" + properties.get("camel.server.port");
    }

    public String managementUrl() {
        return "http://127.0.0.1:" + properties.get("camel.management.port");
    }

    public <T> T bean(String name, Class<T> type) {
        return context().getRegistry().lookupByNameAndType(name, type);
    }

    /** How many exchanges the route has finished, as {@code /observe/metrics} counts them ({@code camel_exchanges_total}). */
    public long exchangesDone(String routeId) {
        return (long) PrometheusScrape.of(managementUrl() + "/observe/metrics").sum("camel_exchanges_total",
                Map.of("routeId", routeId));
    }

    @Override
    public void close() throws Exception {
        try {
            main.stop();
        } finally {
            Application.closeOpenedResources(main.getCamelContext());
        }
    }

    /** A port no one listens on, handed out once per test JVM and never to a parallel test JVM. */
    public static int freePort() {
        return TestPorts.next();
    }
}

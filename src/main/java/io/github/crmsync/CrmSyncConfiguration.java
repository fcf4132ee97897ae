package io.github.crmsync;

import io.github.crmsync.access.AdminAccess;
import io.github.crmsync.access.AdminCredentials;
import io.github.crmsync.access.AdminSessions;
import io.github.crmsync.access.ClientAddress;
import io.github.crmsync.access.LoginThrottle;
import io.github.crmsync.access.ManagementAccess;
import io.github.crmsync.access.PageFiles;
import io.github.crmsync.access.SandboxAdminPassword;
import io.github.crmsync.admin.SchemasApi;
import io.github.crmsync.database.Database;
import io.github.crmsync.eventsync.GracefulStop;
import io.github.crmsync.eventsync.IntercomChanges;
import io.github.crmsync.eventsync.IntercomToSalesforce;
import io.github.crmsync.errors.CircuitBreakers;
import io.github.crmsync.health.CircuitBreakerHealthCheck;
import io.github.crmsync.health.DatabaseHealthCheck;
import io.github.crmsync.health.ReachabilityHealthCheck;
import io.github.crmsync.intercom.IntercomConnections;
import io.github.crmsync.mapping.SchemaCache;
import io.github.crmsync.metrics.SyncMetrics;
import io.github.crmsync.metrics.SyncMetricsWiring;
import io.github.crmsync.scheduling.ClusteredQuartz;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.component.platform.http.main.MainHttpServer;
import org.apache.camel.component.platform.http.main.ManagementHttpServer;
import org.apache.camel.component.quartz.QuartzComponent;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.support.LifecycleStrategySupport;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * Wires the service before its routes start: settings, the sandbox parts (in sandbox mode, found on
 * the class path: see {@link SandboxProvider}), the migrated database pool, the clustered Quartz
 * scheduler, the health checks and the admin login. What it opens is closed after the Camel context
 * has stopped, in reverse order.
 */
public class CrmSyncConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) throws Exception {
        OpenedResources opened = new OpenedResources();
        context.getRegistry().bind(OpenedResources.BEAN_NAME, opened);
        context.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onContextStopped(CamelContext stopped) {
                opened.close();
            }
        });
        try {
            ServiceSettings settings = settings(context);
            if (settings.sandbox()) {
                String webhookUrl = "http://127.0.0.1:" + context.getPropertiesComponent()
                        .resolveProperty("camel.server.port").orElse("8080") + "/intercom/webhooks";
                opened.add(SandboxProvider.find(SandboxProvider.class.getClassLoader()).start(context, settings, webhookUrl));
                settings = settings(context);
            } else {
                context.getRegistry().bind("sandboxMailbox", new NoSandboxMailbox());
            }
            Database database = opened.add(Database.open(settings.dbUrl(), settings.dbUser(), settings.dbPassword(),
                    settings.dbPoolSize(), "crmsync-" + settings.replicaId()));
            context.getRegistry().bind("dataSource", database.dataSource());
            context.getRegistry().bind("serviceSettings", settings);
            ReplicaIdentity.apply(settings.replicaId());
            SyncMetrics metrics = SyncMetricsWiring.bind(context.getRegistry(), settings.replicaId());
            // http and https are two components: the one the Intercom base URL names gets the pool
            context.getRegistry().bind("intercomConnections", opened.add(IntercomConnections.configure(
                    context.getComponent(settings.intercomBaseUrl().startsWith("https:") ? "https" : "http",
                            HttpComponent.class),
                    (int) positive(context, "crmsync.intercom.max-connections", 20),
                    Duration.ofMillis(positive(context, "crmsync.intercom.idle-connection-timeout-ms", 15_000)),
                    Duration.ofMillis(positive(context, "crmsync.intercom.validate-after-inactivity-ms", 1_000)))));
            EventSyncBeans.bind(context, settings, database.dataSource());
            context.getRegistry().bind("schemasApi", new SchemasApi(
                    context.getRegistry().lookupByNameAndType("schemaCache", SchemaCache.class)));
            // closed before the pool (resources close in reverse order)
            GracefulStop stop = opened.add(new GracefulStop(
                    context.getRegistry().lookupByNameAndType("intercomToSalesforce", IntercomToSalesforce.class),
                    context.getRegistry().lookupByNameAndType("intercomChanges", IntercomChanges.class),
                    settings.replicaId()));
            context.addLifecycleStrategy(new LifecycleStrategySupport() {
                @Override
                public void onContextStopping(CamelContext stopping) {
                    stop.stopping();
                }
            });
            BulkSyncBeans.bind(context, settings, database.dataSource());

            QuartzComponent quartz = context.getComponent("quartz", QuartzComponent.class);
            quartz.setPrefixInstanceName(false);
            long checkin = clusterCheckinMillis(context);
            quartz.setProperties(ClusteredQuartz.properties(database.dataSource(), settings.replicaId(), checkin));

            HealthCheckRegistry health = HealthCheckRegistry.get(context);
            health.register(new DatabaseHealthCheck(database.dataSource()));
            String salesforceUrl = context.getPropertiesComponent()
                    .resolveProperty(ServiceSettings.SF + "loginUrl").orElse("https://login.salesforce.com");
            health.register(new ReachabilityHealthCheck("salesforce", salesforceUrl));
            health.register(new ReachabilityHealthCheck("intercom", settings.intercomBaseUrl()));
            CircuitBreakers breakers = context.getRegistry().lookupByNameAndType("circuitBreakers", CircuitBreakers.class);
            health.register(new CircuitBreakerHealthCheck(breakers.salesforce()));
            health.register(new CircuitBreakerHealthCheck(breakers.intercom()));
            metrics.circuitBreakerState("salesforce", () -> CircuitBreakerHealthCheck.stateOf(breakers.salesforce()));
            metrics.circuitBreakerState("intercom", () -> CircuitBreakerHealthCheck.stateOf(breakers.intercom()));

            String generatedPassword = settings.adminPassword() == null && settings.sandbox()
                    ? SandboxAdminPassword.readOrCreate(settings.sandboxDataDir()) : null;
            String adminPassword = generatedPassword != null ? generatedPassword : settings.adminPassword();
            AdminCredentials admin = new AdminCredentials(settings.adminUsername(), adminPassword);
            ClientAddress clients = ClientAddress.trusting(property(context, "crmsync.http.trusted-proxies").orElse(null));
            AdminAccess access = new AdminAccess(admin,
                    new AdminSessions(database.dataSource(), adminPassword, Duration.ofHours(8),
                            property(context, "crmsync.admin.session-idle-timeout").map(Duration::parse)
                                    .orElse(Duration.ofMinutes(30)), Clock.systemUTC()),
                    loginThrottle(), clients, new PageFiles());
            // once: the listener is called again whenever a route is started later (e.g. over JMX), and a
            // second login in front of the first would see requests the first has already stripped
            context.addStartupListener((started, alreadyStarted) -> {
                if (!alreadyStarted) {
                    installLogin(started, access);
                }
            });
            ManagementAccess management = new ManagementAccess(operatorCredentials(context, settings), loginThrottle(),
                    clients, property(context, "camel.management.healthPath").orElse("/observe/health"),
                    property(context, "camel.metrics.path").orElse("/observe/metrics"),
                    property(context, "crmsync.operator.trusted-origins").orElse(null));
            context.addStartupListener((started, alreadyStarted) -> {
                if (!alreadyStarted) {
                    installManagementLogin(started, management);
                }
            });

            context.addStartupListener(new StartupBanner(settings, generatedPassword));
        } catch (Exception | Error e) {
            opened.close();
            throw e;
        }
    }

    /**
     * Puts the login ahead of every route of the main HTTP server. Called once the server runs and
     * before any route starts, so no admin endpoint is ever reachable without it.
     */
    private static void installLogin(CamelContext context, AdminAccess access) {
        MainHttpServer server = context.hasService(MainHttpServer.class);
        if (server == null) {
            return; // camel.server.enabled=false: no HTTP server to protect
        }
        if (server.getRouter() == null) {
            throw new IllegalStateException("the HTTP server has no router to put the login in front of");
        }
        access.install(server.getRouter());
        LoggerFactory.getLogger(CrmSyncConfiguration.class).info(
                "Admin login required on the admin API, the settings page and /sandbox/mail");
    }

    /** Ten failures per client, thirty per user name, in five minutes. */
    private static LoginThrottle loginThrottle() {
        return new LoginThrottle(10, 30, Duration.ofMinutes(5), 10_000, Clock.systemUTC());
    }

    /**
     * The operator login of the management server (Jolokia, for Hawtio): crmsync.operator.username and
     * CRMSYNC_OPERATOR_PASSWORD; the sandbox makes a password and keeps it in its data directory.
     * None configured in live mode: only health and metrics answer there.
     */
    private static AdminCredentials operatorCredentials(CamelContext context, ServiceSettings settings) {
        String username = property(context, "crmsync.operator.username").orElse("operator");
        Optional<String> password = property(context, "crmsync.operator.password");
        if (password.isEmpty() && settings.sandbox()) {
            password = Optional.of(SandboxAdminPassword.readOrCreate(settings.sandboxDataDir(), "operator-password"));
        }
        if (password.isEmpty()) {
            LoggerFactory.getLogger(CrmSyncConfiguration.class).warn("No operator password (CRMSYNC_OPERATOR_PASSWORD): "
                    + "Jolokia on the management server refuses every call; health and metrics stay open");
            return null;
        }
        return new AdminCredentials(username, password.get());
    }

    /** Puts the operator login ahead of everything on the management server (health and metrics stay open). */
    private static void installManagementLogin(CamelContext context, ManagementAccess access) {
        ManagementHttpServer server = context.hasService(ManagementHttpServer.class);
        if (server == null) {
            return; // camel.management.enabled=false
        }
        if (server.getRouter() == null) {
            throw new IllegalStateException("the management server has no router to put the operator login in front of");
        }
        access.install(server.getRouter());
    }

    private static Optional<String> property(CamelContext context, String key) {
        return context.getPropertiesComponent().resolveProperty(key)
                .or(() -> Optional.ofNullable(System.getenv(ServiceSettings.envVar(key))))
                .map(String::trim).filter(v -> !v.isEmpty());
    }

    /** How often this replica checks in to the Quartz cluster (others take over its triggers when it stops). */
    private static long clusterCheckinMillis(CamelContext context) {
        String key = "crmsync.scheduling.cluster-checkin-interval-ms";
        String value = context.getPropertiesComponent().resolveProperty(key).orElse("7500").trim();
        try {
            long millis = Long.parseLong(value);
            if (millis > 0) {
                return millis;
            }
        } catch (NumberFormatException e) {
            // named below
        }
        throw new IllegalArgumentException(key + " must be a positive whole number of milliseconds, not '" + value + "'");
    }

    /** A positive whole-number setting (a count or milliseconds), or its default when not set. */
    private static long positive(CamelContext context, String key, long defaultValue) {
        String value = context.getPropertiesComponent().resolveProperty(key).orElse(String.valueOf(defaultValue)).trim();
        try {
            long number = Long.parseLong(value);
            if (number > 0) {
                return number;
            }
        } catch (NumberFormatException e) {
            // named below
        }
        throw new IllegalArgumentException(key + " must be a positive whole number, not '" + value + "'");
    }

    /** Settings from Camel's properties, falling back to environment variables named as Camel names them. */
    private static ServiceSettings settings(CamelContext context) {
        PropertiesComponent pc = context.getPropertiesComponent();
        Function<String, Optional<String>> lookup = key -> pc.resolveProperty(key)
                .or(() -> Optional.ofNullable(System.getenv(ServiceSettings.envVar(key))));
        return ServiceSettings.from(lookup);
    }
}

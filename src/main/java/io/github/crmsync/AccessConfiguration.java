package io.github.crmsync;

import io.github.crmsync.access.AdminAccess;
import io.github.crmsync.access.AdminCredentials;
import io.github.crmsync.access.AdminSessions;
import io.github.crmsync.access.ClientAddress;
import io.github.crmsync.access.LoginThrottle;
import io.github.crmsync.access.ManagementAccess;
import io.github.crmsync.access.PageFiles;
import io.github.crmsync.access.SandboxAdminPassword;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.main.MainHttpServer;
import org.apache.camel.component.platform.http.main.ManagementHttpServer;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/** The admin login (admin API, settings page, /sandbox/mail), the operator login of the management server, and the start-up banner. */
public class AccessConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) throws Exception {
        ServiceSettings settings = Configured.bean(context, ServiceSettings.class);
        String generatedPassword = settings.adminPassword() == null && settings.sandbox()
                ? SandboxAdminPassword.readOrCreate(settings.sandboxDataDir()) : null;
        String adminPassword = generatedPassword != null ? generatedPassword : settings.adminPassword();
        AdminCredentials admin = new AdminCredentials(settings.adminUsername(), adminPassword);
        ClientAddress clients = ClientAddress.trusting(Configured.property(context, "crmsync.http.trusted-proxies").orElse(null));
        AdminAccess access = new AdminAccess(admin,
                new AdminSessions(Configured.bean(context, DataSource.class), adminPassword, Duration.ofHours(8),
                        Configured.property(context, "crmsync.admin.session-idle-timeout").map(Duration::parse)
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
                clients, Configured.property(context, "camel.management.healthPath").orElse("/observe/health"),
                Configured.property(context, "camel.metrics.path").orElse("/observe/metrics"),
                Configured.property(context, "crmsync.operator.trusted-origins").orElse(null));
        context.addStartupListener((started, alreadyStarted) -> {
            if (!alreadyStarted) {
                installManagementLogin(started, management);
            }
        });

        context.addStartupListener(new StartupBanner(settings, generatedPassword));
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
        LoggerFactory.getLogger(AccessConfiguration.class).info(
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
        String username = Configured.property(context, "crmsync.operator.username").orElse("operator");
        Optional<String> password = Configured.property(context, "crmsync.operator.password");
        if (password.isEmpty() && settings.sandbox()) {
            password = Optional.of(SandboxAdminPassword.readOrCreate(settings.sandboxDataDir(), "operator-password"));
        }
        if (password.isEmpty()) {
            LoggerFactory.getLogger(AccessConfiguration.class).warn("No operator password (CRMSYNC_OPERATOR_PASSWORD): "
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
}

package io.github.crmsync;

import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.main.MainHttpServer;
import org.apache.camel.component.platform.http.main.ManagementHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Tells the person who started the service where to point a browser (and, in sandbox, what to log in with). */
final class StartupBanner implements StartupListener {

    private static final Logger LOG = LoggerFactory.getLogger(StartupBanner.class);

    private final ServiceSettings settings;
    private final String generatedAdminPassword;

    /** @param generatedAdminPassword the sandbox's own admin password when none was configured, else null */
    StartupBanner(ServiceSettings settings, String generatedAdminPassword) {
        this.settings = settings;
        this.generatedAdminPassword = generatedAdminPassword;
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        // printed once everything is up, see onCamelContextFullyStarted
    }

    @Override
    public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
        var pc = context.getPropertiesComponent();
        MainHttpServer main = context.hasService(MainHttpServer.class);
        ManagementHttpServer managementServer = context.hasService(ManagementHttpServer.class);
        String server = main == null ? "(no HTTP server)" : boundAddress(context, main.getPort());
        String management = managementServer == null ? "(no management server)" : boundAddress(context, managementServer.getPort());
        StringBuilder banner = new StringBuilder("\n\nintercom-salesforce-sync is running in ")
                .append(settings.mode().name().toLowerCase()).append(" mode (replica ").append(settings.replicaId()).append(")\n")
                .append("  service           ").append(server).append("/\n")
                .append("  health            ").append(management).append("/observe/health\n")
                .append("  settings page     ").append(server).append("/  user ").append(settings.adminUsername())
                .append(generatedAdminPassword != null
                        ? " / " + generatedAdminPassword + "  (generated, kept in " + settings.sandboxDataDir().resolve("admin-password") + ")"
                        : "  (password as configured in crmsync.admin.password)").append('\n')
                .append("  Jolokia (Hawtio)  ").append(management).append("/observe/jolokia  user ")
                .append(pc.resolveProperty("crmsync.operator.username").orElse("operator"))
                .append(settings.sandbox() && pc.resolveProperty("crmsync.operator.password").isEmpty()
                        ? "  (password generated, kept in " + settings.sandboxDataDir().resolve("operator-password") + ")"
                        : "  (password as configured in crmsync.operator.password)").append('\n');
        if (settings.sandbox()) {
            banner.append("  Salesforce (sim)  ").append(pc.resolveProperty(ServiceSettings.SF + "loginUrl").orElse("?"))
                    .append("  client sandbox-client / sandbox-secret, user admin@sandbox.example / sandbox\n")
                    .append("  Intercom (sim)    ").append(settings.intercomBaseUrl()).append("  token sandbox-token\n")
                    .append("  mail (SMTP)       127.0.0.1:").append(pc.resolveProperty("crmsync.mail.port").orElse("?"))
                    .append("\n  database          ").append(settings.dbUrl()).append('\n');
        }
        LOG.info(banner.toString());
    }

    /**
     * The address the running Vert.x server for a configured port listens on (the port it was given
     * when configured with 0), as Camel pairs them: the management server shares the main server when
     * their configured ports are equal.
     */
    static String boundAddress(CamelContext context, int configuredPort) {
        for (VertxPlatformHttpServer running : context.hasServices(VertxPlatformHttpServer.class)) {
            if (running.getConfigurationPort() == configuredPort && running.getServer() != null) {
                String host = running.getHost();
                // bound to every address (e.g. in a container): this machine's own is one of them
                boolean everywhere = host == null || host.equals("0.0.0.0") || host.equals("::");
                return "http://" + (everywhere ? "127.0.0.1" : host) + ":" + running.getServer().actualPort();
            }
        }
        return "(not listening on port " + configuredPort + ")";
    }
}

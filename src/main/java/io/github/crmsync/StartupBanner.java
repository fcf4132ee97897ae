package io.github.crmsync;

import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
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
        String server = "http://" + pc.resolveProperty("camel.server.host").orElse("0.0.0.0") + ":"
                + pc.resolveProperty("camel.server.port").orElse("8080");
        String management = "http://" + pc.resolveProperty("camel.management.host").orElse("0.0.0.0") + ":"
                + pc.resolveProperty("camel.management.port").orElse("9876");
        StringBuilder banner = new StringBuilder("\n\nintercom-salesforce-sync is running in ")
                .append(settings.mode().name().toLowerCase()).append(" mode (replica ").append(settings.replicaId()).append(")\n")
                .append("  service           ").append(server).append("/\n")
                .append("  health            ").append(management).append("/observe/health\n")
                .append("  settings page     ").append(server).append("/  user ").append(settings.adminUsername())
                .append(generatedAdminPassword != null
                        ? " / " + generatedAdminPassword + "  (generated, kept in " + settings.sandboxDataDir().resolve("admin-password") + ")"
                        : "  (password as configured in crmsync.admin.password)").append('\n');
        if (settings.sandbox()) {
            banner.append("  Salesforce (sim)  ").append(pc.resolveProperty(ServiceSettings.SF + "loginUrl").orElse("?"))
                    .append("  client sandbox-client / sandbox-secret, user admin@sandbox.example / sandbox\n")
                    .append("  Intercom (sim)    ").append(settings.intercomBaseUrl()).append("  token sandbox-token\n")
                    .append("  mail (SMTP)       127.0.0.1:").append(pc.resolveProperty("crmsync.mail.port").orElse("?"))
                    .append("\n  database          ").append(settings.dbUrl()).append('\n');
        }
        LOG.info(banner.toString());
    }
}

package io.github.crmsync;

import io.github.crmsync.database.Database;
import io.github.crmsync.health.DatabaseHealthCheck;
import io.github.crmsync.health.ReachabilityHealthCheck;
import io.github.crmsync.sandbox.Sandbox;
import io.github.crmsync.sandbox.SandboxMailbox;
import io.github.crmsync.scheduling.ClusteredQuartz;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.quartz.QuartzComponent;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.support.LifecycleStrategySupport;

import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Wires the service before its routes start: settings, the sandbox parts (in sandbox mode), the
 * migrated database pool, the clustered Quartz scheduler and the health checks. What it opens is
 * closed after the Camel context has stopped, in reverse order.
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
            Sandbox sandbox = null;
            if (settings.sandbox()) {
                String webhookUrl = "http://127.0.0.1:" + context.getPropertiesComponent()
                        .resolveProperty("camel.server.port").orElse("8080") + "/intercom/webhooks";
                sandbox = opened.add(Sandbox.start(settings, webhookUrl));
                for (Map.Entry<String, String> e : sandbox.serviceProperties().entrySet()) {
                    context.getPropertiesComponent().addInitialProperty(e.getKey(), e.getValue());
                }
                settings = settings(context);
                context.getRegistry().bind("sandbox", sandbox);
            }
            context.getRegistry().bind("sandboxMailbox", new SandboxMailbox(sandbox != null ? sandbox.mail() : null));
            Database database = opened.add(Database.open(settings.dbUrl(), settings.dbUser(), settings.dbPassword(),
                    settings.dbPoolSize(), "crmsync-" + settings.replicaId()));
            context.getRegistry().bind("dataSource", database.dataSource());
            context.getRegistry().bind("serviceSettings", settings);
            EventSyncBeans.bind(context, settings, database.dataSource());
            BulkSyncBeans.bind(context, settings, database.dataSource());

            QuartzComponent quartz = context.getComponent("quartz", QuartzComponent.class);
            quartz.setPrefixInstanceName(false);
            quartz.setProperties(ClusteredQuartz.properties(database.dataSource(), settings.replicaId(), 7_500));

            HealthCheckRegistry health = HealthCheckRegistry.get(context);
            health.register(new DatabaseHealthCheck(database.dataSource()));
            String salesforceUrl = context.getPropertiesComponent()
                    .resolveProperty(ServiceSettings.SF + "loginUrl").orElse("https://login.salesforce.com");
            health.register(new ReachabilityHealthCheck("salesforce", salesforceUrl));
            health.register(new ReachabilityHealthCheck("intercom", settings.intercomBaseUrl()));

            context.addStartupListener(new StartupBanner(settings));
        } catch (Exception | Error e) {
            opened.close();
            throw e;
        }
    }

    /** Settings from Camel's properties, falling back to environment variables named as Camel names them. */
    private static ServiceSettings settings(CamelContext context) {
        PropertiesComponent pc = context.getPropertiesComponent();
        Function<String, Optional<String>> lookup = key -> pc.resolveProperty(key)
                .or(() -> Optional.ofNullable(System.getenv(ServiceSettings.envVar(key))));
        return ServiceSettings.from(lookup);
    }
}

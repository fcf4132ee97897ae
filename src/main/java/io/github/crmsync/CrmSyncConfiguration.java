package io.github.crmsync;

import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;

import java.util.ArrayList;
import java.util.List;

/**
 * The service's wiring, the one configuration class a runtime names ({@code java -jar}, {@code camel run},
 * Camel K): the beans every capability uses (the settings, the sandbox in sandbox mode, what start-up
 * opened, a producer template), then the capabilities' configuration classes of {@link #CAPABILITIES}.
 *
 * <p>Every bean is declared by a {@code @BindToRegistry(lazy = true)} factory method whose parameters
 * Camel resolves by type: a bean is built once, when first needed, after the beans it takes. What
 * holds resources (the sandbox, the database pool, Intercom's connections) is added to
 * {@link OpenedResources} as it is built, and closed in reverse order after the Camel context has
 * stopped (or when start-up fails half-way). The {@code configure} methods then run the start-up
 * steps that act on the beans (hooks on the context's life, health checks, MBeans, the login).
 */
public class CrmSyncConfiguration implements CamelConfiguration {

    /** The capabilities' configuration classes, in the order their start-up steps run. */
    static final List<Class<? extends CamelConfiguration>> CAPABILITIES = List.of(
            DatabaseConfiguration.class,
            MetricsConfiguration.class,
            ErrorsConfiguration.class,
            QuotaConfiguration.class,
            IntercomConfiguration.class,
            MappingConfiguration.class,
            HistoryConfiguration.class,
            EventSyncConfiguration.class,
            CdcConfiguration.class,
            InboxConfiguration.class,
            BulkSyncConfiguration.class,
            OperationsConfiguration.class,
            AlertsConfiguration.class,
            AccessConfiguration.class);

    /** What start-up opens, closed once in reverse order when the registry stops with the context. */
    @BindToRegistry(value = OpenedResources.BEAN_NAME, lazy = true, destroyMethod = "close")
    public OpenedResources openedResources() {
        return new OpenedResources();
    }

    /**
     * In sandbox mode the sandbox's parts (found on the class path: see {@link SandboxProvider}),
     * started before the settings are read, since they point the settings at the parts.
     */
    @BindToRegistry(value = "sandbox", lazy = true)
    public SandboxProvider.Started sandbox(CamelContext context, OpenedResources opened) throws Exception {
        ServiceSettings settings = Configured.settings(context);
        if (!settings.sandbox()) {
            return NoSandbox.INSTANCE;
        }
        String webhookUrl = "http://127.0.0.1:" + context.getPropertiesComponent()
                .resolveProperty("camel.server.port").orElse("8080") + "/intercom/webhooks";
        return opened.add(SandboxProvider.find(SandboxProvider.class.getClassLoader()).start(context, settings, webhookUrl));
    }

    /** The settings, read once the sandbox (if any) has pointed them at its parts. */
    @BindToRegistry(value = "serviceSettings", lazy = true)
    public ServiceSettings serviceSettings(CamelContext context, SandboxProvider.Started sandbox) {
        return Configured.settings(context);
    }

    /** {@code GET /sandbox/mail} (routes/sandbox.camel.yaml): the sandbox's mail, or 404 in live mode. */
    @BindToRegistry(value = "sandboxMailbox", lazy = true)
    public SandboxMail sandboxMailbox(SandboxProvider.Started sandbox) {
        return sandbox.mailbox();
    }

    /** The template the service's Java sends to its own routes with ({@code direct:salesforce-*}, {@code direct:intercom-*}). */
    @BindToRegistry(value = "producerTemplate", lazy = true, destroyMethod = "stop")
    public ProducerTemplate producerTemplate(CamelContext context) {
        return context.createProducerTemplate();
    }

    @Override
    public void configure(CamelContext context) throws Exception {
        try {
            // now, before Camel Main configures the components from the properties the sandbox sets
            ServiceSettings settings = Configured.bean(context, ServiceSettings.class);
            ReplicaIdentity.apply(settings.replicaId());
            // all declared before any is built, so that each finds the beans of the others
            List<CamelConfiguration> capabilities = new ArrayList<>();
            for (Class<? extends CamelConfiguration> type : CAPABILITIES) {
                capabilities.add(context.getInjector().newInstance(type)); // binds its @BindToRegistry beans
            }
            for (CamelConfiguration capability : capabilities) {
                capability.configure(context);
            }
        } catch (Exception | Error e) {
            Application.closeOpenedResources(context);
            throw e;
        }
    }

    /** Live mode: nothing started; the mailbox answers 404. */
    private static final class NoSandbox implements SandboxProvider.Started {

        static final NoSandbox INSTANCE = new NoSandbox();

        @Override
        public SandboxMail mailbox() {
            return new NoSandboxMailbox();
        }

        @Override
        public void close() {
        }
    }
}

package io.github.crmsync;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crmsync.admin.MappingsApi;
import io.github.crmsync.admin.ServiceOperations;
import io.github.crmsync.admin.SyncErrorsApi;
import io.github.crmsync.bulksync.BulkSyncSettings;
import io.github.crmsync.errors.CircuitBreakers;
import io.github.crmsync.errors.FailedWork;
import io.github.crmsync.errors.Redelivery;
import io.github.crmsync.errors.SyncErrorStore;
import io.github.crmsync.errors.SyncFailures;
import io.github.crmsync.eventsync.EventSyncLag;
import io.github.crmsync.eventsync.EventSyncStatus;
import io.github.crmsync.eventsync.IntercomChanges;
import io.github.crmsync.eventsync.IntercomPoll;
import io.github.crmsync.eventsync.IntercomToSalesforce;
import io.github.crmsync.eventsync.RecordSync;
import io.github.crmsync.eventsync.SalesforceToIntercom;
import io.github.crmsync.eventsync.SyncErrorRetry;
import io.github.crmsync.eventsync.WatermarkStart;
import io.github.crmsync.eventsync.Watermarks;
import io.github.crmsync.eventsync.WebhookIntake;
import io.github.crmsync.inbox.CanvasInitialize;
import io.github.crmsync.inbox.CardFreshness;
import io.github.crmsync.inbox.InboxSettings;
import io.github.crmsync.intercom.IntercomAnswers;
import io.github.crmsync.intercom.IntercomClient;
import io.github.crmsync.intercom.IntercomRateLimit;
import io.github.crmsync.intercom.WebhookSignature;
import io.github.crmsync.mapping.Direction;
import io.github.crmsync.mapping.IntercomSchema;
import io.github.crmsync.mapping.MappingStore;
import io.github.crmsync.mapping.ObjectType;
import io.github.crmsync.mapping.SalesforceSchema;
import io.github.crmsync.mapping.SandboxMappings;
import io.github.crmsync.mapping.SchemaCache;
import io.github.crmsync.mapping.Schemas;
import io.github.crmsync.matching.RecordLinks;
import io.github.crmsync.metrics.SyncMetrics;
import io.github.crmsync.metrics.SyncMetricsWiring;
import io.github.crmsync.quota.SalesforceApiUsage;
import io.github.crmsync.quota.SalesforceCallCounter;
import io.github.crmsync.salesforce.SalesforceQueries;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.salesforce.SalesforceComponent;
import org.apache.camel.model.errorhandler.DefaultErrorHandlerDefinition;
import org.apache.camel.model.errorhandler.NoErrorHandlerDefinition;
import org.apache.camel.spi.Registry;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;

/** The beans the sync routes refer to by name, built from the settings and the database. */
final class EventSyncBeans {

    private EventSyncBeans() {
    }

    static void bind(CamelContext context, ServiceSettings settings, DataSource dataSource) {
        Registry registry = context.getRegistry();
        Clock clock = Clock.systemUTC();
        ProducerTemplate template = context.createProducerTemplate();

        SyncMetrics metrics = registry.lookupByNameAndType(SyncMetricsWiring.BEAN_NAME, SyncMetrics.class);
        SalesforceApiUsage usage = new SalesforceApiUsage(dataSource, clock);
        metrics.orgConsumption(() -> usage.lastOrgUsage()
                .map(info -> info.max() > 0 ? (double) info.used() / info.max() : null).orElse(null));
        // added as the context starts, before its routes: Camel Main settles its management strategy
        // (and whether events are worth emitting) only after this configuration has run
        SalesforceCallCounter counter = new SalesforceCallCounter(usage, metrics);
        context.addLifecycleStrategy(new org.apache.camel.support.LifecycleStrategySupport() {
            @Override
            public void onContextStarting(CamelContext starting) {
                starting.getManagementStrategy().addEventNotifier(counter);
                starting.getCamelContextExtension().setEventNotificationApplicable(true);
            }
        });
        registry.bind("salesforceApiUsage", usage);
        QuotaBeans.Quota quota = QuotaBeans.bind(context, settings, dataSource, usage, clock);
        metrics.apiTier(() -> quota.currentTier().get().ordinal());

        MappingStore mappings = new MappingStore(dataSource);
        if (settings.sandbox()) {
            mappings.seedIfEmpty(SandboxMappings.defaults());
        }
        CircuitBreakers breakers = new CircuitBreakers(Duration.ofMillis(context.getPropertiesComponent()
                .resolveProperty("crmsync.retry.circuit-open-ms").map(Long::parseLong).orElse(10_000L)));
        registry.bind("circuitBreakers", breakers);
        registry.bind("salesforceCircuitBreaker", breakers.salesforce());
        registry.bind("redelivery", new Redelivery(context.getPropertiesComponent()
                .resolveProperty("crmsync.retry.max-redeliveries").map(Integer::parseInt).orElse(5), metrics));
        // the two error handlers of a Salesforce call route (salesforce-api.camel.yaml): a step of its sender, or retrying itself
        registry.bind("salesforceCallAsStep", new NoErrorHandlerDefinition());
        registry.bind("salesforceCallWithRetries", new DefaultErrorHandlerDefinition());
        // the Intercom call routes (routes/intercom-api.camel.yaml): one rate-limit window for event
        // sync's and bulk sync's requests in flight, as Intercom counts them
        IntercomRateLimit intercomRateLimit = new IntercomRateLimit(clock, settings.intercomConcurrency()
                + BulkSyncSettings.from(key -> context.getPropertiesComponent().resolveProperty(key)).intercomConcurrency());
        if (settings.intercomBaseUrl().endsWith("/")) { // the routes append /contacts, /data_attributes
            context.getPropertiesComponent().addOverrideProperty("crmsync.intercom.base-url",
                    settings.intercomBaseUrl().replaceAll("/+$", ""));
        }
        registry.bind("intercomRateLimit", intercomRateLimit);
        registry.bind("intercomAnswers", new IntercomAnswers(intercomRateLimit, metrics));
        registry.bind("intercomCircuitBreaker", breakers.intercom());
        IntercomClient intercom = new IntercomClient(template, settings.intercomAccessToken());
        SchemaCache schemas = new SchemaCache(() -> loadSchemas(template, intercom), Duration.ofMinutes(10), clock);
        RecordLinks links = new RecordLinks(dataSource);
        Watermarks watermarks = new Watermarks(dataSource);
        SyncErrorStore errors = new SyncErrorStore(dataSource, metrics);
        RecordSync recordSync = new RecordSync(schemas, intercom, errors, links, metrics);
        long overlapMillis = context.getPropertiesComponent().resolveProperty("crmsync.event.poll-overlap-ms")
                .map(Long::parseLong).orElse(300_000L);
        int wholePageAttempts = context.getPropertiesComponent().resolveProperty("crmsync.event.whole-page-attempts")
                .map(Integer::parseInt).orElse(3);
        if (overlapMillis < 0 || wholePageAttempts < 1) {
            throw new IllegalArgumentException("crmsync.event.poll-overlap-ms must be 0 or more and "
                    + "crmsync.event.whole-page-attempts 1 or more, not " + overlapMillis + " and " + wholePageAttempts);
        }
        IntercomChanges changes = new IntercomChanges(dataSource, Duration.ofMillis(settings.intercomClaimLeaseMillis()),
                wholePageAttempts);
        // event sync follows each direction from its first mapping on: from now, or from when one is first saved
        WatermarkStart watermarkStart = new WatermarkStart(watermarks, clock);
        watermarkStart.atServiceStart(mappings.current());
        mappings.whenSaved(watermarkStart::mappingSaved);

        registry.bind("mappingStore", mappings);
        registry.bind("schemaCache", schemas);
        registry.bind("intercomClient", intercom);
        registry.bind("recordLinks", links);
        registry.bind("syncErrorStore", errors);
        SyncFailures failures = new SyncFailures(errors);
        registry.bind("syncFailures", failures);
        registry.bind("recordSync", recordSync);
        registry.bind("intercomChanges", changes);
        SalesforceQueries queries = new SalesforceQueries(template);
        SalesforceToIntercom salesforceToIntercom = new SalesforceToIntercom(mappings, links, intercom,
                queries, errors, watermarks, clock, Duration.ofMillis(overlapMillis), wholePageAttempts);
        registry.bind("salesforceToIntercom", salesforceToIntercom);
        IntercomToSalesforce intercomToSalesforce = new IntercomToSalesforce(changes, mappings, links, intercom, errors,
                queries, recordSync, settings.replicaId(), Duration.ofMillis(settings.intercomBatchWindowMillis()),
                wholePageAttempts);
        registry.bind("intercomToSalesforce", intercomToSalesforce);
        failures.on(FailedWork.EVENT_BATCH, exchange -> intercomToSalesforce.failed(
                        exchange.getProperty("batch", IntercomToSalesforce.Batch.class),
                        exchange.getProperty(Exchange.SPLIT_INDEX, Integer.class),
                        exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class),
                        exchange.getMessage().getHeader(Exchange.REDELIVERY_COUNTER, Integer.class)))
                .on(FailedWork.PAGE, exchange -> salesforceToIntercom.pageFailed(exchange.getProperty("syncPage", String.class),
                        exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class)));
        registry.bind("intercomPoll", new IntercomPoll(intercom, changes, watermarks, clock));
        WebhookSignature signature = new WebhookSignature(settings.intercomClientSecret());
        Duration webhookWindow = Duration.ofSeconds(context.getPropertiesComponent()
                .resolveProperty("crmsync.intercom.webhook-window-seconds").map(String::trim).map(Long::parseLong).orElse(900L));
        registry.bind("webhookIntake", new WebhookIntake(signature, changes,
                new io.github.crmsync.intercom.WebhookReplayGuard(dataSource, webhookWindow, clock)));
        registry.bind("canvasInitialize", new CanvasInitialize(signature, mappings, new CardFreshness(dataSource), schemas,
                usage, soql -> template.requestBody("direct:inbox-salesforce-query", soql, String.class),
                () -> salesforceInstanceUrl(context),
                InboxSettings.from(key -> context.getPropertiesComponent().resolveProperty(key)).cardTtl()));
        registry.bind("mappingsApi", new MappingsApi(mappings, schemas));
        registry.bind("syncErrorsApi", new SyncErrorsApi(errors,
                new SyncErrorRetry(errors, mappings, links, intercom, queries, recordSync, template), quota.currentTier()));
        registry.bind("eventSyncStatus", new EventSyncStatus(changes));
        ServiceOperations operations = new ServiceOperations(template, quota.usageApi(), quota.store(),
                quota.settingsApi(), quota.policy(), breakers, registry.lookupByNameAndType("syncErrorsApi", SyncErrorsApi.class));
        EventSyncLag lag = new EventSyncLag(watermarks, mappings, changes);
        operations.eventSyncLag(lag);
        for (ObjectType type : ObjectType.values()) {
            metrics.eventSyncPollAge(Direction.SALESFORCE_TO_INTERCOM, type.name(), () -> lag.salesforcePollSeconds(type));
        }
        metrics.eventSyncPollAge(Direction.INTERCOM_TO_SALESFORCE, "ALL", lag::intercomPollSeconds);
        metrics.eventSyncOldestChangeAge(lag::oldestIntercomChangeSeconds);
        QuotaBeans.manage(context, operations);
        // named by its source too, so that its MBean (threadpools) says what it is
        registry.bind("intercomWriters", context.getExecutorServiceManager()
                .newFixedThreadPool("intercom-writers", "intercom-writers", settings.intercomConcurrency()));
    }

    /**
     * Where a record opens: the instance URL of the Salesforce session (the token answer's
     * {@code instance_url}, e.g. the org's My Domain), or the login URL before the first login.
     */
    private static String salesforceInstanceUrl(CamelContext context) {
        SalesforceComponent salesforce = context.getComponent("salesforce", SalesforceComponent.class);
        String instance = salesforce.getSession() == null ? null : salesforce.getSession().getInstanceUrl();
        return instance != null && !instance.isBlank() ? instance : salesforce.getLoginUrl();
    }

    private static Schemas loadSchemas(ProducerTemplate template, IntercomClient intercom) {
        ObjectMapper json = new ObjectMapper();
        try {
            SalesforceSchema lead = SalesforceSchema.fromDescribe(json.readTree(describe(template, "Lead")));
            SalesforceSchema contact = SalesforceSchema.fromDescribe(json.readTree(describe(template, "Contact")));
            return new Schemas(lead, contact, IntercomSchema.fromDataAttributes(intercom.contactDataAttributes()));
        } catch (IOException e) {
            throw new UncheckedIOException("A schema answer is not JSON", e);
        }
    }

    private static String describe(ProducerTemplate template, String sObject) {
        return template.requestBodyAndHeader("direct:salesforce-describe", null, "sObjectName", sObject, String.class);
    }
}

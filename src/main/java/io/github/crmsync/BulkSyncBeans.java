package io.github.crmsync;

import io.github.crmsync.admin.MappingsApi;
import io.github.crmsync.bulksync.BulkCapacity;
import io.github.crmsync.bulksync.BulkDiff;
import io.github.crmsync.bulksync.BulkIngest;
import io.github.crmsync.bulksync.BulkRunGuard;
import io.github.crmsync.bulksync.BulkRunStore;
import io.github.crmsync.bulksync.BulkSalesforce;
import io.github.crmsync.bulksync.BulkStaging;
import io.github.crmsync.bulksync.BulkSummary;
import io.github.crmsync.bulksync.BulkSync;
import io.github.crmsync.bulksync.BulkSyncApi;
import io.github.crmsync.bulksync.BulkSyncMBean;
import io.github.crmsync.bulksync.BulkSyncSettings;
import io.github.crmsync.bulksync.IntercomPages;
import io.github.crmsync.bulksync.RoutedIntercomPages;
import io.github.crmsync.errors.FailedWork;
import io.github.crmsync.errors.SyncErrorStore;
import io.github.crmsync.errors.SyncFailures;
import io.github.crmsync.eventsync.RecordSync;
import io.github.crmsync.intercom.IntercomClient;
import io.github.crmsync.mapping.MappingStore;
import io.github.crmsync.mapping.ObjectType;
import io.github.crmsync.mapping.SchemaCache;
import io.github.crmsync.matching.RecordLinks;
import io.github.crmsync.metrics.SyncMetrics;
import io.github.crmsync.metrics.SyncMetricsWiring;
import io.github.crmsync.quota.ApiQuotaPolicy;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.spi.ManagementAgent;
import org.apache.camel.spi.Registry;
import org.apache.camel.spi.ThreadPoolProfile;
import org.apache.camel.support.LifecycleStrategySupport;
import org.apache.camel.util.concurrent.ThreadPoolRejectedPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.management.ObjectName;
import javax.sql.DataSource;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;

/** The beans of the manual bulk sync (routes/bulk-sync.camel.yaml), built after the event-sync beans it reuses. */
final class BulkSyncBeans {

    static final String MBEAN_NAME = "io.github.crmsync:type=BulkSync";
    private static final Logger LOG = LoggerFactory.getLogger(BulkSyncBeans.class);

    private BulkSyncBeans() {
    }

    /** The installer's address; the sandbox mails its own mailbox (GET /sandbox/mail) when none is set. */
    private static String notifyEmail(ServiceSettings settings) {
        String configured = settings.mail().notifyEmail();
        return configured == null && settings.sandbox() ? "installer@sandbox.example" : configured;
    }

    static void bind(CamelContext context, ServiceSettings settings, DataSource dataSource) {
        Registry registry = context.getRegistry();
        BulkSyncSettings bulk = BulkSyncSettings.from(key -> context.getPropertiesComponent().resolveProperty(key)
                .or(() -> Optional.ofNullable(System.getenv(ServiceSettings.envVar(key)))));
        ProducerTemplate template = context.createProducerTemplate();
        MappingStore mappings = registry.lookupByNameAndType("mappingStore", MappingStore.class);
        SchemaCache schemas = registry.lookupByNameAndType("schemaCache", SchemaCache.class);
        RecordLinks links = registry.lookupByNameAndType("recordLinks", RecordLinks.class);
        SyncErrorStore errors = registry.lookupByNameAndType("syncErrorStore", SyncErrorStore.class);

        // its own client: the run's Intercom requests are counted apart from event sync's; both go
        // through the same Intercom call routes (one rate-limit window, one circuit breaker)
        SyncMetrics metrics = registry.lookupByNameAndType(SyncMetricsWiring.BEAN_NAME, SyncMetrics.class);
        IntercomClient intercom = new IntercomClient(template, settings.intercomAccessToken());
        RecordSync recordSync = new RecordSync(schemas, intercom, errors, links, metrics);
        BulkRunStore store = new BulkRunStore(dataSource);
        BulkSalesforce salesforce = new BulkSalesforce(template);
        io.github.crmsync.bulksync.BulkWriters writers =
                new io.github.crmsync.bulksync.BulkWriters(dataSource, recordSync, links, errors);
        ScheduledExecutorService heartbeats = context.getExecutorServiceManager()
                .newSingleThreadScheduledExecutor(BulkSyncBeans.class, "bulk-sync-heartbeat");

        // the tier gate of the run's batch boundaries: the route policy's answer (a REQUEST_LIMIT_EXCEEDED answer included)
        ApiQuotaPolicy policy = registry.lookupByNameAndType("apiQuotaPolicy", ApiQuotaPolicy.class);
        BulkCapacity capacity = new BulkCapacity() {
            @Override
            public boolean allowsBulkSync() {
                return policy.bulkSyncAllowed();
            }

            @Override
            public boolean allowsBulkSyncNow() {
                return policy.bulkSyncAllowedNow();
            }
        };
        registry.bind("bulkSalesforce", salesforce);
        registry.bind("bulkIntercomReads", IntercomPages.direct(intercom));
        BulkSync bulkSync = new BulkSync(dataSource, store, mappings,
                new BulkStaging(dataSource, salesforce, new RoutedIntercomPages(template), context.getExecutorServiceManager(),
                        bulk.bulkQueryThreshold(), bulk.queryPageRecords()),
                new BulkDiff(dataSource, recordSync, errors), writers,
                new BulkIngest(dataSource, salesforce, writers, errors),
                salesforce, intercom, capacity, template,
                heartbeats, bulk, new BulkSummary(template, notifyEmail(settings), settings.mail().from(),
                bulk.publicUrl()), settings.replicaId());
        metrics.bulkRunProgress(() -> store.active().map(r -> new long[] {r.processed(), r.total()}).orElse(new long[] {0, 0}));
        BulkRunGuard guard = new BulkRunGuard(store, bulkSync, bulk.stopWait());
        BulkSyncMBean mbean = new BulkSyncMBean(bulkSync, store);

        registry.bind("bulkSync", bulkSync);
        registry.lookupByNameAndType("syncFailures", SyncFailures.class)
                .on(FailedWork.BULK_BATCH, bulkSync::salesforceBatchFailed)
                .on(FailedWork.BULK_INTERCOM_WRITE, bulkSync::intercomWriteFailed)
                .on(FailedWork.BULK_RUN, bulkSync::fail);
        registry.bind("bulkSyncApi", new BulkSyncApi(bulkSync, store));
        registry.bind("bulkRunGuard", guard);
        registry.bind("bulkSyncMBean", mbean);
        registry.bind("mappingsApi", new MappingsApi(mappings, schemas, guard::allowSave));
        // bounded queue, caller runs when full: the streaming split reads no further ahead than the writers
        ThreadPoolProfile writersProfile = new ThreadPoolProfile("bulk-intercom-writers");
        writersProfile.setPoolSize(bulk.intercomConcurrency());
        writersProfile.setMaxPoolSize(bulk.intercomConcurrency());
        writersProfile.setMaxQueueSize(bulk.intercomConcurrency());
        writersProfile.setRejectedPolicy(ThreadPoolRejectedPolicy.CallerRuns);
        registry.bind("bulkIntercomWriters", context.getExecutorServiceManager()
                .newThreadPool(BulkSyncBeans.class, "bulk-intercom-writers", writersProfile));
        // one thread per Salesforce object: the run stages Leads and Contacts at once
        registry.bind("bulkSalesforceStagers", context.getExecutorServiceManager()
                .newFixedThreadPool(BulkSyncBeans.class, "bulk-stage-salesforce", ObjectType.values().length));

        bulkSync.interruptAbandoned(true);
        context.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onContextStarted(CamelContext started) {
                ManagementAgent agent = started.getManagementStrategy().getManagementAgent();
                if (agent != null) {
                    try {
                        agent.register(mbean, new ObjectName(MBEAN_NAME), true);
                    } catch (Exception e) {
                        LOG.warn("The bulk sync JMX operations are not available: {}", e.getMessage());
                    }
                }
            }

            @Override
            public void onContextStopping(CamelContext stopping) {
                bulkSync.shutdown();
            }
        });
    }
}

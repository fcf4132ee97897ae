package io.github.crmsync;

import io.github.crmsync.bulksync.BulkCapacity;
import io.github.crmsync.bulksync.BulkDiff;
import io.github.crmsync.bulksync.BulkEstimate;
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
import io.github.crmsync.bulksync.BulkWriters;
import io.github.crmsync.bulksync.IntercomPages;
import io.github.crmsync.bulksync.SlicesFound;
import io.github.crmsync.errors.SyncErrorStore;
import io.github.crmsync.eventsync.RecordSync;
import io.github.crmsync.history.ChangeHistory;
import io.github.crmsync.intercom.IntercomClient;
import io.github.crmsync.intercom.IntercomRateLimit;
import io.github.crmsync.mapping.MappingStore;
import io.github.crmsync.mapping.ObjectType;
import io.github.crmsync.mapping.SchemaCache;
import io.github.crmsync.matching.RecordLinks;
import io.github.crmsync.metrics.SyncMetrics;
import io.github.crmsync.quota.ApiQuotaPolicy;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.spi.ManagementAgent;
import org.apache.camel.spi.ThreadPoolProfile;
import org.apache.camel.support.LifecycleStrategySupport;
import org.apache.camel.util.concurrent.ThreadPoolRejectedPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.management.ObjectName;
import javax.sql.DataSource;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

/** The manual bulk sync (routes/bulk-sync.camel.yaml), its admin API, its JMX operations and the guard of saves while it runs. */
public class BulkSyncConfiguration implements CamelConfiguration {

    static final String MBEAN_NAME = "io.github.crmsync:type=BulkSync";
    private static final Logger LOG = LoggerFactory.getLogger(BulkSyncConfiguration.class);

    @BindToRegistry(value = "bulkSyncSettings", lazy = true)
    public BulkSyncSettings bulkSyncSettings(CamelContext context) {
        return BulkSyncSettings.from(key -> context.getPropertiesComponent().resolveProperty(key)
                .or(() -> Optional.ofNullable(System.getenv(ServiceSettings.envVar(key)))));
    }

    @BindToRegistry(value = "bulkRunStore", lazy = true)
    public BulkRunStore bulkRunStore(DataSource dataSource) {
        return new BulkRunStore(dataSource);
    }

    /** The tier gate of the run's batch boundaries: the route policy's answer (a REQUEST_LIMIT_EXCEEDED answer included). */
    @BindToRegistry(value = "bulkCapacity", lazy = true)
    public BulkCapacity bulkCapacity(ApiQuotaPolicy policy) {
        return new BulkCapacity() {
            @Override
            public boolean allowsBulkSync() {
                return policy.bulkSyncAllowed();
            }

            @Override
            public boolean allowsBulkSyncNow() {
                return policy.bulkSyncAllowedNow();
            }
        };
    }

    /**
     * The run's own Intercom client: its requests are counted apart from event sync's; both go through
     * the same Intercom call routes (one rate-limit window, one circuit breaker).
     */
    public record BulkIntercom(IntercomClient client) {
    }

    @BindToRegistry(value = "bulkIntercom", lazy = true)
    public BulkIntercom bulkIntercom(ProducerTemplate template, ServiceSettings settings) {
        return new BulkIntercom(new IntercomClient(template, settings.intercomAccessToken()));
    }

    /** Staging's Intercom pages, one request each, read by the route bulk-read-intercom-page. */
    @BindToRegistry(value = "bulkIntercomReads", lazy = true)
    public IntercomPages bulkIntercomReads(BulkIntercom intercom) {
        return IntercomPages.direct(intercom.client());
    }

    @BindToRegistry(value = "bulkSalesforce", lazy = true)
    public BulkSalesforce bulkSalesforce(ProducerTemplate template) {
        return new BulkSalesforce(template);
    }

    /** The staging's pages (the routes of bulk-sync.camel.yaml read them one at a time). */
    @BindToRegistry(value = "bulkStaging", lazy = true)
    public BulkStaging bulkStaging(CamelContext context, BulkSyncSettings bulk, DataSource dataSource, BulkSalesforce salesforce) {
        return new BulkStaging(dataSource, salesforce, context.getExecutorServiceManager(), bulk.bulkQueryThreshold(),
                bulk.queryPageRecords());
    }

    @BindToRegistry(value = "bulkSync", lazy = true)
    public BulkSync bulkSync(CamelContext context, ServiceSettings settings, BulkSyncSettings bulk, DataSource dataSource,
                             BulkRunStore store, MappingStore mappings, SchemaCache schemas, RecordLinks links,
                             SyncErrorStore errors, SyncMetrics metrics, BulkCapacity capacity, ProducerTemplate template,
                             BulkIntercom bulkIntercom, BulkSalesforce salesforce, BulkStaging staging,
                             ChangeHistory history, IntercomRateLimit intercomRateLimit, IntercomClient eventIntercom) {
        IntercomClient intercom = bulkIntercom.client();
        // what a contact write takes, for a preview's estimate: the bulk sync's recent writes, else event sync's
        Supplier<OptionalDouble> writeLatency = () -> {
            OptionalDouble bulkWrites = intercom.updateLatencyMillis();
            return bulkWrites.isPresent() ? bulkWrites : eventIntercom.updateLatencyMillis();
        };
        RecordSync recordSync = new RecordSync(schemas, intercom, errors, links, metrics, history);
        BulkWriters writers = new BulkWriters(dataSource, recordSync, links, errors);
        ScheduledExecutorService heartbeats = context.getExecutorServiceManager()
                .newSingleThreadScheduledExecutor(BulkSyncConfiguration.class, "bulk-sync-heartbeat");
        BulkSync bulkSync = new BulkSync(dataSource, store, mappings,
                staging,
                new BulkDiff(dataSource, recordSync, errors), writers,
                new BulkIngest(dataSource, salesforce, writers, errors),
                salesforce, intercom, capacity, template,
                heartbeats, bulk, new BulkSummary(template, notifyEmail(settings), settings.mail().from(),
                bulk.publicUrl()),
                new BulkEstimate(bulk.ingestThreshold(), BulkWriters.COLLECTION_SIZE, bulk.intercomConcurrency()),
                intercomRateLimit, writeLatency, settings.replicaId());
        metrics.bulkRunProgress(() -> store.active().map(r -> new long[] {r.processed(), r.total()}).orElse(new long[] {0, 0}));
        return bulkSync;
    }

    @BindToRegistry(value = "bulkRunGuard", lazy = true)
    public BulkRunGuard bulkRunGuard(BulkRunStore store, BulkSync bulkSync, BulkSyncSettings bulk) {
        return new BulkRunGuard(store, bulkSync, bulk.stopWait());
    }

    @BindToRegistry(value = "bulkSyncApi", lazy = true)
    public BulkSyncApi bulkSyncApi(BulkSync bulkSync, BulkRunStore store) {
        return new BulkSyncApi(bulkSync, store);
    }

    @BindToRegistry(value = "bulkSyncMBean", lazy = true)
    public BulkSyncMBean bulkSyncMBean(BulkSync bulkSync, BulkRunStore store) {
        return new BulkSyncMBean(bulkSync, store);
    }

    /** Bounded queue, caller runs when full: the streaming split reads no further ahead than the writers. */
    @BindToRegistry(value = "bulkIntercomWriters", lazy = true)
    public ExecutorService bulkIntercomWriters(CamelContext context, BulkSyncSettings bulk) {
        ThreadPoolProfile writersProfile = new ThreadPoolProfile("bulk-intercom-writers");
        writersProfile.setPoolSize(bulk.intercomConcurrency());
        writersProfile.setMaxPoolSize(bulk.intercomConcurrency());
        writersProfile.setMaxQueueSize(bulk.intercomConcurrency());
        writersProfile.setRejectedPolicy(ThreadPoolRejectedPolicy.CallerRuns);
        return context.getExecutorServiceManager().newThreadPool(BulkSyncConfiguration.class, "bulk-intercom-writers",
                writersProfile);
    }

    /** The Intercom staging's search slices, read at once: as many readers as the bulk writers. */
    @BindToRegistry(value = "bulkIntercomReaders", lazy = true)
    public ExecutorService bulkIntercomReaders(CamelContext context, BulkSyncSettings bulk) {
        return context.getExecutorServiceManager().newFixedThreadPool(BulkSyncConfiguration.class, "bulk-stage-intercom-search",
                bulk.intercomConcurrency());
    }

    @BindToRegistry(value = "bulkIntercomSlicesFound", lazy = true)
    public SlicesFound bulkIntercomSlicesFound() {
        return new SlicesFound();
    }

    /** One thread per Salesforce object: the run stages Leads and Contacts at once. */
    @BindToRegistry(value = "bulkSalesforceStagers", lazy = true)
    public ExecutorService bulkSalesforceStagers(CamelContext context) {
        return context.getExecutorServiceManager().newFixedThreadPool(BulkSyncConfiguration.class, "bulk-stage-salesforce",
                ObjectType.values().length);
    }

    @Override
    public void configure(CamelContext context) {
        BulkSync bulkSync = Configured.bean(context, BulkSync.class);
        BulkSyncMBean mbean = Configured.bean(context, BulkSyncMBean.class);
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

    /** The installer's address; the sandbox mails its own mailbox (GET /sandbox/mail) when none is set. */
    private static String notifyEmail(ServiceSettings settings) {
        String configured = settings.mail().notifyEmail();
        return configured == null && settings.sandbox() ? "installer@sandbox.example" : configured;
    }
}

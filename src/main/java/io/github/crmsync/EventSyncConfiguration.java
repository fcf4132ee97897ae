package io.github.crmsync;

import io.github.crmsync.admin.SyncErrorsApi;
import io.github.crmsync.errors.SyncErrorStore;
import io.github.crmsync.eventsync.EventSyncLag;
import io.github.crmsync.eventsync.EventSyncStatus;
import io.github.crmsync.eventsync.GracefulStop;
import io.github.crmsync.eventsync.IntercomChanges;
import io.github.crmsync.eventsync.IntercomPoll;
import io.github.crmsync.eventsync.IntercomToSalesforce;
import io.github.crmsync.eventsync.RecordSync;
import io.github.crmsync.history.ChangeHistory;
import io.github.crmsync.eventsync.SalesforceToIntercom;
import io.github.crmsync.eventsync.SyncErrorRetry;
import io.github.crmsync.eventsync.WatermarkStart;
import io.github.crmsync.eventsync.Watermarks;
import io.github.crmsync.eventsync.WebhookIntake;
import io.github.crmsync.intercom.IntercomClient;
import io.github.crmsync.intercom.WebhookReplayGuard;
import io.github.crmsync.intercom.WebhookSignature;
import io.github.crmsync.mapping.Direction;
import io.github.crmsync.mapping.MappingStore;
import io.github.crmsync.mapping.ObjectType;
import io.github.crmsync.mapping.SchemaCache;
import io.github.crmsync.matching.RecordLinks;
import io.github.crmsync.metrics.SyncMetrics;
import io.github.crmsync.quota.CurrentTier;
import io.github.crmsync.salesforce.SalesforceQueries;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.PropertyInject;
import org.apache.camel.support.LifecycleStrategySupport;

import javax.sql.DataSource;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;

/** Event sync: both directions' polls, the Intercom webhooks and stored changes, record matching, and the sync errors' retry. */
public class EventSyncConfiguration implements CamelConfiguration {

    /**
     * How the polls read: each reads again the changes stamped {@code overlap} before the last complete
     * poll started; a page or batch that failed as a whole this many times is then taken record by record.
     */
    public record EventPolling(Duration overlap, int wholePageAttempts) {
    }

    @BindToRegistry(value = "eventPolling", lazy = true)
    public EventPolling eventPolling(
            @PropertyInject(value = "crmsync.event.poll-overlap-ms", defaultValue = "300000") long overlapMillis,
            @PropertyInject(value = "crmsync.event.whole-page-attempts", defaultValue = "3") int wholePageAttempts) {
        if (overlapMillis < 0 || wholePageAttempts < 1) {
            throw new IllegalArgumentException("crmsync.event.poll-overlap-ms must be 0 or more and "
                    + "crmsync.event.whole-page-attempts 1 or more, not " + overlapMillis + " and " + wholePageAttempts);
        }
        return new EventPolling(Duration.ofMillis(overlapMillis), wholePageAttempts);
    }

    @BindToRegistry(value = "recordLinks", lazy = true)
    public RecordLinks recordLinks(DataSource dataSource) {
        return new RecordLinks(dataSource);
    }

    @BindToRegistry(value = "watermarks", lazy = true)
    public Watermarks watermarks(DataSource dataSource) {
        return new Watermarks(dataSource);
    }

    @BindToRegistry(value = "salesforceQueries", lazy = true)
    public SalesforceQueries salesforceQueries(ProducerTemplate template) {
        return new SalesforceQueries(template);
    }

    @BindToRegistry(value = "recordSync", lazy = true)
    public RecordSync recordSync(SchemaCache schemas, IntercomClient intercom, SyncErrorStore errors, RecordLinks links,
                                 SyncMetrics metrics, ChangeHistory history) {
        return new RecordSync(schemas, intercom, errors, links, metrics, history);
    }

    @BindToRegistry(value = "intercomChanges", lazy = true)
    public IntercomChanges intercomChanges(DataSource dataSource, ServiceSettings settings, EventPolling polling) {
        return new IntercomChanges(dataSource, Duration.ofMillis(settings.intercomClaimLeaseMillis()), polling.wholePageAttempts());
    }

    @BindToRegistry(value = "salesforceToIntercom", lazy = true)
    public SalesforceToIntercom salesforceToIntercom(MappingStore mappings, RecordLinks links, IntercomClient intercom,
                                                     SalesforceQueries queries, SyncErrorStore errors, Watermarks watermarks,
                                                     EventPolling polling) {
        return new SalesforceToIntercom(mappings, links, intercom, queries, errors, watermarks, Clock.systemUTC(),
                polling.overlap(), polling.wholePageAttempts());
    }

    @BindToRegistry(value = "intercomToSalesforce", lazy = true)
    public IntercomToSalesforce intercomToSalesforce(IntercomChanges changes, MappingStore mappings, RecordLinks links,
                                                     IntercomClient intercom, SyncErrorStore errors, SalesforceQueries queries,
                                                     RecordSync recordSync, ServiceSettings settings, EventPolling polling) {
        return new IntercomToSalesforce(changes, mappings, links, intercom, errors, queries, recordSync, settings.replicaId(),
                Duration.ofMillis(settings.intercomBatchWindowMillis()), polling.wholePageAttempts());
    }

    @BindToRegistry(value = "intercomPoll", lazy = true)
    public IntercomPoll intercomPoll(IntercomClient intercom, IntercomChanges changes, Watermarks watermarks) {
        return new IntercomPoll(intercom, changes, watermarks, Clock.systemUTC());
    }

    @BindToRegistry(value = "webhookIntake", lazy = true)
    public WebhookIntake webhookIntake(WebhookSignature signature, IntercomChanges changes, DataSource dataSource,
                                       @PropertyInject(value = "crmsync.intercom.webhook-window-seconds", defaultValue = "900")
                                       String windowSeconds) {
        Duration window = Duration.ofSeconds(Long.parseLong(windowSeconds.trim()));
        return new WebhookIntake(signature, changes, new WebhookReplayGuard(dataSource, window, Clock.systemUTC()));
    }

    @BindToRegistry(value = "eventSyncStatus", lazy = true)
    public EventSyncStatus eventSyncStatus(IntercomChanges changes) {
        return new EventSyncStatus(changes);
    }

    /** How far behind each direction is (the service's MBean and the metrics). */
    @BindToRegistry(value = "eventSyncLag", lazy = true)
    public EventSyncLag eventSyncLag(Watermarks watermarks, MappingStore mappings, IntercomChanges changes, SyncMetrics metrics) {
        EventSyncLag lag = new EventSyncLag(watermarks, mappings, changes);
        for (ObjectType type : ObjectType.values()) {
            metrics.eventSyncPollAge(Direction.SALESFORCE_TO_INTERCOM, type.name(), () -> lag.salesforcePollSeconds(type));
        }
        metrics.eventSyncPollAge(Direction.INTERCOM_TO_SALESFORCE, "ALL", lag::intercomPollSeconds);
        metrics.eventSyncOldestChangeAge(lag::oldestIntercomChangeSeconds);
        return lag;
    }

    @BindToRegistry(value = "syncErrorsApi", lazy = true)
    public SyncErrorsApi syncErrorsApi(SyncErrorStore errors, MappingStore mappings, RecordLinks links, IntercomClient intercom,
                                       SalesforceQueries queries, RecordSync recordSync, ProducerTemplate template,
                                       CurrentTier tier) {
        return new SyncErrorsApi(errors, new SyncErrorRetry(errors, mappings, links, intercom, queries, recordSync, template), tier);
    }

    /** Named by its source too, so that its MBean (threadpools) says what it is. */
    @BindToRegistry(value = "intercomWriters", lazy = true)
    public ExecutorService intercomWriters(CamelContext context, ServiceSettings settings) {
        return context.getExecutorServiceManager().newFixedThreadPool("intercom-writers", "intercom-writers",
                settings.intercomConcurrency());
    }

    @Override
    public void configure(CamelContext context) {
        // event sync follows each direction from its first mapping on: from now, or from when one is first saved
        MappingStore mappings = Configured.bean(context, MappingStore.class);
        WatermarkStart watermarkStart = new WatermarkStart(Configured.bean(context, Watermarks.class), Clock.systemUTC());
        watermarkStart.atServiceStart(mappings.current());
        mappings.whenSaved(watermarkStart::mappingSaved);

        // closed before the pool (what start-up opened closes in reverse order)
        GracefulStop stop = Configured.bean(context, OpenedResources.class).add(new GracefulStop(
                Configured.bean(context, IntercomToSalesforce.class), Configured.bean(context, IntercomChanges.class),
                Configured.bean(context, ServiceSettings.class).replicaId()));
        context.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onContextStopping(CamelContext stopping) {
                stop.stopping();
            }
        });
    }
}

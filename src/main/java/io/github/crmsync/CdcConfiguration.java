package io.github.crmsync;

import io.github.crmsync.cdc.CdcSubscriptions;
import io.github.crmsync.cdc.ChangeEventSync;
import io.github.crmsync.cdc.ChangeEventWorkers;
import io.github.crmsync.cdc.PollCadence;
import io.github.crmsync.health.ChangeEventsHealthCheck;
import io.github.crmsync.database.ThreadTransactions;
import io.github.crmsync.cdc.ReplayIds;
import io.github.crmsync.cdc.SubscriptionLease;
import io.github.crmsync.errors.SyncErrorStore;
import io.github.crmsync.eventsync.RecordSync;
import io.github.crmsync.eventsync.SalesforceToIntercom;
import io.github.crmsync.mapping.MappingStore;
import io.github.crmsync.mapping.ObjectType;
import io.github.crmsync.matching.RecordLinks;
import io.github.crmsync.quota.CurrentTier;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.PropertyInject;
import org.apache.camel.component.quartz.QuartzComponent;
import org.apache.camel.component.salesforce.SalesforceComponent;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.support.LifecycleStrategySupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;

/**
 * Change Data Capture (routes/salesforce-cdc.camel.yaml): Salesforce changes reach Intercom within
 * seconds through the Pub/Sub API, the poll staying as the backstop at a longer interval. On with
 * {@code crmsync.cdc.enabled=true}; in the sandbox unless set to false.
 */
public class CdcConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(CdcConfiguration.class);

    /** Whether the service subscribes to change events, how long the cluster's lease lasts, and whose writes are its own. */
    public record CdcSettings(boolean enabled, Duration lease, String integrationUserId, String backstopPollCron,
                              int workers, int eventsPerTransaction) {
    }

    @BindToRegistry(value = "cdcSettings", lazy = true)
    public CdcSettings cdcSettings(ServiceSettings settings,
                                   @PropertyInject(value = "crmsync.cdc.enabled", defaultValue = "auto") String enabled,
                                   @PropertyInject(value = "crmsync.cdc.lease-ms", defaultValue = "15000") long leaseMillis,
                                   @PropertyInject(value = "crmsync.cdc.integration-user-id", defaultValue = "login") String userId,
                                   @PropertyInject(value = "crmsync.cdc.backstop-poll-cron", defaultValue = "0 0 * * * ?")
                                   String backstopCron,
                                   @PropertyInject(value = "crmsync.cdc.workers", defaultValue = "4") int workers,
                                   @PropertyInject(value = "crmsync.cdc.events-per-transaction", defaultValue = "25")
                                   int eventsPerTransaction) {
        String flag = enabled.trim();
        if (!flag.equalsIgnoreCase("auto") && !flag.equalsIgnoreCase("true") && !flag.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException("crmsync.cdc.enabled must be true, false or auto (on in the sandbox), not "
                    + enabled);
        }
        if (leaseMillis < 1000) {
            throw new IllegalArgumentException("crmsync.cdc.lease-ms must be 1000 or more, not " + leaseMillis);
        }
        if (workers < 1) {
            throw new IllegalArgumentException("crmsync.cdc.workers must be 1 or more, not " + workers);
        }
        if (eventsPerTransaction < 1) {
            throw new IllegalArgumentException("crmsync.cdc.events-per-transaction must be 1 or more, not "
                    + eventsPerTransaction);
        }
        boolean on = flag.equalsIgnoreCase("auto") ? settings.sandbox() : Boolean.parseBoolean(flag);
        String user = userId.trim().equalsIgnoreCase("login") ? "" : userId.trim();
        return new CdcSettings(on, Duration.ofMillis(leaseMillis), user, backstopCron.trim(), workers,
                eventsPerTransaction);
    }

    @BindToRegistry(value = "replayIds", lazy = true)
    public ReplayIds replayIds(DataSource dataSource) {
        return new ReplayIds(dataSource);
    }

    @BindToRegistry(value = "changeEventSync", lazy = true)
    public ChangeEventSync changeEventSync(CamelContext context, MappingStore mappings, RecordLinks links,
                                           SalesforceToIntercom salesforceToIntercom, RecordSync recordSync,
                                           CdcSettings settings, SyncErrorStore errors) {
        return new ChangeEventSync(mappings, links, salesforceToIntercom, recordSync, ownUserId(context, settings), errors);
    }

    /**
     * The events of one transaction handled by {@code direct:apply-change-event} on a worker; handled to
     * the end when that route's last step ran (a failure it only logged is not).
     */
    @BindToRegistry(value = "changeEventWorkers", lazy = true)
    public ChangeEventWorkers changeEventWorkers(CamelContext context, ThreadTransactions transactions, ReplayIds replayIds,
                                                 CdcSettings cdc) {
        ExecutorService pool = context.getExecutorServiceManager().newFixedThreadPool("cdc-workers", "cdc-workers", cdc.workers());
        ProducerTemplate template = context.createProducerTemplate();
        return new ChangeEventWorkers(transactions, replayIds, pool, cdc.workers(), cdc.eventsPerTransaction(), events -> {
            Exchange done = template.send("direct:apply-change-event", exchange -> exchange.getIn().setBody(events));
            if (done.getException() != null) {
                throw done.getException();
            }
            return done.getProperty(ChangeEventWorkers.APPLIED, false, Boolean.class);
        });
    }

    /**
     * The subscriptions; the Salesforce poll's trigger is set to the backstop's cron for each channel
     * subscribed, and left at (or put back to) its usual one while Salesforce refuses the channel.
     */
    @BindToRegistry(value = "cdcSubscriptions", lazy = true)
    public CdcSubscriptions cdcSubscriptions(CamelContext context, DataSource dataSource, ReplayIds replayIds,
                                             ChangeEventWorkers workers, ServiceSettings settings, CdcSettings cdc,
                                             CurrentTier tier,
                                             @PropertyInject("crmsync.event.salesforce-poll-cron") String usualPollCron) {
        PollCadence cadence = new PollCadence(() -> context.getComponent("quartz", QuartzComponent.class).getScheduler(),
                usualPollCron.trim(), cdc.backstopPollCron());
        return new CdcSubscriptions(context, new SubscriptionLease(dataSource, settings.replicaId(), cdc.lease()), replayIds,
                workers, cadence, () -> tier.get().allows().contains("EVENT_SYNC"), List.of(ObjectType.CONTACT, ObjectType.LEAD));
    }

    /**
     * The service's own Salesforce user (its writes' change events carry it as commitUser): set, or
     * read from the login's identity URL ({@code …/id/<org id>/<user id>}) once logged in.
     */
    private static Supplier<String> ownUserId(CamelContext context, CdcSettings settings) {
        if (!settings.integrationUserId().isEmpty()) {
            return settings::integrationUserId;
        }
        return new Supplier<>() {
            private volatile String known;

            @Override
            public String get() {
                if (known == null) {
                    String id = context.getComponent("salesforce", SalesforceComponent.class).getSession().getId();
                    if (id != null) {
                        known = id.substring(id.lastIndexOf('/') + 1);
                    }
                }
                return known;
            }
        };
    }

    @Override
    public void configure(CamelContext context) {
        CdcSettings settings = Configured.bean(context, CdcSettings.class);
        if (!settings.enabled()) {
            return;
        }
        CdcSubscriptions subscriptions = Configured.bean(context, CdcSubscriptions.class);
        HealthCheckRegistry.get(context).register(new ChangeEventsHealthCheck(subscriptions::channels));
        context.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onContextStarted(CamelContext started) {
                subscriptions.start();
            }

            @Override
            public void onContextStopping(CamelContext stopping) {
                subscriptions.close();
            }
        });
        LOG.info("Change events: on; Salesforce -> Intercom in near real time, the poll as backstop ({})",
                settings.backstopPollCron());
    }
}

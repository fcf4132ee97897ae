package io.github.crmsync.cdc;

import io.github.crmsync.mapping.ObjectType;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.component.salesforce.InvalidReplayIdException;
import org.apache.camel.component.salesforce.SalesforceComponent;
import org.apache.camel.component.salesforce.SalesforceLoginConfig;
import org.apache.camel.component.salesforce.internal.client.PubSubApiClient;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.apache.camel.spi.ExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The change-event subscriptions of this replica: held only while it holds the cluster's lease
 * ({@link SubscriptionLease}, renewed every third of its length), each started from the stored replay
 * id ({@code replayPreset=CUSTOM}) or, with none stored, from the channel's tip. A subscription from the
 * tip is never a silent jump: the SOQL poll of its object then runs at once from its watermark, which
 * covers whatever happened before (a first subscription, a replica that died before it committed a
 * replay id, a refused replay id). The subscription routes are made from the
 * {@code salesforce-change-events} route template when the lease is taken and removed when it is lost
 * or the service stops.
 *
 * <p>A replay id Salesforce refuses (corrupted, or events after it expired: they are kept 72 hours)
 * is forgotten and the subscription starts again from the tip, with the poll's catch-up. It is told of
 * the refusal as the subscription routes' exception handler.
 *
 * <p>A channel Salesforce refuses (authentication, Change Data Capture not selected for the object)
 * is not subscribed: one warning, a readiness detail ({@link #channels}), the Salesforce poll (both
 * objects) at its usual interval ({@link PollCadence}), asked again at each check. At the top API usage tier the
 * subscriptions pause and resume after the stored replay ids when it drops; an event that failed
 * ({@link ChangeEventWorkers#failed}) makes its channel subscribe again after the stored replay id.
 */
public final class CdcSubscriptions implements ExceptionHandler, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CdcSubscriptions.class);
    static final String TEMPLATE = "salesforce-change-events";
    static final String COMPONENT = "salesforce-events";

    private final CamelContext context;
    private final SubscriptionLease lease;
    private final ReplayIds replayIds;
    private final ChangeEventWorkers workers;
    private final PollCadence cadence;
    private final BooleanSupplier eventSyncAllowed;
    private boolean paused;
    private final Map<ObjectType, String> refused = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<ObjectType> objects;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService catchUp;
    private volatile boolean subscribed;

    public CdcSubscriptions(CamelContext context, SubscriptionLease lease, ReplayIds replayIds, ChangeEventWorkers workers,
                            PollCadence cadence, BooleanSupplier eventSyncAllowed, List<ObjectType> objects) {
        this.cadence = cadence;
        this.eventSyncAllowed = eventSyncAllowed;
        this.context = context;
        this.lease = lease;
        this.replayIds = replayIds;
        this.workers = workers;
        this.objects = objects;
        this.scheduler = context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "cdc-subscriptions");
        this.catchUp = context.getExecutorServiceManager().newSingleThreadExecutor(this, "cdc-catch-up-poll");
    }

    public static String topic(ObjectType type) {
        return "/data/" + type.salesforceObject() + "ChangeEvent";
    }

    static String routeId(ObjectType type) {
        return "salesforce-" + type.salesforceObject().toLowerCase(java.util.Locale.ROOT) + "s-cdc";
    }

    /** Starts trying for the lease now and every third of its length. */
    public void start() {
        long every = Math.max(100, lease.length().toMillis() / 3);
        scheduler.scheduleWithFixedDelay(this::check, 0, every, TimeUnit.MILLISECONDS);
    }

    /** Whether this replica holds the subscriptions now. */
    public boolean subscribed() {
        return subscribed;
    }

    private synchronized void check() {
        boolean held;
        try {
            held = lease.hold();
        } catch (RuntimeException e) {
            LOG.warn("Change events: the subscription lease could not be checked ({}); the poll keeps syncing",
                    e.getMessage());
            held = false;
        }
        try {
            boolean allowed = allowed();
            if (held && allowed && !subscribed) {
                if (paused) {
                    LOG.info("Change events: the Salesforce API usage tier allows event sync again; the subscriptions "
                            + "resume after the stored replay ids");
                    paused = false;
                }
                List<ObjectType> fromTip = new ArrayList<>();
                for (ObjectType type : objects) {
                    if (subscribeUnlessRefused(type)) {
                        fromTip.add(type);
                    }
                }
                subscribed = true;
                catchUp(fromTip);
            } else if (!held && subscribed) {
                LOG.warn("Change events: this replica lost the subscription lease; another one takes over");
                unsubscribeAll();
            } else if (!allowed && subscribed) {
                LOG.info("Change events: paused at the top Salesforce API usage tier (the inbox app only); the events "
                        + "wait in Salesforce's 72-hour retention and the subscriptions resume after the stored replay "
                        + "ids when the tier drops");
                paused = true;
                unsubscribeAll();
            } else if (subscribed) {
                List<ObjectType> fromTip = new ArrayList<>();
                for (ObjectType type : objects) {
                    boolean tip = false;
                    if (refused.containsKey(type)) {
                        tip = subscribeUnlessRefused(type);
                    } else if (workers.failed(topic(type))) {
                        // an event was not handled: what came after it was not committed either
                        unsubscribe(type);
                        tip = subscribe(type, true);
                    }
                    if (tip) {
                        fromTip.add(type);
                    }
                }
                catchUp(fromTip);
            }
            if (held && subscribed) {
                cadence.set(objects.stream().anyMatch(refused::containsKey));
            }
        } catch (Exception e) {
            LOG.warn("Change events: subscribing failed ({}); trying again", e.toString());
            unsubscribeAll();
        }
    }

    /** Whether the API usage tier allows event sync (change events cost no REST call, but the inbox app comes first). */
    private boolean allowed() {
        try {
            return eventSyncAllowed.getAsBoolean();
        } catch (RuntimeException e) {
            // the tier could not be read: as the poll does, go on
            return true;
        }
    }

    /**
     * Subscribes to the object's channel unless Salesforce refuses it (authentication, or Change Data
     * Capture not selected for the object): then one warning naming the channel and the cause, the
     * channel's state says so, the poll keeps the object at its usual interval, and the next check
     * asks again. True when it subscribed from the tip (no replay id stored).
     */
    private boolean subscribeUnlessRefused(ObjectType type) throws Exception {
        Optional<String> cause = refusal(topic(type));
        if (cause.isPresent()) {
            if (!cause.get().equals(refused.put(type, cause.get()))) {
                LOG.warn("Change events: Salesforce refuses the subscription to {}: {}; the poll keeps syncing {} "
                        + "records at its usual interval", topic(type), cause.get(), type.salesforceObject());
            }
            return false;
        }
        if (refused.remove(type) != null) {
            LOG.info("Change events: Salesforce accepts the subscription to {} now", topic(type));
        }
        return subscribe(type, true);
    }

    /** Why Salesforce refuses the channel (asked by its GetTopic), or empty when it does not. */
    private Optional<String> refusal(String topic) throws Exception {
        eventsComponent();
        SalesforceComponent events = context.getComponent(COMPONENT, SalesforceComponent.class);
        PubSubApiClient client = new PubSubApiClient(events.getSession(), events.getLoginConfig(), events.getPubSubHost(),
                events.getPubSubPort(), 1000, 1000, events.isPubsubAllowUseSystemProxy());
        try {
            client.start();
            client.getTopicInfo(topic);
            return Optional.empty();
        } catch (StatusRuntimeException e) {
            Metadata trailers = e.getTrailers();
            String code = trailers == null ? null
                    : trailers.get(Metadata.Key.of("error-code", Metadata.ASCII_STRING_MARSHALLER));
            return refusalCause(e.getStatus().getCode(), code, topic);
        } finally {
            client.stop();
        }
    }

    /**
     * A refusal the service cannot overcome by asking again at once, in words; empty for others (the
     * service unavailable, a timeout), which the subscription itself retries.
     */
    static Optional<String> refusalCause(Status.Code status, String errorCode, String topic) {
        String code = errorCode == null ? status.name() : errorCode;
        if (status == Status.Code.UNAUTHENTICATED || PubSubApiClient.PUBSUB_ERROR_AUTH_ERROR.equals(errorCode)) {
            return Optional.of("authentication refused (" + code + "): check the integration user's login and its "
                    + "API access");
        }
        if (status == Status.Code.NOT_FOUND || status == Status.Code.PERMISSION_DENIED) {
            String object = topic.substring(topic.lastIndexOf('/') + 1).replace("ChangeEvent", "");
            return Optional.of("no such channel for this user (" + code + "): select " + object + " for Change Data "
                    + "Capture (Setup > Change Data Capture) and give the integration user read access to it");
        }
        return Optional.empty();
    }

    /** Each channel's state, for the readiness check: subscribed, refused (with the cause) or another replica's. */
    public Map<String, String> channels() {
        Map<String, String> states = new LinkedHashMap<>();
        boolean holding = subscribed();
        for (ObjectType type : objects) {
            String cause = refused.get(type);
            states.put(topic(type), cause != null ? "refused: " + cause
                    : holding ? "subscribed" : "not subscribed here (another replica holds the lease, or it is being taken)");
        }
        return states;
    }

    /**
     * The Salesforce component the subscriptions use: the service's own logs in lazily (with its first
     * call, so that an unreachable org does not stop the start), which camel-salesforce's consumers
     * refuse; this one has the same login but logs in as it starts, when the first subscription is made.
     */
    private void eventsComponent() {
        if (context.hasComponent(COMPONENT) != null) {
            return;
        }
        SalesforceComponent main = context.getComponent("salesforce", SalesforceComponent.class);
        SalesforceLoginConfig login = main.getLoginConfig();
        SalesforceLoginConfig eager = new SalesforceLoginConfig();
        eager.setInstanceUrl(login.getInstanceUrl());
        eager.setLoginUrl(login.getLoginUrl());
        eager.setClientId(login.getClientId());
        eager.setClientSecret(login.getClientSecret());
        eager.setKeystore(login.getKeystore());
        eager.setJwtAudience(login.getJwtAudience());
        eager.setRefreshToken(login.getRefreshToken());
        eager.setType(login.getType());
        eager.setUserName(login.getUserName());
        eager.setPassword(login.getPassword());
        eager.setLazyLogin(false);
        SalesforceComponent events = new SalesforceComponent();
        events.setLoginConfig(eager);
        events.setPubSubHost(main.getPubSubHost());
        events.setPubSubPort(main.getPubSubPort());
        events.setPubsubAllowUseSystemProxy(main.isPubsubAllowUseSystemProxy());
        context.addComponent(COMPONENT, events);
    }

    /**
     * Subscribes after the stored replay id ({@code fromStored}, when there is one) or from now on; true
     * when from now on, when the caller runs the poll's catch-up ({@link #catchUp}).
     */
    private boolean subscribe(ObjectType type, boolean fromStored) throws Exception {
        eventsComponent();
        // the events still in hand commit first: the stored replay id is read after them
        Optional<String> replayId = Optional.empty();
        workers.reset(topic(type), false);
        if (fromStored) {
            replayId = replayIds.get(topic(type));
            workers.reset(topic(type), replayId.isPresent());
        }
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("topic", topic(type));
        parameters.put("replayPreset", replayId.isPresent() ? "CUSTOM" : "LATEST");
        replayId.ifPresent(id -> parameters.put("replayId", id));
        TemplatedRouteBuilder builder = TemplatedRouteBuilder.builder(context, TEMPLATE).routeId(routeId(type));
        parameters.forEach(builder::parameter);
        builder.add();
        context.getRouteController().startRoute(routeId(type));
        LOG.info("Change events: subscribed to {} {}", topic(type), replayId.isPresent()
                ? "after the stored replay id" : "from now on (no replay id stored); the poll reads what came before from its "
                + "watermark at once");
        return replayId.isEmpty();
    }

    /**
     * The SOQL poll of these objects from their watermarks, at once, on a thread of its own (a long poll
     * must not hold up the lease's renewal): what changed before their subscriptions from the tip. Both
     * objects in one poll when both were subscribed so (their queries share Composite calls).
     */
    private void catchUp(List<ObjectType> types) {
        if (types.isEmpty()) {
            return;
        }
        List<String> polls = types.containsAll(objects) && objects.size() > 1 ? Collections.singletonList(null)
                : types.stream().map(ObjectType::name).toList();
        for (String objectType : polls) {
            catchUp.execute(() -> {
                try (ProducerTemplate template = context.createProducerTemplate()) {
                    template.sendBodyAndHeader("direct:cdc-catch-up-poll", null, "objectType", objectType);
                } catch (Exception e) {
                    LOG.warn("Change events: the catch-up poll of {} failed: {}; the scheduled poll takes it up",
                            objectType == null ? "Contacts and Leads" : objectType, e.toString());
                }
            });
        }
    }

    private void unsubscribe(ObjectType type) {
        try {
            if (context.getRoute(routeId(type)) != null) {
                context.getRouteController().stopRoute(routeId(type), 10, TimeUnit.SECONDS);
                context.removeRoute(routeId(type));
            }
        } catch (Exception e) {
            LOG.warn("Change events: stopping the subscription to {} failed: {}", topic(type), e.toString());
        }
    }

    private void unsubscribeAll() {
        objects.forEach(this::unsubscribe);
        refused.clear();
        subscribed = false;
    }

    /** Salesforce refused a channel's replay id: from the tip again, then the poll from its watermark. */
    private synchronized void replayIdRefused(String replayId) {
        List<ObjectType> affected = objects.stream()
                .filter(t -> replayIds.get(topic(t)).map(replayId::equals).orElse(false)).toList();
        List<ObjectType> fromTip = new ArrayList<>();
        for (ObjectType type : affected.isEmpty() ? objects : affected) {
            LOG.warn("Change events: Salesforce refused the replay id of {} (corrupted, or events after it are past "
                    + "the 72-hour retention); subscribing from now on, and the poll reads what was missed from its "
                    + "watermark", topic(type));
            replayIds.forget(topic(type));
            if (!subscribed) {
                continue;
            }
            unsubscribe(type);
            try {
                subscribe(type, false);
            } catch (Exception e) {
                LOG.warn("Change events: subscribing to {} again failed: {}", topic(type), e.toString());
            }
            fromTip.add(type);
        }
        catchUp(fromTip);
    }

    // ------------------------------------------------------------------ the subscription routes' exception handler

    @Override
    public void handleException(Throwable exception) {
        handleException(null, null, exception);
    }

    @Override
    public void handleException(String message, Throwable exception) {
        handleException(message, null, exception);
    }

    @Override
    public void handleException(String message, Exchange exchange, Throwable exception) {
        if (exception instanceof InvalidReplayIdException refused) {
            String id = refused.getReplayId();
            scheduler.execute(() -> replayIdRefused(id));
            // ends camel-salesforce's error callback here: otherwise it subscribes again with the refused id,
            // and again after the route is stopped, on a closed channel, without end
            throw new IllegalStateException("Replay id refused; the subscription starts again from now on and the "
                    + "poll catches up", exception);
        }
        LOG.warn("Change events: {}", message != null ? message + ": " + exception : String.valueOf(exception));
    }

    @Override
    public void close() {
        context.getExecutorServiceManager().shutdownNow(scheduler);
        context.getExecutorServiceManager().shutdownNow(catchUp);
        synchronized (this) {
            if (subscribed) {
                unsubscribeAll();
            }
        }
        try {
            lease.release();
        } catch (RuntimeException e) {
            LOG.warn("Change events: the subscription lease could not be released: {}", e.getMessage());
        }
    }
}

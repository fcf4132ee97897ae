package io.github.crmsync.sandbox.salesforce;

import com.google.protobuf.ByteString;
import com.salesforce.eventbus.protobuf.ConsumerEvent;
import com.salesforce.eventbus.protobuf.FetchRequest;
import com.salesforce.eventbus.protobuf.FetchResponse;
import com.salesforce.eventbus.protobuf.ProducerEvent;
import com.salesforce.eventbus.protobuf.PubSubGrpc;
import com.salesforce.eventbus.protobuf.ReplayPreset;
import com.salesforce.eventbus.protobuf.SchemaInfo;
import com.salesforce.eventbus.protobuf.SchemaRequest;
import com.salesforce.eventbus.protobuf.TopicInfo;
import com.salesforce.eventbus.protobuf.TopicRequest;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The sandbox org's Pub/Sub API: the {@code eventbus.v1.PubSub} gRPC service of Salesforce's
 * {@code pubsub_api.proto} (the classes camel-salesforce ships), over TLS. {@code GetTopic} and
 * {@code GetSchema} describe the change-event channels; {@code Subscribe} is a bidirectional stream
 * that sends events only as far as the client asked for them ({@code num_requested}, at most 100
 * outstanding), from the tip ({@code LATEST}), the oldest retained event ({@code EARLIEST}) or after a
 * replay id ({@code CUSTOM}), and an empty keep-alive response when nothing came for a while. Every
 * call carries the session in its metadata ({@code accesstoken}, {@code instanceurl},
 * {@code tenantid}); errors end the call with a gRPC status whose trailers hold Salesforce's
 * {@code error-code} and the call's {@code rpc-id}. Publishing is not offered: change events are
 * published by the org itself.
 */
public final class PubSubServer implements AutoCloseable {

    // The error-code trailer values as Salesforce's error table lists them
    // (https://developer.salesforce.com/docs/platform/pub-sub-api/guide/handling-errors.html); the
    // delivery limit's from "What to Do If You Exceed the Event Delivery Allocation"
    // (https://developer.salesforce.com/docs/atlas.en-us.platform_events.meta/platform_events/platform_event_limits.htm).
    static final String AUTH_ERROR = "sfdc.platform.eventbus.grpc.service.auth.error";
    /** A replay id that is not one, or whose events are past the 72-hour retention: the same code for both. */
    static final String REPLAY_ID_CORRUPTED = "sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted";
    /** {@code replay_preset} CUSTOM without a replay id. */
    static final String REPLAY_ID_VALIDATION_FAILED = "sfdc.platform.eventbus.grpc.subscription.fetch.replayid.validation.failed";
    /** {@code num_requested} not greater than 0. */
    static final String REQUESTED_EVENTS_INVALID = "sfdc.platform.eventbus.grpc.subscription.fetch.requested.events.invalid";
    /** A later fetch request of a stream names another topic than its first. */
    static final String TOPIC_MISMATCH = "sfdc.platform.eventbus.grpc.subscription.fetch.topic.mismatch";
    static final String TOPIC_NOT_FOUND = "sfdc.platform.eventbus.grpc.topic.not.found";
    /** No schema of that id for this user (the table has no "not found" code for schemas). */
    static final String SCHEMA_ACCESS = "sfdc.platform.eventbus.grpc.schema.meta.permission";
    /** The org's event delivery allocation (the last 24 hours) is spent. */
    static final String DELIVERY_LIMIT_EXCEEDED = "sfdc.platform.eventbus.grpc.subscription.limit.exceeded";
    /** The most events a subscriber may have asked for and not received yet. */
    static final int MAX_NUM_REQUESTED = 100;

    static final Metadata.Key<String> ACCESS_TOKEN = key("accesstoken");
    static final Metadata.Key<String> INSTANCE_URL = key("instanceurl");
    static final Metadata.Key<String> TENANT_ID = key("tenantid");
    static final Metadata.Key<String> ERROR_CODE = key("error-code");
    static final Metadata.Key<String> RPC_ID = key("rpc-id");

    /**
     * The org's event delivery allocation, which every event delivered to a subscriber counts against:
     * grants up to {@code wanted} deliveries and counts them, 0 once it is spent.
     */
    interface DeliveryAllocation {
        int take(int wanted);
    }

    /** What the metadata must name: a valid access token of this org, its instance URL and its org id. */
    public record Session(Predicate<String> validToken, String instanceUrl, String orgId) {
    }

    private final ChangeEventBus bus;
    private final DeliveryAllocation allocation;
    private final java.util.function.Supplier<Session> session;
    private final String host;
    private final int port;
    private volatile Duration keepAlive;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "salesforce-simulator-pubsub");
        t.setDaemon(true);
        return t;
    });
    private Server server;
    private final java.util.concurrent.atomic.AtomicInteger subscriptions = new java.util.concurrent.atomic.AtomicInteger();

    PubSubServer(ChangeEventBus bus, DeliveryAllocation allocation, java.util.function.Supplier<Session> session, String host,
                 int port, Duration keepAlive) {
        this.bus = bus;
        this.allocation = allocation;
        this.session = session;
        this.host = host;
        this.port = port;
        this.keepAlive = keepAlive;
    }

    void start() throws IOException {
        SandboxTls tls = SandboxTls.get();
        server = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
                .sslContext(GrpcSslContexts.configure(io.netty.handler.ssl.SslContextBuilder.forServer(tls.key, tls.certificate)).build())
                .addService(ServerInterceptors.intercept(new Service(), new SessionCheck()))
                .build()
                .start();
    }

    public int port() {
        return server.getPort();
    }

    public String host() {
        return host;
    }

    /** Subscribe streams open now (past their first fetch request). */
    int subscriptions() {
        return subscriptions.get();
    }

    void keepAlive(Duration interval) {
        this.keepAlive = interval;
    }

    @Override
    public void close() {
        if (server != null) {
            server.shutdownNow();
            scheduler.shutdownNow();
            server = null;
        }
    }

    private static Metadata.Key<String> key(String name) {
        return Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
    }

    /** An error as the Pub/Sub API ends a call with it: the status, the description with the rpc id, the trailers. */
    static StatusRuntimeException error(Status status, String errorCode, String message, String rpcId) {
        Metadata trailers = new Metadata();
        trailers.put(ERROR_CODE, errorCode);
        trailers.put(RPC_ID, rpcId);
        return status.withDescription(message + " rpcId: " + rpcId).asRuntimeException(trailers);
    }

    /** Refuses a call whose metadata does not name a valid session of this org. */
    private final class SessionCheck implements ServerInterceptor {

        @Override
        public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                                                            ServerCallHandler<Q, A> next) {
            Session s = session.get();
            String token = headers.get(ACCESS_TOKEN);
            boolean valid = token != null && s.validToken().test(token)
                    && s.instanceUrl().equals(headers.get(INSTANCE_URL))
                    && s.orgId().equals(headers.get(TENANT_ID));
            if (!valid) {
                StatusRuntimeException e = error(Status.UNAUTHENTICATED, AUTH_ERROR, "An authentication exception "
                        + "occurred. Provide valid authentication via metadata headers.", UUID.randomUUID().toString());
                call.close(e.getStatus(), e.getTrailers());
                return new ServerCall.Listener<>() { };
            }
            return next.startCall(call, headers);
        }
    }

    private final class Service extends PubSubGrpc.PubSubImplBase {

        @Override
        public void getTopic(TopicRequest request, StreamObserver<TopicInfo> answer) {
            String rpcId = UUID.randomUUID().toString();
            ChangeEventSchema schema = bus.schemaOfTopic(request.getTopicName());
            if (schema == null || !bus.selected(schema.object)) {
                answer.onError(topicNotFound(request.getTopicName(), rpcId));
                return;
            }
            answer.onNext(TopicInfo.newBuilder().setTopicName(request.getTopicName()).setTenantGuid(session.get().orgId())
                    .setCanPublish(false).setCanSubscribe(true).setSchemaId(schema.schemaId).setRpcId(rpcId).build());
            answer.onCompleted();
        }

        @Override
        public void getSchema(SchemaRequest request, StreamObserver<SchemaInfo> answer) {
            String rpcId = UUID.randomUUID().toString();
            ChangeEventSchema schema = bus.schemaById(request.getSchemaId());
            if (schema == null) {
                answer.onError(error(Status.NOT_FOUND, SCHEMA_ACCESS, "No schema has the id "
                        + request.getSchemaId() + ", or you do not have access to it.", rpcId));
                return;
            }
            answer.onNext(SchemaInfo.newBuilder().setSchemaJson(schema.avro.toString()).setSchemaId(schema.schemaId)
                    .setRpcId(rpcId).build());
            answer.onCompleted();
        }

        @Override
        public StreamObserver<FetchRequest> subscribe(StreamObserver<FetchResponse> responses) {
            return new Subscription((ServerCallStreamObserver<FetchResponse>) responses);
        }
    }

    private StatusRuntimeException topicNotFound(String topic, String rpcId) {
        return error(Status.NOT_FOUND, TOPIC_NOT_FOUND, "The topic " + topic + " does not exist, or change events "
                + "are not selected for its object, or you do not have access to it.", rpcId);
    }

    /** One Subscribe stream: where it is on its channel, and how many events its client still wants. */
    private final class Subscription implements StreamObserver<FetchRequest> {

        private final ServerCallStreamObserver<FetchResponse> out;
        private final String rpcId = UUID.randomUUID().toString();
        private final Runnable published = () -> scheduler.execute(this::drain);
        private String topic;
        private long cursor;
        private int pending;
        private boolean closed;
        private long lastSent = System.currentTimeMillis();
        private ScheduledFuture<?> keepAliveTask;

        Subscription(ServerCallStreamObserver<FetchResponse> out) {
            this.out = out;
            out.setOnCancelHandler(this::end);
        }

        @Override
        public synchronized void onNext(FetchRequest request) {
            if (closed) {
                return;
            }
            if (topic == null) {
                ChangeEventSchema schema = bus.schemaOfTopic(request.getTopicName());
                if (schema == null || !bus.selected(schema.object)) {
                    fail(topicNotFound(request.getTopicName(), rpcId));
                    return;
                }
                if (request.getReplayPreset() == ReplayPreset.CUSTOM && request.getReplayId().isEmpty()) {
                    fail(error(Status.INVALID_ARGUMENT, REPLAY_ID_VALIDATION_FAILED, "The replay_preset field in "
                            + "FetchRequest is set to ReplayPreset.CUSTOM, but no Replay ID value is set.", rpcId));
                    return;
                }
                try {
                    cursor = switch (request.getReplayPreset()) {
                        case LATEST -> bus.latest();
                        case EARLIEST -> bus.earliest(request.getTopicName());
                        case CUSTOM -> bus.positionOf(request.getTopicName(), request.getReplayId().toByteArray());
                        default -> throw new IllegalArgumentException("unknown replay preset " + request.getReplayPresetValue());
                    };
                } catch (ChangeEventBus.ReplayIdException e) {
                    fail(error(Status.INVALID_ARGUMENT, REPLAY_ID_CORRUPTED, e.getMessage()
                            + " Provide a valid Replay ID and try again.", rpcId));
                    return;
                } catch (IllegalArgumentException e) { // no documented code of its own: the nearest one
                    fail(error(Status.INVALID_ARGUMENT, REPLAY_ID_VALIDATION_FAILED, e.getMessage(), rpcId));
                    return;
                }
                topic = request.getTopicName();
                subscriptions.incrementAndGet();
                bus.onPublish(published);
                long every = Math.max(1, keepAlive.toMillis());
                keepAliveTask = scheduler.scheduleWithFixedDelay(this::keepAlive, every, Math.max(1, every / 4),
                        TimeUnit.MILLISECONDS);
            } else if (!request.getTopicName().isEmpty() && !request.getTopicName().equals(topic)) {
                fail(error(Status.INVALID_ARGUMENT, TOPIC_MISMATCH, "A subscription's fetch requests must name its "
                        + "topic " + topic + ", not " + request.getTopicName() + ".", rpcId));
                return;
            }
            if (request.getNumRequested() <= 0) {
                fail(error(Status.INVALID_ARGUMENT, REQUESTED_EVENTS_INVALID, "num_requested must be greater than 0.", rpcId));
                return;
            }
            pending = Math.min(MAX_NUM_REQUESTED, pending + request.getNumRequested());
            scheduler.execute(this::drain);
        }

        /**
         * Sends retained events after the cursor, as many as the client still wants and the org's event
         * delivery allocation allows; with the allocation spent, the subscription ends with its error and
         * the events wait in the retention.
         */
        private synchronized void drain() {
            while (!closed && pending > 0) {
                List<ChangeEventBus.Event> events = bus.after(topic, cursor, pending);
                if (events.isEmpty()) {
                    return;
                }
                int allowed = allocation.take(events.size());
                if (allowed == 0) {
                    // the status is not documented; the code and message are
                    fail(error(Status.RESOURCE_EXHAUSTED, DELIVERY_LIMIT_EXCEEDED,
                            "You have exceeded the event delivery limit for your org.", rpcId));
                    return;
                }
                events = events.subList(0, allowed);
                FetchResponse.Builder response = FetchResponse.newBuilder().setRpcId(rpcId);
                for (ChangeEventBus.Event e : events) {
                    response.addEvents(ConsumerEvent.newBuilder().setReplayId(ByteString.copyFrom(e.replayId()))
                            .setEvent(ProducerEvent.newBuilder().setId(e.id()).setSchemaId(bus.schemaOfTopic(topic).schemaId)
                                    .setPayload(ByteString.copyFrom(e.payload()))));
                }
                ChangeEventBus.Event last = events.get(events.size() - 1);
                cursor = last.position();
                pending -= events.size();
                response.setLatestReplayId(ByteString.copyFrom(last.replayId())).setPendingNumRequested(pending);
                send(response.build());
            }
        }

        /** An empty response when nothing was sent for the keep-alive interval: the stream is alive, and where it is. */
        private synchronized void keepAlive() {
            if (closed || System.currentTimeMillis() - lastSent < keepAlive.toMillis()) {
                return;
            }
            send(FetchResponse.newBuilder().setRpcId(rpcId).setLatestReplayId(ByteString.copyFrom(
                    ChangeEventBus.replayId(cursor))).setPendingNumRequested(pending).build());
        }

        private void send(FetchResponse response) {
            try {
                out.onNext(response);
                lastSent = System.currentTimeMillis();
            } catch (RuntimeException e) {
                end();
            }
        }

        private synchronized void fail(StatusRuntimeException e) {
            if (!closed) {
                end();
                out.onError(e);
            }
        }

        @Override
        public void onError(Throwable t) {
            end();
        }

        @Override
        public synchronized void onCompleted() {
            if (!closed) {
                end();
                out.onCompleted();
            }
        }

        private synchronized void end() {
            if (!closed && topic != null) {
                subscriptions.decrementAndGet();
            }
            closed = true;
            bus.removeListener(published);
            if (keepAliveTask != null) {
                keepAliveTask.cancel(false);
            }
        }
    }
}

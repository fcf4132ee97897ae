package io.github.crmsync.sandbox.salesforce;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import com.salesforce.eventbus.protobuf.FetchRequest;
import com.salesforce.eventbus.protobuf.FetchResponse;
import com.salesforce.eventbus.protobuf.PubSubGrpc;
import com.salesforce.eventbus.protobuf.ReplayPreset;
import com.salesforce.eventbus.protobuf.SchemaInfo;
import com.salesforce.eventbus.protobuf.SchemaRequest;
import com.salesforce.eventbus.protobuf.TopicInfo;
import com.salesforce.eventbus.protobuf.TopicRequest;
import io.github.crmsync.sandbox.seed.SalesforceIds;
import io.github.crmsync.sandbox.seed.SeedData;
import io.github.crmsync.testing.Http;
import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The sandbox's Pub/Sub API checked with a plain gRPC client of the proto's generated stubs (not the
 * service, not camel-salesforce), against what Salesforce documents: flow control by
 * {@code num_requested}, replay after a CUSTOM replay id, the {@code error-code} trailer of an expired
 * or corrupted replay id, of a malformed request and of a call without a valid session, each delivered
 * event counted against the org's event delivery allocation ({@code DailyDeliveredPlatformEvents} in
 * {@code /limits}), and the change events' bitmap fields decoded by Salesforce's published rules.
 */
class PubSubSimulatorTest {

    private static final SeedData SEED = new SeedData(SeedData.DEFAULT_SEED, 400);
    private static final String CONTACTS = "/data/ContactChangeEvent";
    private static SalesforceSimulator sim;
    private static ManagedChannel channel;
    private static String token;
    private static String orgId;

    @BeforeAll
    static void start() throws Exception {
        sim = new SalesforceSimulator(SalesforceSimulatorSettings.defaults().withPort(0), SEED);
        sim.start();
        Http.Answer login = Http.post(sim.baseUrl() + "/services/oauth2/token", Http.form(Map.of("grant_type", "password",
                "client_id", "sandbox-client", "client_secret", "sandbox-secret", "username", SalesforceSimulator.USERNAME,
                "password", "sandbox")), "Content-Type", "application/x-www-form-urlencoded");
        token = login.json().path("access_token").asText();
        String id = login.json().path("id").asText();
        orgId = id.substring(id.indexOf("/id/") + 4, id.indexOf("/id/") + 22);
        // TLS, trusted through the sandbox's channel provider, as camel-salesforce's client builds its channel
        channel = ManagedChannelBuilder.forAddress(sim.pubSubHost(), sim.pubSubPort()).build();
    }

    @AfterAll
    static void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        sim.close();
    }

    @AfterEach
    void restore() {
        sim.setChangeEventRetention(Duration.ofHours(72));
        sim.setPubSubKeepAlive(Duration.ofSeconds(270));
        sim.setChangeEventsSelected("Contact", true);
        sim.setEventDeliveryAllocation(SalesforceSimulator.DEFAULT_EVENT_DELIVERY_ALLOCATION);
    }

    @Test
    void aSubscriberGetsNoMoreEventsThanItAskedFor() throws Exception {
        byte[] tip = tipReplayId();
        List<String> ids = contactIds(5);
        ids.forEach(id -> update(id, Map.of("Title", "Flow " + id)));
        sim.setPubSubKeepAlive(Duration.ofMillis(300));

        Stream stream = subscribe(FetchRequest.newBuilder().setTopicName(CONTACTS).setReplayPreset(ReplayPreset.CUSTOM)
                .setReplayId(ByteString.copyFrom(tip)).setNumRequested(2).build());
        FetchResponse first = stream.next();
        assertThat(first.getEventsCount()).isEqualTo(2);
        assertThat(first.getPendingNumRequested()).isZero();
        assertThat(first.getLatestReplayId()).isEqualTo(first.getEvents(1).getReplayId());
        // with nothing asked for, the stream's next response is a keep-alive without events
        FetchResponse idle = stream.next();
        assertThat(idle.getEventsCount()).isZero();
        assertThat(idle.getLatestReplayId()).isEqualTo(first.getLatestReplayId());

        stream.request(FetchRequest.newBuilder().setNumRequested(10).build());
        List<String> recordIds = new ArrayList<>(recordIds(first));
        FetchResponse rest = stream.nextWithEvents();
        assertThat(rest.getEventsCount()).isEqualTo(3);
        assertThat(rest.getPendingNumRequested()).isEqualTo(7);
        recordIds.addAll(recordIds(rest));
        assertThat(recordIds).containsExactlyElementsOf(ids);
        stream.close();
    }

    @Test
    void aCustomReplayIdResumesAfterThatEvent() throws Exception {
        byte[] tip = tipReplayId();
        List<String> ids = contactIds(4);
        ids.forEach(id -> update(id, Map.of("Title", "Replay " + id)));
        Stream all = subscribe(FetchRequest.newBuilder().setTopicName(CONTACTS).setReplayPreset(ReplayPreset.CUSTOM)
                .setReplayId(ByteString.copyFrom(tip)).setNumRequested(4).build());
        FetchResponse four = all.nextWithEvents();
        assertThat(four.getEventsCount()).isEqualTo(4);
        all.close();

        Stream resumed = subscribe(FetchRequest.newBuilder().setTopicName(CONTACTS).setReplayPreset(ReplayPreset.CUSTOM)
                .setReplayId(four.getEvents(1).getReplayId()).setNumRequested(100).build());
        FetchResponse after = resumed.nextWithEvents();
        assertThat(recordIds(after)).containsExactlyElementsOf(ids.subList(2, 4));
        resumed.close();
    }

    @Test
    void anExpiredOrCorruptedReplayIdEndsTheSubscriptionWithItsErrorCode() throws Exception {
        update(contactIds(1).get(0), Map.of("Title", "Soon expired"));
        byte[] old = tipReplayId();
        update(contactIds(2).get(1), Map.of("Title", "Also expired"));
        sim.setChangeEventRetention(Duration.ZERO);

        StatusRuntimeException expired = subscribe(FetchRequest.newBuilder().setTopicName(CONTACTS)
                .setReplayPreset(ReplayPreset.CUSTOM).setReplayId(ByteString.copyFrom(old)).setNumRequested(1).build()).error();
        assertThat(expired.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(errorCode(expired)).isEqualTo("sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted");
        assertThat(expired.getStatus().getDescription()).contains("retention window").contains("rpcId: ");

        StatusRuntimeException corrupted = subscribe(FetchRequest.newBuilder().setTopicName(CONTACTS)
                .setReplayPreset(ReplayPreset.CUSTOM).setReplayId(ByteString.copyFromUtf8("not one")).setNumRequested(1)
                .build()).error();
        assertThat(errorCode(corrupted)).isEqualTo("sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted");
    }

    @Test
    void aMalformedRequestEndsTheCallWithSalesforcesDocumentedErrorCode() throws Exception {
        StatusRuntimeException noReplayId = subscribe(FetchRequest.newBuilder().setTopicName(CONTACTS)
                .setReplayPreset(ReplayPreset.CUSTOM).setNumRequested(1).build()).error();
        assertThat(noReplayId.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(errorCode(noReplayId)).isEqualTo("sfdc.platform.eventbus.grpc.subscription.fetch.replayid.validation.failed");

        StatusRuntimeException nothingAsked = subscribe(FetchRequest.newBuilder().setTopicName(CONTACTS)
                .setReplayPreset(ReplayPreset.LATEST).setNumRequested(0).build()).error();
        assertThat(errorCode(nothingAsked)).isEqualTo("sfdc.platform.eventbus.grpc.subscription.fetch.requested.events.invalid");

        Stream stream = subscribe(FetchRequest.newBuilder().setTopicName(CONTACTS).setReplayPreset(ReplayPreset.LATEST)
                .setNumRequested(1).build());
        stream.request(FetchRequest.newBuilder().setTopicName("/data/LeadChangeEvent").setNumRequested(1).build());
        assertThat(errorCode(stream.error())).isEqualTo("sfdc.platform.eventbus.grpc.subscription.fetch.topic.mismatch");

        assertThatThrownBy(() -> blocking().getSchema(SchemaRequest.newBuilder().setSchemaId("noSuchSchema").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(errorCode(e)).isEqualTo("sfdc.platform.eventbus.grpc.schema.meta.permission"));
    }

    @Test
    void eachEventDeliveredToEachSubscriberCountsAgainstTheOrgsDeliveryAllocationInLimits() throws Exception {
        byte[] tip = tipReplayId();
        JsonNode before = deliveredPlatformEvents();
        assertThat(before.path("Max").asLong()).isEqualTo(50_000);
        List<String> ids = contactIds(3);
        ids.forEach(id -> update(id, Map.of("Title", "Delivered " + id)));

        for (int subscriber = 0; subscriber < 2; subscriber++) {
            Stream stream = subscribe(FetchRequest.newBuilder().setTopicName(CONTACTS).setReplayPreset(ReplayPreset.CUSTOM)
                    .setReplayId(ByteString.copyFrom(tip)).setNumRequested(3).build());
            assertThat(stream.nextWithEvents().getEventsCount()).isEqualTo(3);
            stream.close();
        }

        JsonNode after = deliveredPlatformEvents();
        assertThat(after.path("Max").asLong()).isEqualTo(50_000);
        assertThat(before.path("Remaining").asLong() - after.path("Remaining").asLong())
                .as("three events, delivered to two subscribers").isEqualTo(6);
    }

    @Test
    void aSpentDeliveryAllocationEndsTheSubscriptionWithItsErrorCodeAndTheEventsWait() throws Exception {
        byte[] tip = tipReplayId();
        List<String> ids = contactIds(3);
        ids.forEach(id -> update(id, Map.of("Title", "Over the allocation " + id)));
        // as the sandbox's control endpoint sets it
        Http.Answer granted = Http.post(sim.baseUrl() + "/sandbox/change-events",
                "{\"eventDeliveryAllocation\":" + (sim.eventsDelivered() + 2) + "}");
        assertThat(granted.status()).isEqualTo(200);
        assertThat(granted.json().path("eventDeliveryAllocation").asLong()).isEqualTo(sim.eventsDelivered() + 2);
        Http.Answer refused = Http.post(sim.baseUrl() + "/sandbox/change-events", "{\"eventDeliveryAllocation\":-1}");
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().path("error").asText()).contains("eventDeliveryAllocation");

        Stream stream = subscribe(FetchRequest.newBuilder().setTopicName(CONTACTS).setReplayPreset(ReplayPreset.CUSTOM)
                .setReplayId(ByteString.copyFrom(tip)).setNumRequested(3).build());
        FetchResponse two = stream.nextWithEvents();
        assertThat(recordIds(two)).containsExactlyElementsOf(ids.subList(0, 2));
        StatusRuntimeException spent = stream.error();
        assertThat(errorCode(spent)).isEqualTo("sfdc.platform.eventbus.grpc.subscription.limit.exceeded");
        assertThat(spent.getStatus().getDescription()).contains("exceeded the event delivery limit");
        assertThat(deliveredPlatformEvents().path("Remaining").asLong()).isZero();

        sim.setEventDeliveryAllocation(SalesforceSimulator.DEFAULT_EVENT_DELIVERY_ALLOCATION);
        Stream resumed = subscribe(FetchRequest.newBuilder().setTopicName(CONTACTS).setReplayPreset(ReplayPreset.CUSTOM)
                .setReplayId(two.getLatestReplayId()).setNumRequested(3).build());
        assertThat(recordIds(resumed.nextWithEvents())).containsExactly(ids.get(2));
        resumed.close();
    }

    @Test
    void aCallWithoutAValidSessionIsRefusedWithTheAuthErrorCode() {
        PubSubGrpc.PubSubBlockingStub wrongToken = PubSubGrpc.newBlockingStub(channel)
                .withCallCredentials(credentials("00D000000000001!not-a-token", sim.baseUrl(), orgId));
        assertThatThrownBy(() -> wrongToken.getTopic(TopicRequest.newBuilder().setTopicName(CONTACTS).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
                    assertThat(errorCode(e)).isEqualTo("sfdc.platform.eventbus.grpc.service.auth.error");
                });
        PubSubGrpc.PubSubBlockingStub otherOrg = PubSubGrpc.newBlockingStub(channel)
                .withCallCredentials(credentials(token, sim.baseUrl(), "00D000000000000XYZ"));
        assertThatThrownBy(() -> otherOrg.getTopic(TopicRequest.newBuilder().setTopicName(CONTACTS).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(errorCode(e)).isEqualTo("sfdc.platform.eventbus.grpc.service.auth.error"));
    }

    @Test
    void changedAndNulledFieldsAreBitmapsOfSchemaPositions() throws Exception {
        byte[] tip = tipReplayId();
        String id = contactIds(1).get(0);
        update(id, Map.of("FirstName", "Bitmap", "Title", "Decoded", "Phone", ""));

        PubSubGrpc.PubSubBlockingStub stub = blocking();
        TopicInfo topic = stub.getTopic(TopicRequest.newBuilder().setTopicName(CONTACTS).build());
        assertThat(topic.getCanSubscribe()).isTrue();
        assertThat(topic.getTenantGuid()).isEqualTo(orgId);
        SchemaInfo info = stub.getSchema(SchemaRequest.newBuilder().setSchemaId(topic.getSchemaId()).build());
        Schema schema = new Schema.Parser().parse(info.getSchemaJson());

        Stream stream = subscribe(FetchRequest.newBuilder().setTopicName(CONTACTS).setReplayPreset(ReplayPreset.CUSTOM)
                .setReplayId(ByteString.copyFrom(tip)).setNumRequested(1).build());
        FetchResponse response = stream.nextWithEvents();
        stream.close();
        assertThat(response.getEvents(0).getEvent().getSchemaId()).isEqualTo(topic.getSchemaId());
        GenericRecord event = decode(schema, response.getEvents(0).getEvent().getPayload().toByteArray());
        GenericRecord header = (GenericRecord) event.get("ChangeEventHeader");
        assertThat(header.get("entityName").toString()).isEqualTo("Contact");
        assertThat(header.get("changeType").toString()).isEqualTo("UPDATE");
        assertThat(strings(header.get("recordIds"))).containsExactly(id);
        assertThat(header.get("commitUser").toString()).isEqualTo(SalesforceSimulator.USER_ID);
        assertThat(fieldNames(schema, strings(header.get("changedFields"))))
                .containsExactlyInAnyOrder("Name.FirstName", "Title", "Phone", "LastModifiedDate");
        assertThat(fieldNames(schema, strings(header.get("nulledFields")))).containsExactly("Phone");
        assertThat(((GenericRecord) event.get("Name")).get("FirstName").toString()).isEqualTo("Bitmap");
        assertThat(event.get("Title").toString()).isEqualTo("Decoded");
        assertThat(event.get("Email")).as("unchanged fields are null").isNull();
    }

    // ------------------------------------------------------------ Salesforce's bitmap rules, as its samples decode them

    /**
     * The Pub/Sub API documentation's rules: each string is a hex bitmap; the first stands for the
     * top-level fields (bit n set = the schema's field n), an {@code "n-0x..."} for the fields of the
     * compound field at position n, named {@code Parent.Child}.
     */
    private static List<String> fieldNames(Schema schema, List<String> bitmaps) {
        List<String> names = new ArrayList<>();
        for (String bitmap : bitmaps) {
            if (bitmap.contains("-")) {
                Schema.Field parent = schema.getFields().get(Integer.parseInt(bitmap.substring(0, bitmap.indexOf('-'))));
                Schema nested = parent.schema().getTypes().stream().filter(s -> s.getType() == Schema.Type.RECORD)
                        .findFirst().orElseThrow();
                BigInteger bits = new BigInteger(bitmap.substring(bitmap.indexOf('-') + 3), 16);
                for (int i = 0; i < bits.bitLength(); i++) {
                    if (bits.testBit(i)) {
                        names.add(parent.name() + "." + nested.getFields().get(i).name());
                    }
                }
            } else {
                BigInteger bits = new BigInteger(bitmap.substring(2), 16);
                for (int i = 0; i < bits.bitLength(); i++) {
                    if (bits.testBit(i)) {
                        names.add(schema.getFields().get(i).name());
                    }
                }
            }
        }
        return names;
    }

    // ------------------------------------------------------------ helpers

    private static GenericRecord decode(Schema schema, byte[] payload) throws Exception {
        return new GenericDatumReader<GenericRecord>(schema).read(null, DecoderFactory.get().binaryDecoder(payload, null));
    }

    private static List<String> strings(Object avroArray) {
        List<String> out = new ArrayList<>();
        ((List<?>) avroArray).forEach(o -> out.add(o.toString()));
        return out;
    }

    private List<String> recordIds(FetchResponse response) throws Exception {
        Schema schema = new Schema.Parser().parse(blocking().getSchema(SchemaRequest.newBuilder()
                .setSchemaId(response.getEvents(0).getEvent().getSchemaId()).build()).getSchemaJson());
        List<String> ids = new ArrayList<>();
        for (var e : response.getEventsList()) {
            GenericRecord header = (GenericRecord) decode(schema, e.getEvent().getPayload().toByteArray()).get("ChangeEventHeader");
            ids.addAll(strings(header.get("recordIds")));
        }
        return ids;
    }

    private static int nextSeed = 0;

    /** Contacts not changed by another test of this class. */
    private static synchronized List<String> contactIds(int count) {
        List<String> ids = new ArrayList<>();
        while (ids.size() < count) {
            int i = nextSeed++;
            if (SEED.person(i).salesforce() != null && !SEED.person(i).lead()) {
                ids.add(SalesforceIds.id("003", i));
            }
        }
        return ids;
    }

    private static void update(String id, Map<String, Object> fields) {
        Http.Answer answer = Http.patch(sim.baseUrl() + "/services/data/v60.0/sobjects/Contact/" + id, Http.json(fields),
                "Authorization", "Bearer " + token);
        assertThat(answer.status()).as(answer.body()).isEqualTo(204);
    }

    /** The replay id of the channel's tip now: a keep-alive response of a LATEST subscription carries it. */
    private byte[] tipReplayId() throws Exception {
        sim.setPubSubKeepAlive(Duration.ofMillis(50));
        Stream s = subscribe(FetchRequest.newBuilder().setTopicName(CONTACTS).setReplayPreset(ReplayPreset.LATEST)
                .setNumRequested(1).build());
        byte[] tip = s.next().getLatestReplayId().toByteArray();
        s.close();
        sim.setPubSubKeepAlive(Duration.ofSeconds(270));
        return tip;
    }

    private PubSubGrpc.PubSubBlockingStub blocking() {
        return PubSubGrpc.newBlockingStub(channel).withCallCredentials(credentials(token, sim.baseUrl(), orgId));
    }

    private Stream subscribe(FetchRequest first) {
        Stream stream = new Stream();
        stream.requests = PubSubGrpc.newStub(channel).withCallCredentials(credentials(token, sim.baseUrl(), orgId))
                .subscribe(stream);
        stream.requests.onNext(first);
        return stream;
    }

    private static JsonNode deliveredPlatformEvents() {
        Http.Answer limits = Http.get(sim.baseUrl() + "/services/data/v60.0/limits", "Authorization", "Bearer " + token);
        assertThat(limits.status()).isEqualTo(200);
        return limits.json().path("DailyDeliveredPlatformEvents");
    }

    private static String errorCode(StatusRuntimeException e) {
        return e.getTrailers().get(Metadata.Key.of("error-code", Metadata.ASCII_STRING_MARSHALLER));
    }

    private static CallCredentials credentials(String accessToken, String instanceUrl, String tenantId) {
        return new CallCredentials() {
            @Override
            public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
                Metadata headers = new Metadata();
                headers.put(Metadata.Key.of("accesstoken", Metadata.ASCII_STRING_MARSHALLER), accessToken);
                headers.put(Metadata.Key.of("instanceurl", Metadata.ASCII_STRING_MARSHALLER), instanceUrl);
                headers.put(Metadata.Key.of("tenantid", Metadata.ASCII_STRING_MARSHALLER), tenantId);
                applier.apply(headers);
            }
        };
    }

    /** One Subscribe stream as a client sees it: its responses in order, or how it ended. */
    private static final class Stream implements StreamObserver<FetchResponse> {
        final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
        StreamObserver<FetchRequest> requests;

        @Override
        public void onNext(FetchResponse value) {
            received.add(value);
        }

        @Override
        public void onError(Throwable t) {
            received.add(t);
        }

        @Override
        public void onCompleted() {
            received.add("completed");
        }

        void request(FetchRequest more) {
            requests.onNext(more);
        }

        FetchResponse next() throws InterruptedException {
            Object o = received.poll(30, TimeUnit.SECONDS);
            assertThat(o).as("a response within 30 s").isInstanceOf(FetchResponse.class);
            return (FetchResponse) o;
        }

        FetchResponse nextWithEvents() throws InterruptedException {
            FetchResponse r = next();
            while (r.getEventsCount() == 0) {
                r = next();
            }
            return r;
        }

        StatusRuntimeException error() throws InterruptedException {
            Object o = received.poll(30, TimeUnit.SECONDS);
            assertThat(o).isInstanceOf(StatusRuntimeException.class);
            return (StatusRuntimeException) o;
        }

        void close() {
            requests.onCompleted();
        }
    }
}

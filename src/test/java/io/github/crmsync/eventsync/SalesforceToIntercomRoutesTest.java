package io.github.crmsync.eventsync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.crmsync.errors.CircuitBreakers;
import io.github.crmsync.errors.Redelivery;
import io.github.crmsync.errors.SyncErrorStore;
import io.github.crmsync.errors.SyncFailures;
import io.github.crmsync.intercom.IntercomAnswers;
import io.github.crmsync.intercom.IntercomApiException;
import io.github.crmsync.intercom.IntercomClient;
import io.github.crmsync.intercom.IntercomRateLimit;
import io.github.crmsync.mapping.ObjectType;
import io.github.crmsync.metrics.SyncMetrics;
import io.github.crmsync.testing.RouteTestDatabase;
import io.github.crmsync.testing.RouteTests;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.apache.camel.BindToRegistry;
import org.apache.camel.Exchange;
import org.apache.camel.Produce;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.component.salesforce.api.SalesforceException;
import org.apache.camel.component.salesforce.api.dto.RestError;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.model.errorhandler.DefaultErrorHandlerDefinition;
import org.apache.camel.model.errorhandler.NoErrorHandlerDefinition;
import org.apache.camel.support.RoutePolicySupport;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.apache.camel.test.main.junit5.Configure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Salesforce -> Intercom flow of routes/salesforce-to-intercom.camel.yaml (the salesforce-changes-poll
 * trigger, salesforce-poll, sync-record-to-intercom) with the call templates and the sync-errors
 * configuration, as the service loads them. The Quartz trigger is replaced by a direct: endpoint,
 * salesforce: and https: endpoints are mocked and skipped (the Composite calls answered by pages of
 * two records per object type); the poll's Java steps are small stand-ins around the real
 * {@link PollCycle} (the flow and the packing are under test, not the mapping), the Intercom client
 * and the sync-error store are the real ones (embedded PostgreSQL).
 */
@CamelMainTest(propertyPlaceholderLocations = RouteTests.PROPERTIES, mockEndpointsAndSkip = "(salesforce|https):.*",
        replaceRouteFromWith = "salesforce-changes-poll=direct:poll-trigger")
class SalesforceToIntercomRoutesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern QUERY = Pattern.compile("/services/data/v60\\.0/query/\\?q=SELECT\\+Id%2C\\+Phone\\+FROM\\+(\\w+)");
    private static final Pattern MORE = Pattern.compile("/services/data/v60\\.0/query/(\\w+)-(\\d+)");
    private static final Pattern REFERENCE = Pattern.compile("@\\{(\\w+)\\.nextRecordsUrl}");

    private final SyncErrorStore errors = new SyncErrorStore(RouteTestDatabase.emptied());
    private final PollSteps poll = new PollSteps();
    private final RecordSteps recordSteps = new RecordSteps();
    /** Intercom's answers to the contact updates, in turn; the last one repeats. */
    private final List<String> intercomAnswers = new CopyOnWriteArrayList<>(List.of("200"));
    /** The changed records per object, in pages of 2. */
    private final Map<String, Integer> changed = new ConcurrentHashMap<>(Map.of("CONTACT", 2, "LEAD", 2));
    private final AtomicInteger intercomCalls = new AtomicInteger();
    /** How many times each Composite call (by its request) fails (503) before it is answered. */
    private volatile int failuresPerCall;
    /** The contacts whose update fails twice (503) before it is answered: a few, or the Intercom breaker opens. */
    private volatile Set<String> failingWrites = Set.of();
    private final Map<String, AtomicInteger> failed = new ConcurrentHashMap<>();

    @BindToRegistry("redelivery")
    private final Redelivery redelivery = new Redelivery(2);
    @BindToRegistry("syncFailures")
    private final SyncFailures syncFailures = new SyncFailures(errors);
    @BindToRegistry("salesforceCircuitBreaker")
    private final CircuitBreaker salesforceBreaker = new CircuitBreakers(Duration.ofMinutes(5)).salesforce();
    @BindToRegistry("salesforceCallAsStep")
    private final NoErrorHandlerDefinition callAsStep = new NoErrorHandlerDefinition();
    @BindToRegistry("salesforceCallWithRetries")
    private final DefaultErrorHandlerDefinition callWithRetries = new DefaultErrorHandlerDefinition();
    @BindToRegistry("intercomRateLimit")
    private final IntercomRateLimit rateLimit = new IntercomRateLimit(Clock.systemUTC(), 8);
    @BindToRegistry("intercomAnswers")
    private final IntercomAnswers answers = new IntercomAnswers(rateLimit, SyncMetrics.none());
    @BindToRegistry("intercomCircuitBreaker")
    private final CircuitBreaker intercomBreaker = new CircuitBreakers(Duration.ofMinutes(5)).intercom();
    @BindToRegistry("intercomWriters")
    private final ExecutorService intercomWriters = Executors.newFixedThreadPool(2);
    @BindToRegistry("apiQuotaPolicy")
    private final AllowingQuotaPolicy apiQuotaPolicy = new AllowingQuotaPolicy();
    @BindToRegistry("salesforceToIntercom")
    private final PollSteps salesforceToIntercom = poll;
    @BindToRegistry("recordSync")
    private final RecordSteps recordSync = recordSteps;

    @Produce
    private ProducerTemplate template;

    @Configure
    protected void configure(MainConfigurationProperties main) {
        main.withRoutesIncludePattern(RouteTests.routes("error-handling", "salesforce-api", "intercom-api", "salesforce-to-intercom"));
    }

    @BeforeEach
    void answer() {
        recordSteps.intercom = new IntercomClient(template, "test-token");
        mock("salesforce:composite").whenAnyExchangeReceived(exchange -> {
            String request = exchange.getMessage().getBody(String.class);
            if (failed.computeIfAbsent(request, r -> new AtomicInteger()).getAndIncrement() < failuresPerCall) {
                throw new SalesforceException(List.of(new RestError("SERVER_UNAVAILABLE", "Server too busy")), 503);
            }
            exchange.getMessage().setBody(answer(request));
        });
        mock("https:api.intercom.io/contacts").whenAnyExchangeReceived(exchange -> {
            int call = intercomCalls.getAndIncrement();
            String path = exchange.getMessage().getHeader(Exchange.HTTP_PATH, String.class);
            String status = failingWrites.contains(path) && failed.computeIfAbsent(path, p -> new AtomicInteger()).getAndIncrement() < 2
                    ? "503" : intercomAnswers.get(Math.min(call, intercomAnswers.size() - 1));
            exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, Integer.parseInt(status));
            exchange.getMessage().setBody(switch (status) {
                case "200" -> "{\"type\":\"contact\",\"id\":\"" + exchange.getMessage().getHeader(Exchange.HTTP_PATH, String.class).substring(1) + "\"}";
                case "400" -> "{\"type\":\"error.list\",\"request_id\":\"b3qbj7h1dni0q2sfeq2g\",\"errors\":[{\"code\":\"parameter_invalid\",\"message\":\"Phone number is invalid\"}]}";
                default -> "{\"type\":\"error.list\",\"request_id\":\"b3qbj7h1dni0q2sfeq2h\",\"errors\":[{\"code\":\"service_unavailable\",\"message\":\"Sorry, the API service is temporarily unavailable\"}]}";
            });
        });
    }

    @AfterEach
    void stopWriters() {
        intercomWriters.shutdownNow();
    }

    @Test
    void onePollReadsContactsAndLeadsInOneCompositeCallAndWritesEveryChangedRecordToIntercom() throws Exception {
        template.sendBody("direct:poll-trigger", null);

        MockEndpoint query = mock("salesforce:composite");
        assertThat(query.getReceivedCounter()).isEqualTo(1);
        assertThat(query.getReceivedExchanges().get(0).getProperty("salesforceCallOf")).isEqualTo("salesforce-poll");
        assertThat(JSON.readTree(query.getReceivedExchanges().get(0).getMessage().getBody(String.class)).path("compositeRequest"))
                .extracting(sub -> sub.path("referenceId").asText())
                .containsExactly("contact0", "contact1", "contact2", "lead0", "lead1");
        assertThat(mock("https:api.intercom.io/contacts").getReceivedExchanges())
                .extracting(exchange -> exchange.getMessage().getHeader(Exchange.HTTP_PATH) + " " + exchange.getMessage().getBody(String.class))
                .containsExactlyInAnyOrder("/ic-CONTACT-0 {\"phone\":\"+33 1 00 00 00 00\"}", "/ic-CONTACT-1 {\"phone\":\"+33 1 00 00 00 01\"}",
                        "/ic-LEAD-0 {\"phone\":\"+33 1 00 00 00 00\"}", "/ic-LEAD-1 {\"phone\":\"+33 1 00 00 00 01\"}");
        assertThat(poll.steps).containsExactly("watermark sf-CONTACT-1", "watermark sf-LEAD-1", "completed CONTACT", "completed LEAD");
    }

    @Test
    void aBusyPollPacksTheNextPagesOfBothTypesFiveToACall() throws Exception {
        // 8 pages: Contacts 6 (12 records), Leads 2 (4)
        changed.put("CONTACT", 12);
        changed.put("LEAD", 4);

        template.sendBody("direct:poll-trigger", null);

        MockEndpoint query = mock("salesforce:composite");
        assertThat(query.getReceivedCounter()).as("8 pages, 5 to a call").isEqualTo(2);
        assertThat(JSON.readTree(query.getReceivedExchanges().get(1).getMessage().getBody(String.class)).path("compositeRequest"))
                .extracting(sub -> sub.path("referenceId").asText() + " " + sub.path("url").asText())
                .startsWith("contact0 /services/data/v60.0/query/CONTACT-6", "contact1 @{contact0.nextRecordsUrl}");
        assertThat(mock("https:api.intercom.io/contacts").getReceivedCounter()).isEqualTo(16);
        assertThat(poll.steps).containsExactly("watermark sf-CONTACT-1", "watermark sf-CONTACT-3", "watermark sf-CONTACT-5",
                "watermark sf-LEAD-1", "watermark sf-LEAD-3", "watermark sf-CONTACT-7", "watermark sf-CONTACT-9",
                "watermark sf-CONTACT-11", "completed CONTACT", "completed LEAD");
    }

    @Test
    void aPageOfOneTypeThatFailsAsAWholeLeavesThatTypeForTheNextPollAndTheOtherGoesOn() {
        changed.put("CONTACT", 4);
        changed.put("LEAD", 4);
        poll.failingType = "CONTACT";

        template.sendBody("direct:poll-trigger", null);

        assertThat(mock("https:api.intercom.io/contacts").getReceivedExchanges())
                .extracting(exchange -> exchange.getMessage().getHeader(Exchange.HTTP_PATH, String.class))
                .containsExactlyInAnyOrder("/ic-LEAD-0", "/ic-LEAD-1", "/ic-LEAD-2", "/ic-LEAD-3");
        // the Contacts' watermark stays before their failed page, and the page after it is not taken
        assertThat(poll.steps).containsExactly("watermark sf-LEAD-1", "watermark sf-LEAD-3", "completed LEAD");
    }

    @Test
    void theChangeDataCaptureCatchUpPollsTheObjectTypeItNames() throws Exception {
        template.sendBodyAndHeader("direct:salesforce-poll", null, "objectType", "LEAD");

        MockEndpoint query = mock("salesforce:composite");
        assertThat(JSON.readTree(query.getReceivedExchanges().get(0).getMessage().getBody(String.class)).path("compositeRequest"))
                .extracting(sub -> sub.path("referenceId").asText()).containsExactly("lead0", "lead1", "lead2", "lead3", "lead4");
        assertThat(poll.steps).containsExactly("watermark sf-LEAD-1", "completed LEAD");
    }

    @Test
    void aTransientIntercomFailureIsRedeliveredAndThenSucceeds() {
        poll.onlyFirstRecord = true;
        intercomAnswers.clear();
        intercomAnswers.addAll(List.of("503", "503", "200"));

        template.sendBodyAndHeader("direct:salesforce-poll", null, "objectType", "CONTACT");

        assertThat(intercomCalls).as("tried once, redelivered twice").hasValue(3);
        assertThat(errors.list("SALESFORCE_TO_INTERCOM", 10)).isEmpty();
        assertThat(poll.steps).containsExactly("watermark sf-CONTACT-1", "completed CONTACT");
    }

    @Test
    void aPermanentRefusalBecomesOneSyncErrorRowInIntercomsWords() {
        poll.onlyFirstRecord = true;
        intercomAnswers.set(0, "400");

        template.sendBodyAndHeader("direct:salesforce-poll", null, "objectType", "CONTACT");

        assertThat(intercomCalls).as("not tried again").hasValue(1);
        List<Map<String, Object>> rows = errors.list("SALESFORCE_TO_INTERCOM", 10);
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0)).containsEntry("salesforceId", "sf-CONTACT-0")
                .containsEntry("intercomId", "ic-CONTACT-0")
                .containsEntry("errorCode", "parameter_invalid")
                .containsEntry("message", "Intercom answered 400 parameter_invalid: Phone number is invalid")
                .containsEntry("attempts", 1);
        // the record's failure is its own: the page is done and the watermark moves on
        assertThat(poll.steps).containsExactly("watermark sf-CONTACT-1", "completed CONTACT");
    }

    /**
     * Each step has its own redeliveries (2 here): a Composite call, a page's pairing, a record's
     * patch and its write tried again after transient failures do not use up those of the steps after
     * them, on the same exchange (the poll's loop of calls, the record's steps, the page's watermark)
     * or on its copies (the pages split off the poll, the records split off a page), however many
     * failed as often before.
     */
    @Test
    void eachCallPatchAndWriteHasItsOwnRedeliveries() {
        changed.put("CONTACT", 12);
        changed.put("LEAD", 4);
        failuresPerCall = 2;
        poll.failuresPerPairing = 2;
        poll.failuresPerWatermark = 2;
        recordSteps.failuresPerPatch = 2;
        // a record of the first call's pages and one of the second's
        failingWrites = Set.of("/ic-CONTACT-1", "/ic-CONTACT-9");

        template.sendBody("direct:poll-trigger", null);

        assertThat(mock("salesforce:composite").getReceivedCounter()).as("2 calls, each tried 3 times").isEqualTo(6);
        assertThat(recordSteps.patches).as("each record's patch, tried 3 times").hasValue(48);
        assertThat(mock("https:api.intercom.io/contacts").getReceivedExchanges())
                .extracting(exchange -> exchange.getMessage().getHeader(Exchange.HTTP_PATH, String.class)).as("every record written")
                .hasSize(16 + 4).containsAll(IntStream.range(0, 12).mapToObj(i -> "/ic-CONTACT-" + i).toList())
                .containsAll(IntStream.range(0, 4).mapToObj(i -> "/ic-LEAD-" + i).toList());
        assertThat(errors.list("SALESFORCE_TO_INTERCOM", 100)).isEmpty();
        assertThat(poll.steps).containsExactly("watermark sf-CONTACT-1", "watermark sf-CONTACT-3", "watermark sf-CONTACT-5",
                "watermark sf-LEAD-1", "watermark sf-LEAD-3", "watermark sf-CONTACT-7", "watermark sf-CONTACT-9",
                "watermark sf-CONTACT-11", "completed CONTACT", "completed LEAD");
    }

    @Test
    void aRecordStillFailingAfterItsRedeliveriesSaysHowManyTimesItWasTried() {
        poll.onlyFirstRecord = true;
        intercomAnswers.set(0, "503");

        template.sendBodyAndHeader("direct:salesforce-poll", null, "objectType", "CONTACT");

        assertThat(intercomCalls).as("tried once, redelivered twice").hasValue(3);
        List<Map<String, Object>> rows = errors.list("SALESFORCE_TO_INTERCOM", 10);
        assertThat(rows).hasSize(1);
        assertThat(errors.find((Long) rows.get(0).get("id")).orElseThrow().error().details()).endsWith("Tried 3 times.");
    }

    /** A record's row says how many times its write was tried, not how many times the steps before it were. */
    @Test
    void aRecordRefusedAfterRedeliveredStepsSaysItWasTriedOnce() {
        poll.onlyFirstRecord = true;
        failuresPerCall = 2;
        poll.failuresPerPairing = 2;
        recordSteps.failuresPerPatch = 2;
        intercomAnswers.set(0, "400");

        template.sendBodyAndHeader("direct:salesforce-poll", null, "objectType", "CONTACT");

        assertThat(intercomCalls).as("not tried again").hasValue(1);
        List<Map<String, Object>> rows = errors.list("SALESFORCE_TO_INTERCOM", 10);
        assertThat(rows).hasSize(1);
        assertThat(errors.find((Long) rows.get(0).get("id")).orElseThrow().error().details()).endsWith("Tried 1 time.");
    }

    private MockEndpoint mock(String endpoint) {
        return RouteTests.mock(template.getCamelContext(), endpoint);
    }

    /**
     * Salesforce's answer to a poll's Composite call: each query's pages of 2 records of {@link #changed},
     * next pages by explicit url or by reference, 400 PROCESSING_HALTED for a reference past the last page.
     */
    private String answer(String request) throws IOException {
        Map<String, JsonNode> bodies = new HashMap<>();
        ArrayNode results = JSON.createArrayNode();
        for (JsonNode sub : JSON.readTree(request).path("compositeRequest")) {
            String referenceId = sub.path("referenceId").asText();
            String url = sub.path("url").asText();
            ObjectNode result = results.addObject();
            result.put("referenceId", referenceId);
            Matcher reference = REFERENCE.matcher(url);
            if (reference.matches()) {
                JsonNode earlier = bodies.get(reference.group(1));
                if (earlier == null || !earlier.has("nextRecordsUrl")) {
                    result.put("httpStatusCode", 400);
                    result.putArray("body").addObject().put("errorCode", "PROCESSING_HALTED")
                            .put("message", "Invalid reference specified.");
                    continue;
                }
                url = earlier.get("nextRecordsUrl").asText();
            }
            Matcher query = QUERY.matcher(url);
            Matcher more = MORE.matcher(url);
            String type = query.matches() ? query.group(1) : more.matches() ? more.group(1) : null;
            int offset = more.matches() ? Integer.parseInt(more.group(2)) : 0;
            int total = changed.getOrDefault(type, 0);
            int end = Math.min(total, offset + 2);
            ObjectNode page = result.putObject("body");
            page.put("totalSize", total).put("done", end >= total);
            if (end < total) {
                page.put("nextRecordsUrl", "/services/data/v60.0/query/" + type + "-" + end);
            }
            ArrayNode records = page.putArray("records");
            for (int i = offset; i < end; i++) {
                records.addObject().put("Id", "sf-" + type + "-" + i).put("Phone", String.format("+33 1 00 00 00 %02d", i))
                        .put("Intercom_Id__c", "ic-" + type + "-" + i);
            }
            result.put("httpStatusCode", 200);
            bodies.put(referenceId, page);
        }
        ObjectNode answer = JSON.createObjectNode();
        answer.set("compositeResponse", results);
        return answer.toString();
    }

    /** The poll's Java steps (SalesforceToIntercom) reduced to what the flow needs around the real PollCycle. */
    public static final class PollSteps {
        final List<String> steps = new CopyOnWriteArrayList<>();
        volatile boolean onlyFirstRecord;
        volatile String failingType;
        /** How many times each page's pairing (its Intercom look-up) fails (503) before it is answered. */
        volatile int failuresPerPairing;
        private final Map<String, AtomicInteger> failedPairings = new ConcurrentHashMap<>();
        /** How many times each page's watermark fails to move (a deadlock) before it does. */
        volatile int failuresPerWatermark;
        private final Map<String, AtomicInteger> failedWatermarks = new ConcurrentHashMap<>();

        public PollCycle cycle(String objectType) {
            Map<ObjectType, String> queries = new LinkedHashMap<>();
            for (ObjectType type : objectType == null ? List.of(ObjectType.CONTACT, ObjectType.LEAD) : List.of(ObjectType.valueOf(objectType))) {
                queries.put(type, "SELECT Id, Phone FROM " + type.name());
            }
            return new PollCycle("60.0", Instant.now(), queries);
        }

        public String nextRequest(PollCycle cycle) {
            return cycle.nextRequest();
        }

        public List<PollCycle.Page> pages(PollCycle cycle, String answer) {
            return cycle.read(answer);
        }

        public boolean inTurn(PollCycle cycle, PollCycle.Page page) {
            return cycle.inTurn(page);
        }

        public boolean wholePage(String objectType) {
            return true;
        }

        public List<RecordPair> pairs(String objectType, String queryPage) throws IOException {
            if (objectType.equals(failingType)) {
                throw new IllegalArgumentException("the page's records cannot be paired");
            }
            if (failedPairings.computeIfAbsent(queryPage, page -> new AtomicInteger()).getAndIncrement() < failuresPerPairing) {
                throw new IntercomApiException(503, "service_unavailable", "Service Unavailable", null);
            }
            List<RecordPair> pairs = new ArrayList<>();
            for (JsonNode record : JSON.readTree(queryPage).path("records")) {
                pairs.add(new RecordPair(ObjectType.valueOf(objectType), record.path("Id").asText(),
                        record.path("Intercom_Id__c").asText(), Map.of("Phone", record.path("Phone").asText()), Map.of(), null));
            }
            return onlyFirstRecord ? pairs.subList(0, 1) : pairs;
        }

        public List<RecordPair> records(String objectType, String queryPage) throws IOException {
            return pairs(objectType, queryPage);
        }

        public List<RecordPair> pairOf(RecordPair record) {
            return List.of(record);
        }

        /** Here: notes the page's last record, the watermark's new place. */
        public void advanceWatermark(PollCycle cycle, PollCycle.Page page) throws IOException, SQLException {
            if (failedWatermarks.computeIfAbsent(page.json(), p -> new AtomicInteger()).getAndIncrement() < failuresPerWatermark) {
                throw new SQLException("deadlock detected", "40P01");
            }
            JsonNode records = JSON.readTree(page.json()).path("records");
            steps.add("watermark " + records.path(records.size() - 1).path("Id").asText());
            cycle.handled(page);
        }

        public void pollCompleted(PollCycle cycle) {
            cycle.completed().forEach(type -> steps.add("completed " + type.name()));
        }
    }

    /** One record's Java steps (RecordSync): the patch is the Salesforce phone, written with the real client. */
    public static final class RecordSteps {
        volatile IntercomClient intercom;
        /** How many times each record's patch fails (a deadlock storing its conversion problems) before it is computed. */
        volatile int failuresPerPatch;
        final AtomicInteger patches = new AtomicInteger();
        private final Map<String, AtomicInteger> failedPatches = new ConcurrentHashMap<>();

        public Map<String, Object> intercomPatch(RecordPair pair) throws SQLException {
            patches.incrementAndGet();
            if (failedPatches.computeIfAbsent(pair.salesforceId(), id -> new AtomicInteger()).getAndIncrement() < failuresPerPatch) {
                throw new SQLException("deadlock detected", "40P01");
            }
            return Map.of("phone", pair.salesforceValues().get("Phone"));
        }

        public void writeIntercom(RecordPair pair, Map<String, Object> patch) {
            intercom.update(pair.intercomId(), patch);
        }
    }

    /** The quota policy of the triggers, always allowing event sync. */
    public static final class AllowingQuotaPolicy extends RoutePolicySupport {
        public boolean eventSyncAllowedNow() {
            return true;
        }
    }
}

package io.github.crmsync.eventsync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crmsync.errors.CircuitBreakers;
import io.github.crmsync.errors.Redelivery;
import io.github.crmsync.errors.SyncErrorStore;
import io.github.crmsync.errors.SyncFailures;
import io.github.crmsync.intercom.IntercomAnswers;
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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Salesforce -> Intercom flow of routes/salesforce-to-intercom.camel.yaml (the salesforce-changes-poll
 * template's triggers, salesforce-poll, sync-record-to-intercom) with the call templates and the
 * sync-errors configuration, as the service loads them. The Quartz triggers are replaced by direct:
 * endpoints, salesforce: and https: endpoints are mocked and skipped; the poll's Java steps are small
 * stand-ins (the flow is under test, not the mapping), the Intercom client and the sync-error store
 * are the real ones (embedded PostgreSQL).
 */
@CamelMainTest(propertyPlaceholderLocations = RouteTests.PROPERTIES, mockEndpointsAndSkip = "(salesforce|https):.*",
        replaceRouteFromWith = {"salesforce-contacts-poll=direct:contacts-poll-trigger",
                "salesforce-leads-poll=direct:leads-poll-trigger"})
class SalesforceToIntercomRoutesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PAGE = """
            {"totalSize":2,"done":true,"records":[
              {"attributes":{"type":"Contact"},"Id":"0035g00000AbCdEAAA","Phone":"+33 1 23 45 67 89","Intercom_Id__c":"6571a0c2e4b0"},
              {"attributes":{"type":"Contact"},"Id":"0035g00000AbCdFAAA","Phone":"+33 1 98 76 54 32","Intercom_Id__c":"6571a0c2e4b1"}]}""";

    private final SyncErrorStore errors = new SyncErrorStore(RouteTestDatabase.emptied());
    private final PollSteps poll = new PollSteps();
    private final RecordSteps recordSteps = new RecordSteps();
    /** Intercom's answers to the contact updates, in turn; the last one repeats. */
    private final List<String> intercomAnswers = new CopyOnWriteArrayList<>(List.of("200"));
    private final AtomicInteger intercomCalls = new AtomicInteger();

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
        mock("salesforce:composite").whenAnyExchangeReceived(exchange -> exchange.getMessage().setBody(PAGE));
        mock("https:api.intercom.io/contacts").whenAnyExchangeReceived(exchange -> {
            int call = intercomCalls.getAndIncrement();
            String status = intercomAnswers.get(Math.min(call, intercomAnswers.size() - 1));
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
    void eachTriggerPollsItsObjectTypeAndWritesEveryChangedRecordToIntercom() {
        template.sendBody("direct:contacts-poll-trigger", null);

        MockEndpoint query = mock("salesforce:composite");
        assertThat(query.getReceivedCounter()).isEqualTo(1);
        assertThat(query.getReceivedExchanges().get(0).getMessage().getBody()).isEqualTo("SELECT Id, Phone FROM CONTACT");
        assertThat(query.getReceivedExchanges().get(0).getProperty("salesforceCallOf")).isEqualTo("salesforce-poll");
        assertThat(mock("https:api.intercom.io/contacts").getReceivedExchanges())
                .extracting(exchange -> exchange.getMessage().getHeader(Exchange.HTTP_PATH) + " " + exchange.getMessage().getBody(String.class))
                .containsExactlyInAnyOrder("/6571a0c2e4b0 {\"phone\":\"+33 1 23 45 67 89\"}", "/6571a0c2e4b1 {\"phone\":\"+33 1 98 76 54 32\"}");
        assertThat(poll.steps).containsExactly("watermark CONTACT", "completed CONTACT");

        template.sendBody("direct:leads-poll-trigger", null);
        assertThat(query.getReceivedExchanges().get(1).getMessage().getBody()).isEqualTo("SELECT Id, Phone FROM LEAD");
        assertThat(poll.steps).endsWith("watermark LEAD", "completed LEAD");
    }

    @Test
    void aTransientIntercomFailureIsRedeliveredAndThenSucceeds() {
        poll.onlyFirstRecord = true;
        intercomAnswers.clear();
        intercomAnswers.addAll(List.of("503", "503", "200"));

        template.sendBody("direct:contacts-poll-trigger", null);

        assertThat(intercomCalls).as("tried once, redelivered twice").hasValue(3);
        assertThat(errors.list("SALESFORCE_TO_INTERCOM", 10)).isEmpty();
        assertThat(poll.steps).containsExactly("watermark CONTACT", "completed CONTACT");
    }

    @Test
    void aPermanentRefusalBecomesOneSyncErrorRowInIntercomsWords() {
        poll.onlyFirstRecord = true;
        intercomAnswers.set(0, "400");

        template.sendBody("direct:contacts-poll-trigger", null);

        assertThat(intercomCalls).as("not tried again").hasValue(1);
        List<Map<String, Object>> rows = errors.list("SALESFORCE_TO_INTERCOM", 10);
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0)).containsEntry("salesforceId", "0035g00000AbCdEAAA")
                .containsEntry("intercomId", "6571a0c2e4b0")
                .containsEntry("errorCode", "parameter_invalid")
                .containsEntry("message", "Intercom answered 400 parameter_invalid: Phone number is invalid")
                .containsEntry("attempts", 1);
        // the record's failure is its own: the page is done and the watermark moves on
        assertThat(poll.steps).containsExactly("watermark CONTACT", "completed CONTACT");
    }

    private MockEndpoint mock(String endpoint) {
        return RouteTests.mock(template.getCamelContext(), endpoint);
    }

    /** The poll's Java steps (SalesforceToIntercom) reduced to what the flow needs: query, page, watermark. */
    public static final class PollSteps {
        final List<String> steps = new CopyOnWriteArrayList<>();
        volatile boolean onlyFirstRecord;

        public Instant pollStart() {
            return Instant.now();
        }

        public String changedRecordsQuery(String objectType) {
            return "SELECT Id, Phone FROM " + objectType;
        }

        public boolean wholePage(String objectType) {
            return true;
        }

        public List<RecordPair> pairs(String objectType, String queryPage) throws IOException {
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

        public void advanceWatermark(String objectType, String queryPage) {
            steps.add("watermark " + objectType);
        }

        /** The poll's Composite call, here its query alone (answered by one page). */
        public String firstPagesRequest(String soql) {
            return soql;
        }

        public List<String> pages(String answer) {
            return List.of(answer);
        }

        public String page(List<String> pages, int index) {
            return pages.get(index);
        }

        public String nextPagesRequest(List<String> pages) {
            return null;
        }

        public void pollCompleted(String objectType, Instant startedAt) {
            steps.add("completed " + objectType);
        }
    }

    /** One record's Java steps (RecordSync): the patch is the Salesforce phone, written with the real client. */
    public static final class RecordSteps {
        volatile IntercomClient intercom;

        public Map<String, Object> intercomPatch(RecordPair pair) {
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

package io.github.crmsync.errors;

import io.github.crmsync.quota.SalesforceApiUsage;
import io.github.crmsync.quota.SalesforceCallCounter;
import io.github.crmsync.testing.RouteTestDatabase;
import io.github.crmsync.testing.RouteTests;
import io.github.crmsync.testing.SyncErrorHandlingRouteTest;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Produce;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.Route;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.component.salesforce.api.SalesforceException;
import org.apache.camel.component.salesforce.api.dto.RestError;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.apache.camel.test.main.junit5.Configure;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The salesforce-call template (routes/salesforce-api.camel.yaml) under the sync-errors configuration
 * (routes/error-handling.camel.yaml), as the service loads them, in a Camel Main of their own: every
 * salesforce: endpoint is mocked and skipped (the mock answers or fails as told), the rest is real.
 * The flows that send the calls are the test flows of route-tests/poll-page.camel.yaml.
 */
@CamelMainTest(propertyPlaceholderLocations = RouteTests.PROPERTIES, mockEndpointsAndSkip = "salesforce:*")
class SalesforceCallRoutesTest extends SyncErrorHandlingRouteTest {

    /** The poll's operation: a query and its next pages in one Composite call. */
    private static final String POLL = "composite";
    private final List<String> failedPages = new CopyOnWriteArrayList<>();
    private final AtomicInteger failuresToGo = new AtomicInteger();
    private volatile Exception failure;
    private final Instant startedAt = Instant.now();
    private final SalesforceApiUsage usage = new SalesforceApiUsage(RouteTestDatabase.emptied(), Clock.systemUTC());


    {
        syncFailures.on(FailedWork.PAGE, exchange -> failedPages.add(exchange.getProperty("syncPage", String.class)));
    }

    @Produce
    private ProducerTemplate template;

    @Configure
    protected void configure(MainConfigurationProperties main) {
        main.withRoutesIncludePattern(RouteTests.routes("error-handling", "salesforce-api", "test:poll-page"));
    }

    @BeforeEach
    void countCallsAndAnswerEveryCall() throws Exception {
        // the service's counter, added as QuotaConfiguration adds it
        CamelContext context = template.getCamelContext();
        SalesforceCallCounter counter = new SalesforceCallCounter(usage);
        context.addService(counter);
        context.getManagementStrategy().addEventNotifier(counter);
        context.getCamelContextExtension().setEventNotificationApplicable(true);
        failWith(null, 0);
    }

    @Test
    void everySalesforceOperationTheServiceUsesHasItsCallRoute() {
        CamelContext context = template.getCamelContext();
        assertThat(context.getRoutes().stream().filter(FailedWork::isCallRoute).map(Route::getRouteId))
                .containsExactlyInAnyOrder("salesforce-poll-query", "write-intercom-batch-update", "salesforce-lookup-composite",
                        "salesforce-lookup", "salesforce-lookup-more", "salesforce-describe", "salesforce-update-records",
                        "inbox-salesforce-query", "salesforce-limits-at-start-read", "salesforce-limits-poll-read",
                        "bulk-salesforce-query", "bulk-salesforce-query-more", "bulk-salesforce-create-query-job",
                        "bulk-salesforce-get-query-job", "bulk-salesforce-query-results", "bulk-salesforce-create-ingest-job",
                        "bulk-salesforce-upload", "bulk-salesforce-close-job", "bulk-salesforce-get-ingest-job",
                        "bulk-salesforce-failed-results", "bulk-salesforce-update");
        assertThat(context.getRoutes()).allSatisfy(route -> assertThat(route.getConfigurationId())
                .as(route.getRouteId()).isEqualTo("sync-errors"));
        // step ids carry the call route's id, as JMX shows them
        assertThat(context.getProcessor("salesforce-poll-query.call-through-breaker")).isNotNull();
        assertThat(context.getProcessor("bulk-salesforce-query.call")).isNotNull();
    }

    @Test
    void noOtherRouteFileCallsSalesforce() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            assertThat(files.filter(file -> !file.endsWith("salesforce-api.camel.yaml")))
                    .isNotEmpty()
                    .allSatisfy(file -> assertThat(Files.readString(file)).as(file.toString())
                            .doesNotContainPattern("uri:\\s*\"?salesforce:"));
        }
    }

    @Test
    void aCallCountsInTheRouteItNames() throws Exception {
        MockEndpoint query = salesforce("query");
        query.expectedBodiesReceived("SELECT Id FROM Contact");
        query.expectedPropertyReceived("salesforceCallOf", "salesforce-lookup");
        MockEndpoint poll = salesforce(POLL);
        poll.expectedBodiesReceived("SELECT Id FROM Lead");
        poll.expectedPropertyReceived("salesforceCallOf", "salesforce-poll");

        assertThat(template.requestBody("direct:salesforce-query", "SELECT Id FROM Contact", String.class)).isEqualTo("answer");
        assertThat(template.requestBody("direct:poll-page", "SELECT Id FROM Lead", String.class)).isEqualTo("page written");

        query.assertIsSatisfied();
        poll.assertIsSatisfied();
        assertThat(usage.ownCallsByRoute(startedAt)).containsExactlyInAnyOrderEntriesOf(
                Map.of("salesforce-lookup", 1L, "salesforce-poll", 1L));
    }

    @Test
    void aTransientFailureIsRedeliveredAndThenSucceeds() {
        failWith(transientFailure(), 2);

        assertThat(template.requestBody("direct:poll-page", "SELECT Id FROM Contact", String.class)).isEqualTo("page written");

        assertThat(salesforce(POLL).getReceivedCounter()).as("tried once, redelivered twice").isEqualTo(3);
        assertThat(failedPages).isEmpty();
        assertThat(usage.ownCallsByRoute(startedAt)).containsExactlyEntriesOf(Map.of("salesforce-poll", 3L));
    }

    /**
     * camel-salesforce's raw Composite call hands an HTTP error back as the answer (its error array
     * as the body, the status in a header): the template fails the call with Salesforce's error, and
     * the sender's redelivery sends the same request again, not the error (through the breaker and
     * without it).
     */
    @Test
    void anErrorAnswerHandedBackAsTheBodyFailsTheCallAndTheRedeliveryResendsTheRequest() {
        List<Object> sent = new CopyOnWriteArrayList<>();
        AtomicInteger errorAnswers = new AtomicInteger(1);
        salesforce(POLL).whenAnyExchangeReceived(exchange -> {
            sent.add(exchange.getMessage().getBody());
            if (errorAnswers.getAndDecrement() > 0) {
                exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, "503");
                exchange.getMessage().setBody("[{\"message\":\"Server too busy\",\"errorCode\":\"SERVER_UNAVAILABLE\"}]");
            } else {
                exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, "200");
                exchange.getMessage().setBody("answer");
            }
        });

        assertThat(template.requestBody("direct:poll-page", "SELECT Id FROM Contact", String.class)).isEqualTo("page written");
        assertThat(sent).containsExactly("SELECT Id FROM Contact", "SELECT Id FROM Contact");
        assertThat(failedPages).isEmpty();

        sent.clear();
        errorAnswers.set(1);
        assertThat(template.requestBody("direct:update-records-step", "{\"compositeRequest\":[]}", String.class))
                .isEqualTo("records updated");
        assertThat(sent).containsExactly("{\"compositeRequest\":[]}", "{\"compositeRequest\":[]}");
    }

    @Test
    void anErrorAnswerAlwaysHandedBackIsTheCallsFailureWithSalesforcesStatusAndCode() {
        salesforce(POLL).whenAnyExchangeReceived(exchange -> {
            exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, "400");
            exchange.getMessage().setBody("[{\"message\":\"unexpected token\",\"errorCode\":\"MALFORMED_QUERY\"}]");
        });

        Exchange answer = template.request("direct:salesforce-poll-query", exchange -> exchange.getMessage().setBody("SELECT"));

        assertThat(salesforce(POLL).getReceivedCounter()).as("permanent: not retried").isEqualTo(1);
        assertThat(rootCause(answer.getException())).isInstanceOfSatisfying(SalesforceException.class, e -> {
            assertThat(e.getStatusCode()).isEqualTo(400);
            assertThat(e.getErrors().get(0).getErrorCode()).isEqualTo("MALFORMED_QUERY");
        });
    }

    @Test
    void aCallAsStepIsRetriedAndRecordedByTheRouteThatSentIt() {
        failWith(transientFailure(), Integer.MAX_VALUE);

        Exchange answer = template.request("direct:poll-page", exchange -> { });

        // tried once and redelivered twice by salesforce-poll, then counted as a failed page there: handled
        assertThat(salesforce(POLL).getReceivedCounter()).isEqualTo(3);
        assertThat(failedPages).containsExactly("CONTACT");
        assertThat(answer.getException()).isNull();
        assertThat(answer.getMessage().getBody()).isNotEqualTo("page written");
    }

    @Test
    void aPermanentFailureIsNotRetried() {
        failWith(new SalesforceException(List.of(new RestError("MALFORMED_QUERY", "unexpected token")), 400), Integer.MAX_VALUE);

        template.request("direct:poll-page", exchange -> { });

        assertThat(salesforce(POLL).getReceivedCounter()).isEqualTo(1);
        assertThat(failedPages).containsExactly("CONTACT");
    }

    @Test
    void aBulkReadRetriesOnItsOwnAndHandsWhatStillFailsBack() {
        failWith(transientFailure(), 2);
        assertThat(template.requestBody("direct:bulk-salesforce-query", "SELECT Id FROM Contact", String.class)).isEqualTo("answer");
        assertThat(salesforce("query").getReceivedCounter()).isEqualTo(3);

        salesforce("query").reset();
        failWith(transientFailure(), Integer.MAX_VALUE);
        Exchange answer = template.request("direct:bulk-salesforce-query", exchange -> exchange.getMessage().setBody("SELECT Id FROM Lead"));
        assertThat(salesforce("query").getReceivedCounter()).isEqualTo(3);
        assertThat(answer.getException()).isInstanceOf(SalesforceException.class);
        assertThat(failedPages).isEmpty();
    }

    @Test
    void aCallSentFromJavaAsAStepIsTriedOnceAndFailsToItsSender() {
        failWith(transientFailure(), Integer.MAX_VALUE);

        // the look-up's sender is a bean step of a sync route: that step is what is retried
        Exchange answer = template.request("direct:salesforce-query", exchange -> exchange.getMessage().setBody("SELECT Id FROM Lead"));

        assertThat(salesforce("query").getReceivedCounter()).isEqualTo(1);
        assertThat(answer.getException()).hasRootCauseInstanceOf(SalesforceException.class);
    }

    @Test
    void aTemplateMadeFlowThatIsNoCallRouteHandlesItsFailureAsTheFlows() {
        failWith(transientFailure(), Integer.MAX_VALUE);

        Exchange answer = template.request("direct:templated-poll-page", exchange -> { });

        // the flow's own handling: redelivered, then recorded as its failed page; nothing handed back
        assertThat(salesforce(POLL).getReceivedCounter()).isEqualTo(3);
        assertThat(failedPages).containsExactly("LEAD");
        assertThat(answer.getException()).isNull();
    }

    @Test
    void failuresOpenTheBreakerWhichThenRefusesCallsWithoutSendingThem() {
        failWith(transientFailure(), Integer.MAX_VALUE);
        for (int i = 0; i < 10; i++) {
            Exchange answer = template.request("direct:salesforce-query", exchange -> exchange.getMessage().setBody("SELECT Id FROM Lead"));
            assertThat(rootCause(answer.getException())).isInstanceOf(SalesforceException.class);
        }
        assertThat(salesforceBreaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);

        Exchange refused = template.request("direct:salesforce-query", exchange -> exchange.getMessage().setBody("SELECT Id FROM Lead"));

        assertThat(refused.getException()).isInstanceOf(CallNotPermittedException.class);
        assertThat(salesforce("query").getReceivedCounter()).as("nothing sent while the breaker is open").isEqualTo(10);
        assertThat(usage.ownCallsByRoute(startedAt)).as("only calls sent are counted")
                .containsExactlyEntriesOf(Map.of("salesforce-lookup", 10L));
        // a call route without the breaker still goes out
        assertThat(rootCause(template.request("direct:salesforce-limits-poll-read", exchange -> { }).getException()))
                .isInstanceOf(SalesforceException.class);
        assertThat(salesforce("limits").getReceivedCounter()).isEqualTo(1);
    }

    private MockEndpoint salesforce(String operation) {
        return RouteTests.mock(template.getCamelContext(), "salesforce:" + operation);
    }

    /** Every Salesforce operation answers "answer", or fails while told to. */
    private void failWith(Exception failure, int times) {
        this.failure = failure;
        failuresToGo.set(times);
        for (String operation : List.of("query", POLL, "limits")) {
            salesforce(operation).whenAnyExchangeReceived(exchange -> {
                if (failuresToGo.getAndDecrement() > 0) {
                    exchange.setException(this.failure);
                } else {
                    exchange.getMessage().setBody("answer");
                }
            });
        }
    }

    private static Throwable rootCause(Throwable failure) {
        Throwable root = failure;
        while (root != null && root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    private static SalesforceException transientFailure() {
        return new SalesforceException(List.of(new RestError("SERVER_UNAVAILABLE", "Server too busy")), 503);
    }
}

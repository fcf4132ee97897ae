package io.github.crmsync.errors;

import org.apache.camel.CamelContext;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.Route;
import org.apache.camel.component.salesforce.api.SalesforceException;
import org.apache.camel.component.salesforce.api.dto.RestError;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.errorhandler.DefaultErrorHandlerDefinition;
import org.apache.camel.model.errorhandler.NoErrorHandlerDefinition;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Salesforce call routes of routes/salesforce-api.camel.yaml under the sync-errors configuration
 * of routes/error-handling.camel.yaml, in a bare Camel context (seconds, no service): Salesforce is a
 * stand-in component that records each call and fails as told.
 */
class SalesforceCallRoutesTest {

    /** One call the stand-in Salesforce received: its operation and the route it counts in. */
    record Call(String operation, String countsAs) {
    }

    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final AtomicInteger failuresToGo = new AtomicInteger();
    private volatile Exception failure;
    private final List<String> failedPages = new CopyOnWriteArrayList<>();
    private CamelContext context;
    private ProducerTemplate template;

    @BeforeEach
    void start() throws Exception {
        context = new DefaultCamelContext();
        Properties properties = new Properties();
        properties.put("crmsync.retry.initial-delay-ms", "1");
        properties.put("crmsync.retry.max-delay-ms", "1");
        context.getPropertiesComponent().setInitialProperties(properties);
        context.addComponent("salesforce", new StandInSalesforce());
        context.getRegistry().bind("redelivery", new Redelivery(2));
        context.getRegistry().bind("syncFailures", new SyncFailures(null)
                .on(FailedWork.PAGE, exchange -> failedPages.add(exchange.getProperty("syncPage", String.class))));
        context.getRegistry().bind("salesforceCircuitBreaker", new CircuitBreakers(Duration.ofSeconds(30)).salesforce());
        context.getRegistry().bind("salesforceCallAsStep", new NoErrorHandlerDefinition());
        context.getRegistry().bind("salesforceCallWithRetries", new DefaultErrorHandlerDefinition());
        for (String file : List.of("error-handling", "salesforce-api")) {
            PluginHelper.getRoutesLoader(context).loadRoutes(
                    ResourceHelper.resolveResource(context, "file:routes/" + file + ".camel.yaml"));
        }
        // a page of the Salesforce poll, as salesforce-poll sends its query (YAML: the service's
        // start-up would pick up a RouteBuilder class of the test sources)
        PluginHelper.getRoutesLoader(context).loadRoutes(ResourceHelper.fromString("poll-page.camel.yaml", """
                - route:
                    id: salesforce-poll
                    routeConfigurationId: sync-errors
                    from:
                      uri: direct:poll-page
                      steps:
                        - setProperty: { name: syncPage, constant: CONTACT }
                        - to: direct:salesforce-poll-query
                        - setBody: { constant: page written }
                """));
        context.start();
        template = context.createProducerTemplate();
    }

    @AfterEach
    void stop() {
        context.stop();
    }

    @Test
    void everySalesforceOperationTheServiceUsesHasItsCallRoute() {
        assertThat(context.getRoutes().stream().filter(Route::isCreatedByRouteTemplate).map(Route::getRouteId))
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
    void aCallCountsInTheRouteItNames() {
        assertThat(template.requestBody("direct:salesforce-query", "SELECT Id FROM Contact", String.class)).isEqualTo("answer");
        assertThat(template.requestBody("direct:poll-page", null, String.class)).isEqualTo("page written");

        assertThat(calls).containsExactly(new Call("query", "salesforce-lookup"), new Call("composite", "salesforce-poll"));
    }

    @Test
    void aCallAsStepIsRetriedAndRecordedByTheRouteThatSentIt() {
        failWith(transientFailure(), Integer.MAX_VALUE);

        Exchange answer = template.request("direct:poll-page", exchange -> { });

        // tried once and redelivered twice by salesforce-poll, then counted as a failed page there: handled
        assertThat(calls).hasSize(3);
        assertThat(failedPages).containsExactly("CONTACT");
        assertThat(answer.getException()).isNull();
        assertThat(answer.getMessage().getBody()).isNotEqualTo("page written");
    }

    @Test
    void aPermanentFailureIsNotRetried() {
        failWith(new SalesforceException(List.of(new RestError("MALFORMED_QUERY", "unexpected token")), 400), Integer.MAX_VALUE);

        template.request("direct:poll-page", exchange -> { });

        assertThat(calls).hasSize(1);
        assertThat(failedPages).containsExactly("CONTACT");
    }

    @Test
    void aBulkReadRetriesOnItsOwnAndHandsWhatStillFailsBack() {
        failWith(transientFailure(), 2);
        assertThat(template.requestBody("direct:bulk-salesforce-query", "SELECT Id FROM Contact", String.class)).isEqualTo("answer");
        assertThat(calls).hasSize(3);

        calls.clear();
        failWith(transientFailure(), Integer.MAX_VALUE);
        Exchange answer = template.request("direct:bulk-salesforce-query", exchange -> exchange.getMessage().setBody("SELECT Id FROM Lead"));
        assertThat(calls).hasSize(3);
        assertThat(answer.getException()).isInstanceOf(SalesforceException.class);
    }

    @Test
    void aCallSentFromJavaAsAStepIsTriedOnceAndFailsToItsSender() {
        failWith(transientFailure(), Integer.MAX_VALUE);

        // the look-up's sender is a bean step of a sync route: that step is what is retried
        Exchange answer = template.request("direct:salesforce-query", exchange -> exchange.getMessage().setBody("SELECT Id FROM Lead"));

        assertThat(calls).hasSize(1);
        assertThat(answer.getException()).hasRootCauseInstanceOf(SalesforceException.class);
    }

    private void failWith(Exception failure, int times) {
        this.failure = failure;
        failuresToGo.set(times);
    }

    private static SalesforceException transientFailure() {
        return new SalesforceException(List.of(new RestError("SERVER_UNAVAILABLE", "Server too busy")), 503);
    }

    /** Answers "answer" to every operation, or fails while told to. */
    private final class StandInSalesforce extends DefaultComponent {
        @Override
        protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
            parameters.clear(); // rawPayload, allOrNone: the real component's options
            return new DefaultEndpoint(uri, this) {
                @Override
                public Producer createProducer() {
                    return new DefaultProducer(this) {
                        @Override
                        public void process(Exchange exchange) throws Exception {
                            calls.add(new Call(remaining, exchange.getProperty("salesforceCallOf", String.class)));
                            if (failuresToGo.getAndDecrement() > 0) {
                                throw failure;
                            }
                            exchange.getMessage().setBody("answer");
                        }
                    };
                }

                @Override
                public Consumer createConsumer(Processor processor) {
                    throw new UnsupportedOperationException();
                }
            };
        }
    }
}

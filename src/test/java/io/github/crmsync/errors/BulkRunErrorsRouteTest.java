package io.github.crmsync.errors;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
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

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The bulk run's routes of routes/bulk-sync.camel.yaml under the one sync-errors configuration, in a
 * bare Camel context with a stand-in run (what it was asked to do is its log) and a stand-in
 * Salesforce that refuses the Collections call of batch "b2".
 */
class BulkRunErrorsRouteTest {

    private static final Set<String> RUN_ROUTES = Set.of("bulk-sync-run", "bulk-stage-salesforce", "bulk-batch-boundary",
            "bulk-diff-then-write-salesforce", "bulk-write-salesforce");

    private final StandInRun run = new StandInRun();
    private final List<String> collectionsCalls = new CopyOnWriteArrayList<>();
    private CamelContext context;

    /** The bulkSync bean as the routes call it; each call is a line of its log. */
    public static final class StandInRun {
        final List<String> log = new CopyOnWriteArrayList<>();
        volatile String failStep = "";
        volatile boolean ingest;
        /** The batch after whose results a stop is asked for. */
        volatile String stopAfter = "";
        volatile boolean stopped;
        /** How many more times the API tier holds the run back. */
        final AtomicInteger heldBackLooks = new AtomicInteger();
        final AtomicInteger diffBatches = new AtomicInteger();

        public void begin(long runId) {
            log.add("begin " + runId);
        }

        public void countSalesforce(long runId) {
            log.add("count");
        }

        public List<String> salesforceObjects(long runId) {
            return List.of("LEAD", "CONTACT");
        }

        public void stageSalesforce(long runId, String object) {
            step("stageSalesforce " + object);
        }

        public boolean goesOn(long runId) {
            return !stopped;
        }

        public boolean heldBack(long runId) {
            return !stopped && heldBackLooks.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
        }

        public void waitingForCapacity(long runId, boolean waits) {
            log.add(waits ? "waiting" : "resumed");
        }

        public long capacityCheckMillis() {
            return 1;
        }

        public void stageIntercom(long runId) {
            step("stageIntercom");
        }

        public void match(long runId) {
            step("diff");
        }

        /** Two batches of pairs, unless stopped. */
        public boolean diffGoesOn(long runId) {
            return !stopped && diffBatches.get() < 2;
        }

        public void diffBatch(long runId) {
            log.add("diff batch " + diffBatches.incrementAndGet());
        }

        public void diffEnded(long runId) {
            log.add("diff ended");
        }

        public boolean useIngestJob(long runId) {
            return ingest;
        }

        public void ingestSalesforce(long runId, String object) {
            step("ingest " + object);
        }

        public Iterator<String> salesforceBatches(long runId) {
            return List.of("b1", "b2", "b3").iterator();
        }

        public List<String> records(String batch) {
            return List.of(batch);
        }

        public void salesforceResults(long runId, String batch, Object results) {
            log.add("results " + batch);
            if (batch.equals(stopAfter)) {
                stopped = true;
            }
        }

        public void finish(long runId) {
            log.add("finish");
        }

        void fail(Exchange exchange) {
            log.add("FAILED " + exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class).getMessage());
        }

        void batchFailed(Exchange exchange) {
            log.add("BULK rows for " + exchange.getProperty("bulkBatch"));
        }

        private void step(String name) {
            log.add(name);
            if (name.equals(failStep)) {
                throw new IllegalStateException(name + " failed: Salesforce call bulk-salesforce-query failed");
            }
        }
    }

    @BeforeEach
    void start() throws Exception {
        context = new DefaultCamelContext();
        Properties properties = new Properties();
        properties.put("crmsync.retry.initial-delay-ms", "1");
        properties.put("crmsync.retry.max-delay-ms", "1");
        context.getPropertiesComponent().setInitialProperties(properties);
        context.addComponent("salesforce", new DefaultComponent() {
            @Override
            protected org.apache.camel.Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
                parameters.clear();
                return new DefaultEndpoint(uri, this) {
                    @Override
                    public org.apache.camel.Producer createProducer() {
                        return new DefaultProducer(this) {
                            @Override
                            public void process(Exchange exchange) throws Exception {
                                String batch = String.valueOf(exchange.getMessage().getBody(List.class).get(0));
                                collectionsCalls.add(batch);
                                if (batch.equals("b2")) {
                                    throw new SalesforceException(List.of(new RestError("SERVER_UNAVAILABLE", "Server too busy")), 503);
                                }
                                exchange.getMessage().setBody(List.of());
                            }
                        };
                    }

                    @Override
                    public org.apache.camel.Consumer createConsumer(org.apache.camel.Processor processor) {
                        throw new UnsupportedOperationException();
                    }
                };
            }
        });
        context.getRegistry().bind("bulkSync", run);
        context.getRegistry().bind("bulkSalesforceStagers", context.getExecutorServiceManager()
                .newFixedThreadPool(this, "bulk-stage-salesforce", 2));
        context.getRegistry().bind("redelivery", new Redelivery(2));
        context.getRegistry().bind("syncFailures", new SyncFailures(null)
                .on(FailedWork.BULK_BATCH, run::batchFailed)
                .on(FailedWork.BULK_RUN, run::fail));
        context.getRegistry().bind("salesforceCircuitBreaker", new CircuitBreakers(Duration.ofSeconds(30)).salesforce());
        context.getRegistry().bind("salesforceCallAsStep", new NoErrorHandlerDefinition());
        context.getRegistry().bind("salesforceCallWithRetries", new DefaultErrorHandlerDefinition());
        for (String file : List.of("error-handling", "salesforce-api")) {
            PluginHelper.getRoutesLoader(context).loadRoutes(
                    ResourceHelper.resolveResource(context, "file:routes/" + file + ".camel.yaml"));
        }
        // the run's own routes, without the HTTP API and mail routes of the same file
        String runRoutes = Arrays.stream(Files.readString(Path.of("routes/bulk-sync.camel.yaml")).split("\n(?=- route:)"))
                .filter(block -> RUN_ROUTES.stream().anyMatch(id -> block.contains("\n    id: " + id + "\n")))
                .collect(Collectors.joining("\n"));
        PluginHelper.getRoutesLoader(context).loadRoutes(ResourceHelper.fromString("bulk-run.camel.yaml", runRoutes + """

                - route:
                    id: bulk-write-intercom
                    from:
                      uri: direct:bulk-write-intercom
                      steps:
                        - log: Intercom side
                """));
        context.start();
    }

    @AfterEach
    void stop() {
        context.stop();
    }

    @Test
    void aFailedCollectionsBatchBecomesBulkRowsAndTheRunGoesOn() {
        context.createProducerTemplate().sendBody("seda:bulk-sync-runs", 7L);

        await().atMost(Duration.ofSeconds(30)).until(() -> run.log.contains("finish"));
        // batch b2 tried once and redelivered twice, then its records are BULK rows; b3 still written
        assertThat(collectionsCalls).containsExactly("b1", "b2", "b2", "b2", "b3");
        assertThat(run.log).containsSubsequence("begin 7", "diff", "diff batch 1", "diff batch 2", "diff ended", "results b1",
                        "BULK rows for b2", "results b3", "finish")
                .noneMatch(line -> line.startsWith("FAILED"));
    }

    @Test
    void aStepOfTheRunThatFailsEndsItFailedWithTheReasonAndIsNotRetried() {
        run.failStep = "stageSalesforce CONTACT";
        context.createProducerTemplate().sendBody("seda:bulk-sync-runs", 7L);

        await().atMost(Duration.ofSeconds(30)).until(() -> run.log.stream().anyMatch(line -> line.startsWith("FAILED")));
        assertThat(run.log).filteredOn("stageSalesforce CONTACT"::equals).hasSize(1);
        assertThat(run.log).contains("stageSalesforce LEAD", "FAILED stageSalesforce CONTACT failed: Salesforce call bulk-salesforce-query failed")
                .doesNotContain("diff", "finish");
    }

    @Test
    void aFailedIngestJobEndsTheRunFailedRatherThanCompleted() {
        run.ingest = true;
        run.failStep = "ingest LEAD";
        context.createProducerTemplate().sendBody("seda:bulk-sync-runs", 7L);

        await().atMost(Duration.ofSeconds(30)).until(() -> run.log.stream().anyMatch(line -> line.startsWith("FAILED") || line.equals("finish")));
        assertThat(run.log).contains("FAILED ingest LEAD failed: Salesforce call bulk-salesforce-query failed")
                .doesNotContain("finish", "ingest CONTACT");
        assertThat(run.log).filteredOn("ingest LEAD"::equals).hasSize(1);
    }

    @Test
    void aStopTakesEffectAtTheNextBatchBoundaryAndTheRunStillFinishes() {
        run.stopAfter = "b1";
        context.createProducerTemplate().sendBody("seda:bulk-sync-runs", 7L);

        await().atMost(Duration.ofSeconds(30)).until(() -> run.log.contains("finish"));
        assertThat(collectionsCalls).as("no batch taken after the stop").containsExactly("b1");
        assertThat(run.log).containsSubsequence("results b1", "finish").doesNotContain("results b2", "results b3");
    }

    @Test
    void whileTheApiTierHoldsTheRunBackItWaitsAtTheBatchBoundaryThenGoesOn() {
        run.heldBackLooks.set(3);
        context.createProducerTemplate().sendBody("seda:bulk-sync-runs", 7L);

        await().atMost(Duration.ofSeconds(30)).until(() -> run.log.contains("finish"));
        assertThat(run.heldBackLooks).hasValue(0);
        // held back before staging: nothing staged while it waits
        assertThat(run.log).containsSubsequence("begin 7", "waiting", "resumed", "count", "stageSalesforce LEAD", "diff",
                "results b1", "finish");
        assertThat(collectionsCalls).containsExactly("b1", "b2", "b2", "b2", "b3");
    }
}

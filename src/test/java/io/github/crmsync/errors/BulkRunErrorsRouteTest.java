package io.github.crmsync.errors;

import io.github.crmsync.intercom.IntercomApiException;
import io.github.crmsync.mapping.SchemaCache;
import io.github.crmsync.testing.RouteTests;
import io.github.crmsync.testing.SyncErrorHandlingRouteTest;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Produce;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.component.salesforce.api.SalesforceException;
import org.apache.camel.component.salesforce.api.dto.RestError;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.apache.camel.test.main.junit5.Configure;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The bulk run's routes (routes/bulk-sync.camel.yaml) under the one sync-errors configuration, with
 * the salesforce-call template, as the service loads them: a stand-in run (what it was asked to do
 * is its log), the staging and the Intercom side skipped (their mocks log what they were sent), and
 * a mocked Salesforce that refuses the Collections call of batch "b2"; and a preview, which writes nothing.
 */
@CamelMainTest(propertyPlaceholderLocations = RouteTests.PROPERTIES,
        mockEndpointsAndSkip = "(salesforce|smtp):.*|direct:bulk-stage-salesforce-object|direct:bulk-stage-intercom|direct:bulk-write-intercom",
        replaceRouteFromWith = "bulk-sync-lease-check=direct:bulk-sync-lease-check")
class BulkRunErrorsRouteTest extends SyncErrorHandlingRouteTest {

    private final StandInRun run = new StandInRun();
    private final List<String> collectionsCalls = new CopyOnWriteArrayList<>();
    /** How many times a batch's Collections call fails (Server too busy) before it is answered; b2's always fail. */
    private final Map<String, AtomicInteger> callFailures = new ConcurrentHashMap<>(Map.of("b2", new AtomicInteger(Integer.MAX_VALUE)));

    @BindToRegistry("bulkSync")
    private final StandInRun bulkSync = run;
    @BindToRegistry("bulkSalesforce")
    private final StandInRun bulkSalesforce = run;
    /** The live schemas' reads: the first {@code schemaReadFailures} fail with {@code schemaReadFailure}. */
    private final AtomicInteger schemaReads = new AtomicInteger();
    private final AtomicInteger schemaReadFailures = new AtomicInteger();
    private volatile RuntimeException schemaReadFailure;
    /** The run's route reads the schemas first; the stand-in run converts nothing with them. */
    @BindToRegistry("schemaCache")
    private final SchemaCache schemaCache = new SchemaCache(() -> {
        schemaReads.incrementAndGet();
        if (schemaReadFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw schemaReadFailure;
        }
        return null;
    }, Duration.ofMinutes(10), Clock.systemUTC());

    {
        syncFailures.on(FailedWork.BULK_BATCH, run::batchFailed).on(FailedWork.BULK_RUN, run::fail);
    }

    @Produce
    private ProducerTemplate template;

    /** The bulkSync bean as the routes call it; each call is a line of its log. */
    public static final class StandInRun {
        final List<String> log = new CopyOnWriteArrayList<>();
        volatile String failStep = "";
        volatile boolean ingest;
        volatile boolean preview;
        /** The batch after whose results a stop is asked for. */
        volatile String stopAfter = "";
        volatile boolean stopped;
        /** How many more times the API tier holds the run back. */
        final AtomicInteger heldBackLooks = new AtomicInteger();
        final AtomicInteger diffBatches = new AtomicInteger();
        /** How many times a batch's results fail to be recorded (a deadlock) before they are. */
        final Map<String, AtomicInteger> resultsFailures = new ConcurrentHashMap<>();

        public void begin(long runId) {
            log.add("begin " + runId);
        }

        public void countSalesforce(long runId) {
            log.add("count");
        }

        public List<String> salesforceObjects(long runId) {
            return List.of("LEAD", "CONTACT");
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

        public boolean isPreview(long runId) {
            return preview;
        }

        public void previewEnded(long runId) {
            log.add("preview ended");
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

        public void salesforceResults(long runId, String batch, Object results) throws SQLException {
            if (resultsFailures.getOrDefault(batch, new AtomicInteger()).getAndDecrement() > 0) {
                throw new SQLException("deadlock detected", "40P01");
            }
            log.add("results " + batch);
            if (batch.equals(stopAfter)) {
                stopped = true;
            }
        }

        public void finish(long runId) {
            log.add("finish");
        }

        // the Intercom side and the lease check (skipped or not triggered here)
        public Iterator<String> intercomWrites(long runId) {
            return List.<String>of().iterator();
        }

        public void writeIntercom(long runId, String patch) {
        }

        public void interruptAbandoned(boolean startingUp) {
        }

        /** A Collections call answered, counted for the run. */
        public void countCall() {
            log.add("counted");
        }

        void fail(Exchange exchange) {
            log.add("FAILED " + exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class).getMessage());
        }

        void batchFailed(Exchange exchange) {
            log.add("BULK rows for " + exchange.getProperty("bulkBatch"));
        }

        void step(String name) {
            log.add(name);
            if (name.equals(failStep)) {
                throw new IllegalStateException(name + " failed: Salesforce call bulk-salesforce-query failed");
            }
        }
    }

    @Configure
    protected void configure(MainConfigurationProperties main) {
        main.withRoutesIncludePattern(RouteTests.routes("error-handling", "salesforce-api", "bulk-sync"));
    }

    @BindToRegistry("bulkSalesforceStagers")
    public ExecutorService stagers(CamelContext context) {
        return context.getExecutorServiceManager().newFixedThreadPool(this, "bulk-stage-salesforce", 2);
    }

    @BindToRegistry("bulkIntercomWriters")
    public ExecutorService writers(CamelContext context) {
        return context.getExecutorServiceManager().newFixedThreadPool(this, "bulk-intercom-writers", 2);
    }

    /** Collections calls answer, except batch b2's (Server too busy); staging logs what it was asked, failing as told. */
    @BeforeEach
    void answerAsTold() {
        mock("salesforce:compositeUpdateSObjectCollections").whenAnyExchangeReceived(exchange -> {
            String batch = String.valueOf(exchange.getMessage().getBody(List.class).get(0));
            collectionsCalls.add(batch);
            if (callFailures.getOrDefault(batch, new AtomicInteger()).getAndDecrement() > 0) {
                throw new SalesforceException(List.of(new RestError("SERVER_UNAVAILABLE", "Server too busy")), 503);
            }
            exchange.getMessage().setBody(List.of());
        });
        mock("direct:bulk-stage-salesforce-object").whenAnyExchangeReceived(
                exchange -> run.step("stageSalesforce " + exchange.getMessage().getBody(String.class)));
        mock("direct:bulk-stage-intercom").whenAnyExchangeReceived(exchange -> run.step("stageIntercom"));
    }

    private MockEndpoint mock(String endpoint) {
        return RouteTests.mock(template.getCamelContext(), endpoint);
    }

    /** Sends the run and waits until it has ended: finished, or failed. */
    private void runToItsEnd() {
        template.sendBody("seda:bulk-sync-runs", 7L);
        await().atMost(Duration.ofSeconds(60)).until(() -> run.log.stream().anyMatch(line -> line.equals("finish")
                || line.startsWith("FAILED")));
    }

    @Test
    void aFailedCollectionsBatchBecomesBulkRowsAndTheRunGoesOn() {
        runToItsEnd();
        // batch b2 tried once and redelivered twice, then its records are BULK rows; b3 still written
        assertThat(collectionsCalls).containsExactly("b1", "b2", "b2", "b2", "b3");
        assertThat(run.log).containsSubsequence("begin 7", "diff", "diff batch 1", "diff batch 2", "diff ended", "results b1",
                        "BULK rows for b2", "results b3", "finish")
                .noneMatch(line -> line.startsWith("FAILED"));
        assertThat(run.log).as("the Collections calls answered, counted for the run").filteredOn("counted"::equals).hasSize(2);
    }

    /** Each step of a batch has its own redeliveries (2 here), however many its Collections call needed. */
    @Test
    void aBatchsResultsHaveTheirOwnRedeliveriesAfterItsCallWasRedelivered() {
        callFailures.put("b1", new AtomicInteger(2));
        run.resultsFailures.put("b1", new AtomicInteger(2));
        runToItsEnd();
        assertThat(collectionsCalls).containsExactly("b1", "b1", "b1", "b2", "b2", "b2", "b3");
        assertThat(run.log).containsSubsequence("results b1", "BULK rows for b2", "results b3", "finish")
                .doesNotContain("BULK rows for b1");
    }

    @Test
    void aPreviewStagesAndDiffsAsARunDoesAndReachesNoWriter() {
        run.preview = true;
        runToItsEnd();
        assertThat(run.log).containsSubsequence("begin 7", "diff", "diff batch 1", "diff batch 2", "preview ended", "finish")
                .doesNotContain("diff ended").noneMatch(line -> line.startsWith("FAILED"));
        assertThat(run.log).contains("stageSalesforce LEAD", "stageSalesforce CONTACT", "stageIntercom");
        assertThat(collectionsCalls).as("no Collections call").isEmpty();
        assertThat(mock("direct:bulk-write-intercom").getReceivedCounter()).as("the Intercom writers not started").isZero();
    }

    @Test
    void aStepOfTheRunThatFailsEndsItFailedWithTheReasonAndIsNotRetried() {
        run.failStep = "stageSalesforce CONTACT";
        runToItsEnd();
        assertThat(run.log).filteredOn("stageSalesforce CONTACT"::equals).hasSize(1);
        assertThat(run.log).contains("stageSalesforce LEAD", "FAILED stageSalesforce CONTACT failed: Salesforce call bulk-salesforce-query failed")
                .doesNotContain("diff", "finish");
    }

    @Test
    void aTransientFailureOfTheSchemaReadIsRedeliveredAndTheRunGoesOn() {
        schemaReadFailure = new IntercomApiException(503, "service_unavailable", "Service Unavailable", "{}");
        schemaReadFailures.set(2);
        runToItsEnd();
        assertThat(schemaReads).as("the schema read tried three times").hasValue(3);
        assertThat(run.log).containsSubsequence("begin 7", "count", "diff", "results b3", "finish")
                .noneMatch(line -> line.startsWith("FAILED"));
    }

    @Test
    void aRefusedSchemaReadEndsTheRunFailedBeforeItStages() {
        schemaReadFailure = new IntercomApiException(401, "unauthorized", "Access Token Invalid", "{}");
        schemaReadFailures.set(1);
        runToItsEnd();
        assertThat(schemaReads).as("a refusal is not tried again").hasValue(1);
        assertThat(run.log).contains("FAILED Intercom answered 401 unauthorized: Access Token Invalid")
                .doesNotContain("count", "finish");
        assertThat(collectionsCalls).isEmpty();
    }

    @Test
    void aFailedIngestJobEndsTheRunFailedRatherThanCompleted() {
        run.ingest = true;
        run.failStep = "ingest LEAD";
        runToItsEnd();
        assertThat(run.log).contains("FAILED ingest LEAD failed: Salesforce call bulk-salesforce-query failed")
                .doesNotContain("finish", "ingest CONTACT");
        assertThat(run.log).filteredOn("ingest LEAD"::equals).hasSize(1);
    }

    @Test
    void aStopTakesEffectAtTheNextBatchBoundaryAndTheRunStillFinishes() {
        run.stopAfter = "b1";
        runToItsEnd();
        assertThat(collectionsCalls).as("no batch taken after the stop").containsExactly("b1");
        assertThat(run.log).containsSubsequence("results b1", "finish").doesNotContain("results b2", "results b3");
    }

    @Test
    void whileTheApiTierHoldsTheRunBackItWaitsAtTheBatchBoundaryThenGoesOn() {
        run.heldBackLooks.set(3);
        runToItsEnd();
        assertThat(run.heldBackLooks).hasValue(0);
        // held back before staging: nothing staged while it waits
        assertThat(run.log).containsSubsequence("begin 7", "waiting", "resumed", "count", "stageSalesforce LEAD", "diff",
                "results b1", "finish");
        assertThat(collectionsCalls).containsExactly("b1", "b2", "b2", "b2", "b3");
    }
}

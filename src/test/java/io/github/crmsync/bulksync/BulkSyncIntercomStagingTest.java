package io.github.crmsync.bulksync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.crmsync.errors.Redelivery;
import io.github.crmsync.errors.SyncFailures;
import io.github.crmsync.intercom.IntercomApiException;
import io.github.crmsync.mapping.MappingSet;
import io.github.crmsync.mapping.ObjectType;
import io.github.crmsync.mapping.SandboxMappings;
import io.github.crmsync.sandbox.intercom.IntercomSimulator;
import io.github.crmsync.sandbox.intercom.IntercomSimulatorSettings;
import io.github.crmsync.sandbox.seed.SeedData;
import io.github.crmsync.testing.RouteTestDatabase;
import io.github.crmsync.testing.RouteTests;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Produce;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.apache.camel.test.main.junit5.Configure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Intercom staging routes (routes/bulk-staging.camel.yaml) with the real staging (BulkStaging,
 * the embedded PostgreSQL) against the Intercom simulator, whose search compares dates by day as
 * Intercom's does: the search slices read at once stage exactly what the listing stages (every
 * contact once, the same values), also when most slices are halved; and a stop takes effect at the
 * next page's batch boundary. The run around the staging is a stand-in (its stop flag and mappings).
 */
@CamelMainTest(propertyPlaceholderLocations = RouteTests.PROPERTIES, mockEndpointsAndSkip = "direct:bulk-batch-boundary")
class BulkSyncIntercomStagingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static IntercomSimulator intercom;

    private final DataSource dataSource = RouteTestDatabase.emptied();
    private final AtomicInteger requests = new AtomicInteger();
    /** How many times each page's read fails (503) before the next read of it is answered. */
    private volatile int failuresPerPage;
    private final Map<IntercomPages.Request, AtomicInteger> failed = new ConcurrentHashMap<>();
    private volatile BulkStaging staging;

    @BindToRegistry("bulkSync")
    private final StandInRun run = new StandInRun(() -> staging);
    @BindToRegistry("bulkIntercomReads")
    private final IntercomPages reads = request -> {
        requests.incrementAndGet();
        if (failed.computeIfAbsent(request, r -> new AtomicInteger()).getAndIncrement() < failuresPerPage) {
            throw new IntercomApiException(503, "service_unavailable", "Service Unavailable", null);
        }
        return read(request);
    };
    @BindToRegistry("bulkIntercomSlicesFound")
    private final SlicesFound slicesFound = new SlicesFound();
    @BindToRegistry("redelivery")
    private final Redelivery redelivery = new Redelivery(2);
    @BindToRegistry("syncFailures")
    private final SyncFailures syncFailures = new SyncFailures(null);

    @Produce
    private ProducerTemplate template;

    /** What the staging routes ask the run: its stop flag, its Intercom staging (readers and slice size as the test sets). */
    public static final class StandInRun {
        private final java.util.function.Supplier<BulkStaging> staging;
        volatile int readers = 1;
        volatile long sliceContacts = 1_500;
        /** The pages staged after which the run is stopped (0: never). */
        volatile int stopAfterPages;
        final AtomicInteger pagesStaged = new AtomicInteger();
        final AtomicLong toRead = new AtomicLong(-1);
        final AtomicLong read = new AtomicLong();

        StandInRun(java.util.function.Supplier<BulkStaging> staging) {
            this.staging = staging;
        }

        public boolean goesOn(long runId) {
            return stopAfterPages == 0 || pagesStaged.get() < stopAfterPages;
        }

        public boolean pagesGoOn(long runId, StagePages pages) {
            return pages.more() && goesOn(runId);
        }

        public BulkStaging.IntercomStaging intercomStaging(long runId) throws Exception {
            MappingSet mappings = SandboxMappings.defaults();
            toRead.set(-1);
            read.set(0);
            return staging.get().intercomStaging(runId, mappings, readers, sliceContacts, toRead, read);
        }

        public boolean intercomListingNeeded(long runId, BulkStaging.IntercomStaging intercom) {
            return intercom.searchMissedContacts(goesOn(runId));
        }

        public void intercomStaged(long runId, BulkStaging.IntercomStaging intercom) throws Exception {
            intercom.finish();
        }

        // the Salesforce side's routes are loaded too
        public BulkStaging.SalesforcePages salesforcePages(long runId, ObjectType type) {
            throw new UnsupportedOperationException();
        }

        public void salesforceStaged(long runId, BulkStaging.SalesforcePages pages) {
            throw new UnsupportedOperationException();
        }
    }

    @BeforeAll
    static void startIntercom() throws IOException {
        intercom = new IntercomSimulator(IntercomSimulatorSettings.defaults().withPort(0), new SeedData(SeedData.DEFAULT_SEED, 1500));
        intercom.start();
    }

    @AfterAll
    static void stopIntercom() {
        intercom.close();
    }

    @Configure
    protected void configure(MainConfigurationProperties main) {
        main.withRoutesIncludePattern(RouteTests.routes("error-handling", "bulk-staging"));
    }

    /** The real staging, its COPY thread from the context's thread-pool manager. */
    @BindToRegistry("bulkStaging")
    public BulkStaging bulkStaging(CamelContext context) {
        staging = new BulkStaging(dataSource, null, context.getExecutorServiceManager(), 2_000, 10_000);
        return staging;
    }

    @BindToRegistry("bulkIntercomReaders")
    public ExecutorService readers(CamelContext context) {
        return context.getExecutorServiceManager().newFixedThreadPool(this, "bulk-stage-intercom-search", 4);
    }

    @BeforeEach
    void emptyStaging() {
        staging.clear();
        failuresPerPage = 0;
        failed.clear();
    }

    @Test
    void theSlicesTogetherStageEveryContactOfTheListingExactlyOnce() throws Exception {
        stage(1);
        Map<String, String> listed = staged(1);
        int listingRequests = requests.getAndSet(0);

        run.readers = 4;
        run.sliceContacts = 20; // small slices: most are halved, down to single days, before they are read
        stage(2);
        Map<String, String> searched = staged(2);

        assertThat(listed).hasSizeGreaterThan(1000);
        assertThat(listingRequests).as("the listing's pages of 150").isEqualTo((int) Math.ceil(run.toRead.get() / 150.0));
        assertThat(searched).isEqualTo(listed);
        assertThat(requests.get()).as("search pages rather than the listing's %d", listingRequests).isGreaterThan(30);
    }

    /**
     * Every read has its own redeliveries (2 here): a page read again after transient failures does
     * not use up those of the pages read after it on the same exchange (the listing's loop, the slices
     * split off the staging), however many pages failed as often as that.
     */
    @Test
    void eachPageReadHasItsOwnRedeliveries() throws Exception {
        stage(1);
        Map<String, String> withoutFailures = staged(1);
        failuresPerPage = 2;

        Exchange byListing = stage(2);
        run.readers = 4;
        run.sliceContacts = 200;
        Exchange bySearch = stage(3);

        assertThat(failed.values().stream().filter(reads -> reads.get() == 3).count()).as("pages read 3 times").isGreaterThan(10);
        assertThat(staged(2)).as("by the listing").isEqualTo(withoutFailures);
        assertThat(staged(3)).as("by search slices").isEqualTo(withoutFailures);
        for (Exchange staging : List.of(byListing, bySearch)) {
            assertThat(staging.getMessage().getHeader(Exchange.REDELIVERY_COUNTER)).as("redeliveries left to the run's later steps").isNull();
        }
    }

    @Test
    void aPageThatStillFailsAfterItsRedeliveriesEndsTheStaging() {
        failuresPerPage = 3;

        Exchange done = template.request("direct:bulk-stage-intercom", exchange -> exchange.setProperty("bulkRunId", 1L));

        assertThat(done.getException()).isInstanceOf(IntercomApiException.class);
        assertThat(requests).as("the first page, read once and redelivered twice").hasValue(3);
    }

    @Test
    void aStopTakesEffectAtTheNextPagesBatchBoundary() throws Exception {
        run.stopAfterPages = 3;
        NotifyBuilder staged = new NotifyBuilder(template.getCamelContext()).fromRoute("bulk-stage-intercom").whenDone(1).create();

        stage(1);

        assertThat(staged.matchesWaitTime()).isTrue();
        assertThat(requests).as("no page read once the run is stopped").hasValue(3);
        assertThat(staged(1)).hasSizeLessThanOrEqualTo(3 * 150).isNotEmpty();
    }

    private Exchange stage(long runId) {
        run.pagesStaged.set(0);
        Exchange done = template.request("direct:bulk-stage-intercom", exchange -> exchange.setProperty("bulkRunId", runId));
        assertThat(done.getException()).isNull();
        return done;
    }

    private JsonNode read(IntercomPages.Request request) {
        try {
            HttpRequest.Builder http = HttpRequest.newBuilder().header("Authorization", "Bearer " + IntercomSimulatorSettings.defaults().accessToken())
                    .header("Intercom-Version", "2.14").header("Accept", "application/json");
            if (request.query() == null) {
                http.uri(URI.create(intercom.baseUrl() + "/contacts?per_page=150" + (request.cursor() == null ? ""
                        : "&starting_after=" + URLEncoder.encode(request.cursor(), StandardCharsets.UTF_8)))).GET();
            } else {
                ObjectNode body = JSON.createObjectNode();
                body.set("query", request.query());
                ObjectNode pagination = body.putObject("pagination").put("per_page", 150);
                if (request.cursor() != null) {
                    pagination.put("starting_after", request.cursor());
                }
                http.uri(URI.create(intercom.baseUrl() + "/contacts/search")).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
            }
            HttpResponse<String> answer = HttpClient.newHttpClient().send(http.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            run.pagesStaged.incrementAndGet();
            return JSON.readTree(answer.body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** intercom_id → object type, e-mail and staged contact; fails on an id staged twice. */
    private Map<String, String> staged(long runId) throws Exception {
        Map<String, String> rows = new HashMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement select = c.prepareStatement(
                "SELECT intercom_id, object_type, email_lower, contact::text FROM bulk_stage_intercom WHERE run_id = ?")) {
            select.setLong(1, runId);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    String previous = rows.put(rs.getString(1), rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getString(4));
                    assertThat(previous).as("%s staged twice", rs.getString(1)).isNull();
                }
            }
        }
        return rows;
    }
}

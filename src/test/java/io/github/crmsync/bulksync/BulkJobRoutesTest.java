package io.github.crmsync.bulksync;

import io.github.crmsync.testing.RouteTests;
import io.github.crmsync.testing.SyncErrorHandlingRouteTest;
import org.apache.camel.BindToRegistry;
import org.apache.camel.Exchange;
import org.apache.camel.Produce;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.component.salesforce.api.dto.bulkv2.Job;
import org.apache.camel.component.salesforce.api.dto.bulkv2.JobStateEnum;
import org.apache.camel.component.salesforce.api.dto.bulkv2.QueryJob;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.apache.camel.test.main.junit5.Configure;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Deque;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The routes that follow a Bulk API 2.0 job to its end (routes/bulk-jobs.camel.yaml) with the
 * salesforce-call template and the sync-errors configuration, as the service loads them: every
 * salesforce: endpoint is mocked and skipped, its jobs taking a few looks to end. Each look is a call
 * of its salesforce-call route, counted for the run, after a wait that doubles; a stopped run stops
 * following its query job, not its ingest job.
 */
@CamelMainTest(propertyPlaceholderLocations = RouteTests.PROPERTIES, mockEndpointsAndSkip = "salesforce:*")
class BulkJobRoutesTest extends SyncErrorHandlingRouteTest {

    private final Deque<JobStateEnum> states = new ConcurrentLinkedDeque<>();

    @BindToRegistry("bulkSync")
    private final StandInRun run = new StandInRun();
    @BindToRegistry("bulkSalesforce")
    private final StandInRun counter = run;

    @Produce
    private ProducerTemplate template;

    /** What the routes ask the bulkSync and bulkSalesforce beans; the waits it was asked about are its log. */
    public static final class StandInRun {
        final List<Long> waits = new CopyOnWriteArrayList<>();
        final AtomicInteger counted = new AtomicInteger();
        volatile boolean stopped;

        public long firstJobWait() {
            waits.add(1L);
            return 1;
        }

        public long firstIngestJobWait(long rows) {
            long first = BulkSync.ingestJobFirstWait(1, rows);
            waits.add(first);
            return first;
        }

        public long nextJobWait(long previous) {
            long next = BulkSync.doubledJobWait(previous);
            waits.add(next);
            return next;
        }

        public boolean queryJobPending(long runId, QueryJob job) {
            return !BulkSync.jobEnded(job.getState()) && !stopped;
        }

        public boolean ingestJobPending(Job job) {
            return !BulkSync.jobEnded(job.getState());
        }

        public void countCall() {
            counted.incrementAndGet();
        }
    }

    @Configure
    protected void configure(MainConfigurationProperties main) {
        main.withRoutesIncludePattern(RouteTests.routes("error-handling", "salesforce-api", "bulk-jobs"));
    }

    @BeforeEach
    void jobsEndAfterTheStatesQueued() {
        salesforce("bulk2GetQueryJob").whenAnyExchangeReceived(exchange -> {
            QueryJob job = new QueryJob();
            job.setId(exchange.getMessage().getHeader("jobId", String.class));
            job.setState(nextState());
            exchange.getMessage().setBody(job);
        });
        salesforce("bulk2GetJob").whenAnyExchangeReceived(exchange -> {
            Job job = new Job();
            job.setId(exchange.getMessage().getHeader("jobId", String.class));
            job.setState(nextState());
            exchange.getMessage().setBody(job);
        });
    }

    @Test
    void aQueryJobIsLookedAtLessAndLessOftenUntilItEnds() throws InterruptedException {
        states.addAll(List.of(JobStateEnum.IN_PROGRESS, JobStateEnum.IN_PROGRESS, JobStateEnum.IN_PROGRESS,
                JobStateEnum.JOB_COMPLETE));
        MockEndpoint looks = salesforce("bulk2GetQueryJob");
        looks.expectedMessageCount(4);
        looks.expectedHeaderValuesReceivedInAnyOrder("jobId", "750Q", "750Q", "750Q", "750Q");
        QueryJob created = new QueryJob();
        created.setId("750Q");
        created.setState(JobStateEnum.UPLOAD_COMPLETE);

        QueryJob ended = await("direct:bulk-await-query-job", created, QueryJob.class);

        assertThat(ended.getState()).isEqualTo(JobStateEnum.JOB_COMPLETE);
        looks.assertIsSatisfied();
        assertThat(run.counted).as("each look counted for the run").hasValue(4);
        assertThat(run.waits).as("the waits before the looks, doubling").startsWith(1L, 2L, 4L, 8L);
    }

    @Test
    void aStoppedRunNoLongerFollowsItsQueryJobButFollowsItsIngestJobToTheEnd() throws InterruptedException {
        run.stopped = true;
        QueryJob query = new QueryJob();
        query.setId("750Q");
        query.setState(JobStateEnum.UPLOAD_COMPLETE);
        assertThat(await("direct:bulk-await-query-job", query, QueryJob.class).getState()).isEqualTo(JobStateEnum.UPLOAD_COMPLETE);
        assertThat(salesforce("bulk2GetQueryJob").getReceivedCounter()).isZero();

        states.addAll(List.of(JobStateEnum.IN_PROGRESS, JobStateEnum.FAILED));
        MockEndpoint looks = salesforce("bulk2GetJob");
        looks.expectedHeaderValuesReceivedInAnyOrder("jobId", "750I", "750I");
        Job ingest = new Job();
        ingest.setId("750I");
        ingest.setState(JobStateEnum.UPLOAD_COMPLETE);
        run.waits.clear();
        assertThat(await("direct:bulk-await-ingest-job", ingest, Job.class).getState()).isEqualTo(JobStateEnum.FAILED);
        looks.assertIsSatisfied();
        assertThat(run.waits).as("a job of 40 records: its first look after 40 ms, then doubling").startsWith(40L, 80L);
    }

    private JobStateEnum nextState() {
        JobStateEnum state = states.poll();
        return state == null ? JobStateEnum.JOB_COMPLETE : state;
    }

    private MockEndpoint salesforce(String operation) {
        return RouteTests.mock(template.getCamelContext(), "salesforce:" + operation);
    }

    private <T> T await(String uri, T job, Class<T> type) {
        Exchange answer = template.request(uri, e -> {
            e.setProperty("bulkJobOfRun", 7L);
            e.setProperty("bulkJobRows", 40L);
            e.getMessage().setBody(job);
        });
        assertThat(answer.getException()).isNull();
        return answer.getMessage().getBody(type);
    }
}

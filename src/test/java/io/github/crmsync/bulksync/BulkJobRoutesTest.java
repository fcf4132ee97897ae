package io.github.crmsync.bulksync;

import io.github.crmsync.errors.CircuitBreakers;
import io.github.crmsync.errors.Redelivery;
import io.github.crmsync.errors.SyncFailures;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.salesforce.api.dto.bulkv2.Job;
import org.apache.camel.component.salesforce.api.dto.bulkv2.JobStateEnum;
import org.apache.camel.component.salesforce.api.dto.bulkv2.QueryJob;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The routes that follow a Bulk API 2.0 job to its end (routes/bulk-sync.camel.yaml), in a bare
 * Camel context with a stand-in Salesforce whose jobs take a few looks to end: each look is a call
 * of its salesforce-call route, counted for the run, after a wait that doubles; a stopped run stops
 * following its query job, not its ingest job.
 */
class BulkJobRoutesTest {

    private static final Set<String> JOB_ROUTES = Set.of("bulk-await-query-job", "bulk-await-ingest-job");

    private final Deque<JobStateEnum> states = new ConcurrentLinkedDeque<>();
    private final List<String> looks = new CopyOnWriteArrayList<>();
    private final StandInRun run = new StandInRun();
    private CamelContext context;

    /** What the routes ask the bulkSync and bulkSalesforce beans; the waits it was asked about are its log. */
    public static final class StandInRun {
        final List<Long> waits = new CopyOnWriteArrayList<>();
        final AtomicInteger counted = new AtomicInteger();
        volatile boolean stopped;

        public long firstJobWait() {
            waits.add(1L);
            return 1;
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
                            public void process(Exchange exchange) {
                                String jobId = exchange.getMessage().getHeader("jobId", String.class);
                                looks.add(remaining + " " + jobId);
                                JobStateEnum state = states.isEmpty() ? JobStateEnum.JOB_COMPLETE : states.poll();
                                if (remaining.equals("bulk2GetQueryJob")) {
                                    QueryJob job = new QueryJob();
                                    job.setId(jobId);
                                    job.setState(state);
                                    exchange.getMessage().setBody(job);
                                } else {
                                    Job job = new Job();
                                    job.setId(jobId);
                                    job.setState(state);
                                    exchange.getMessage().setBody(job);
                                }
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
        context.getRegistry().bind("bulkSalesforce", run);
        context.getRegistry().bind("redelivery", new Redelivery(2));
        context.getRegistry().bind("syncFailures", new SyncFailures(null));
        context.getRegistry().bind("salesforceCircuitBreaker", new CircuitBreakers(Duration.ofSeconds(30)).salesforce());
        context.getRegistry().bind("salesforceCallAsStep", new NoErrorHandlerDefinition());
        context.getRegistry().bind("salesforceCallWithRetries", new DefaultErrorHandlerDefinition());
        for (String file : List.of("error-handling", "salesforce-api")) {
            PluginHelper.getRoutesLoader(context).loadRoutes(
                    ResourceHelper.resolveResource(context, "file:routes/" + file + ".camel.yaml"));
        }
        String jobRoutes = Arrays.stream(Files.readString(Path.of("routes/bulk-sync.camel.yaml")).split("\n(?=- route:)"))
                .filter(block -> JOB_ROUTES.stream().anyMatch(id -> block.contains("\n    id: " + id + "\n")))
                .collect(Collectors.joining("\n"));
        PluginHelper.getRoutesLoader(context).loadRoutes(ResourceHelper.fromString("bulk-jobs.camel.yaml", jobRoutes));
        context.start();
    }

    @AfterEach
    void stop() {
        context.stop();
    }

    @Test
    void aQueryJobIsLookedAtLessAndLessOftenUntilItEnds() {
        states.addAll(List.of(JobStateEnum.IN_PROGRESS, JobStateEnum.IN_PROGRESS, JobStateEnum.IN_PROGRESS,
                JobStateEnum.JOB_COMPLETE));
        QueryJob created = new QueryJob();
        created.setId("750Q");
        created.setState(JobStateEnum.UPLOAD_COMPLETE);

        QueryJob ended = await("direct:bulk-await-query-job", created, QueryJob.class);

        assertThat(ended.getState()).isEqualTo(JobStateEnum.JOB_COMPLETE);
        assertThat(looks).as("one salesforce-call per look").containsExactly("bulk2GetQueryJob 750Q", "bulk2GetQueryJob 750Q",
                "bulk2GetQueryJob 750Q", "bulk2GetQueryJob 750Q");
        assertThat(run.counted).as("each look counted for the run").hasValue(4);
        assertThat(run.waits).as("the waits before the looks, doubling").startsWith(1L, 2L, 4L, 8L);
    }

    @Test
    void aStoppedRunNoLongerFollowsItsQueryJobButFollowsItsIngestJobToTheEnd() {
        run.stopped = true;
        QueryJob query = new QueryJob();
        query.setId("750Q");
        query.setState(JobStateEnum.UPLOAD_COMPLETE);
        assertThat(await("direct:bulk-await-query-job", query, QueryJob.class).getState()).isEqualTo(JobStateEnum.UPLOAD_COMPLETE);
        assertThat(looks).isEmpty();

        states.addAll(List.of(JobStateEnum.IN_PROGRESS, JobStateEnum.FAILED));
        Job ingest = new Job();
        ingest.setId("750I");
        ingest.setState(JobStateEnum.UPLOAD_COMPLETE);
        assertThat(await("direct:bulk-await-ingest-job", ingest, Job.class).getState()).isEqualTo(JobStateEnum.FAILED);
        assertThat(new ArrayList<>(looks)).containsExactly("bulk2GetJob 750I", "bulk2GetJob 750I");
    }

    private <T> T await(String uri, T job, Class<T> type) {
        Exchange answer = context.createProducerTemplate().request(uri, e -> {
            e.setProperty("bulkJobOfRun", 7L);
            e.getMessage().setBody(job);
        });
        assertThat(answer.getException()).isNull();
        return answer.getMessage().getBody(type);
    }
}

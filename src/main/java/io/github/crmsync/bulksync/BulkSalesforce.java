package io.github.crmsync.bulksync;

import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.salesforce.api.dto.bulkv2.ContentTypeEnum;
import org.apache.camel.component.salesforce.api.dto.bulkv2.Job;
import org.apache.camel.component.salesforce.api.dto.bulkv2.LineEndingEnum;
import org.apache.camel.component.salesforce.api.dto.bulkv2.OperationEnum;
import org.apache.camel.component.salesforce.api.dto.bulkv2.QueryJob;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The Salesforce calls of a bulk run, each sent to its call route in {@code salesforce-api.camel.yaml}
 * (counted there under its bulk route id; the reads retry transient failures there), and counted for
 * the run's summary.
 */
public final class BulkSalesforce {

    /** A page of Bulk API 2.0 query results: the CSV stream and the locator of the next page ("null" at the end). */
    public record ResultsPage(InputStream csv, String nextLocator) {
    }

    private final ProducerTemplate template;
    private volatile AtomicLong calls = new AtomicLong();

    public BulkSalesforce(ProducerTemplate template) {
        this.template = template;
    }

    /** Where this run's calls are counted. */
    public void countInto(AtomicLong counter) {
        calls = counter;
    }

    public void countCall() {
        calls.incrementAndGet();
    }

    /** A SOQL query page as JSON. */
    public String query(String soql) {
        return call("direct:bulk-salesforce-query", soql, Map.of(), String.class);
    }

    public String queryMore(String nextRecordsUrl) {
        return call("direct:bulk-salesforce-query-more", nextRecordsUrl, Map.of(), String.class);
    }

    public QueryJob createQueryJob(String soql) {
        QueryJob job = new QueryJob();
        job.setOperation(OperationEnum.QUERY);
        job.setQuery(soql);
        return call("direct:bulk-salesforce-create-query-job", job, Map.of(), QueryJob.class);
    }

    /**
     * Waits for the query job to end (route bulk-await-query-job: it looks at the job less and less
     * often) or for the run to be stopped; the job as last seen.
     */
    public QueryJob awaitQueryJob(long runId, QueryJob job) {
        return await("direct:bulk-await-query-job", runId, job, QueryJob.class);
    }

    /**
     * One page of at most {@code maxRecords} results; read {@code csv} before the next call. The
     * component holds a whole answer in memory (up to its httpMaxContentLength, set to 32 MB in
     * application.properties), so pages are kept to a size that fits.
     */
    public ResultsPage queryResults(String jobId, String locator, int maxRecords) {
        Map<String, Object> headers = new java.util.HashMap<>(Map.of("jobId", jobId, "maxRecords", maxRecords));
        if (locator != null) {
            headers.put("locator", locator);
        }
        Exchange answer = send("direct:bulk-salesforce-query-results", null, headers);
        return new ResultsPage(answer.getMessage().getBody(InputStream.class),
                answer.getMessage().getHeader("Sforce-Locator", "null", String.class));
    }

    /** Creates an update job for the object, uploads the CSV file, closes the job; the job as closed. */
    public Job ingest(String sObject, Path csv) throws java.io.IOException {
        Job job = new Job();
        job.setObject(sObject);
        job.setOperation(OperationEnum.UPDATE);
        job.setContentType(ContentTypeEnum.CSV);
        job.setLineEnding(LineEndingEnum.LF);
        String jobId = call("direct:bulk-salesforce-create-ingest-job", job, Map.of(), Job.class).getId();
        try (InputStream in = Files.newInputStream(csv)) {
            call("direct:bulk-salesforce-upload", in, Map.of("jobId", jobId), Object.class);
        }
        return call("direct:bulk-salesforce-close-job", null, Map.of("jobId", jobId), Job.class);
    }

    /** Waits for the ingest job of {@code rows} records to end (route bulk-await-ingest-job); the job as last seen. */
    public Job awaitIngestJob(long runId, Job job, long rows) {
        return await("direct:bulk-await-ingest-job", runId, job, Job.class, rows);
    }

    private <T> T await(String uri, long runId, T job, Class<T> type) {
        return await(uri, runId, job, type, 0);
    }

    /** The route's looks at the job are counted by the route itself ({@link #countCall}), one each. */
    private <T> T await(String uri, long runId, T job, Class<T> type, long rows) {
        Exchange answer = template.request(uri, exchange -> {
            exchange.setProperty("bulkJobOfRun", runId);
            exchange.setProperty("bulkJobRows", rows);
            exchange.getMessage().setBody(job);
        });
        failed(uri, answer);
        return answer.getMessage().getBody(type);
    }

    /** The failed records' CSV ({@code sf__Id, sf__Error, ...}). */
    public void failedResults(String jobId, Consumer<InputStream> reader) {
        Exchange answer = send("direct:bulk-salesforce-failed-results", null, Map.of("jobId", jobId));
        reader.accept(answer.getMessage().getBody(InputStream.class));
    }

    private <T> T call(String uri, Object body, Map<String, Object> headers, Class<T> type) {
        Exchange answer = send(uri, body, headers);
        return answer.getMessage().getBody(type);
    }

    private Exchange send(String uri, Object body, Map<String, Object> headers) {
        calls.incrementAndGet();
        Exchange answer = template.request(uri, exchange -> {
            exchange.getMessage().setBody(body);
            exchange.getMessage().getHeaders().putAll(headers);
        });
        failed(uri, answer);
        return answer;
    }

    private static void failed(String uri, Exchange answer) {
        if (answer.getException() != null) {
            throw new IllegalStateException("Salesforce call " + uri.substring("direct:".length()) + " failed: "
                    + answer.getException().getMessage(), answer.getException());
        }
    }
}

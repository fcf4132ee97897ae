package io.github.crmsync.sandbox.salesforce;

import com.sun.net.httpserver.HttpExchange;
import io.github.crmsync.sandbox.salesforce.SObjectSchema.Field;
import io.github.crmsync.sandbox.seed.SalesforceIds;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bulk API 2.0 query and ingest (update) jobs. Query results are the matching row indexes (an
 * int[]) written as CSV straight to the response, a page at a time, never as one string.
 */
final class BulkJobs {

    private static final DateTimeFormatter CSV_DATETIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final int DEFAULT_MAX_RECORDS = 50_000;

    private final SalesforceRecords records;
    private final QueryEngine engine;
    private final ExecutorService worker;
    private final String userId;
    private final AtomicLong sequence = new AtomicLong(1);
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();

    static final class Job {
        final String id;
        final boolean query;
        final String operation;
        final SObjectSchema schema;
        final String soql;
        final String apiVersion;
        final String delimiter;
        final String columnDelimiter;
        final String lineEnding;
        final Instant created = Instant.now();
        volatile Instant modified = created;
        volatile String state;
        volatile String errorMessage;
        volatile Soql.Query parsed;
        volatile int[] rows;
        final StringBuilder upload = new StringBuilder();
        final List<List<String>> successful = new ArrayList<>();
        final List<List<String>> failed = new ArrayList<>();
        volatile List<String> header = List.of();
        volatile long processed;
        volatile long failedCount;

        /** Moves the job from one state to another; false when it is no longer in {@code from}. */
        synchronized boolean transition(String from, String to) {
            if (!state.equals(from)) {
                return false;
            }
            state = to;
            modified = Instant.now();
            return true;
        }

        Job(String id, boolean query, String operation, SObjectSchema schema, String soql, String apiVersion,
            String columnDelimiter, String lineEnding, String state) {
            this.id = id;
            this.query = query;
            this.operation = operation;
            this.schema = schema;
            this.soql = soql;
            this.apiVersion = apiVersion;
            this.columnDelimiter = columnDelimiter;
            this.delimiter = switch (columnDelimiter) {
                case "BACKQUOTE" -> "`";
                case "CARET" -> "^";
                case "PIPE" -> "|";
                case "SEMICOLON" -> ";";
                case "TAB" -> "\t";
                default -> ",";
            };
            this.lineEnding = lineEnding;
            this.state = state;
        }
    }

    BulkJobs(SalesforceRecords records, QueryEngine engine, ExecutorService worker, String userId) {
        this.records = records;
        this.engine = engine;
        this.worker = worker;
        this.userId = userId;
    }

    int size() {
        return jobs.size();
    }

    /** Routes {@code jobs/query...} and {@code jobs/ingest...} (segments after the version). */
    void handle(HttpExchange ex, String version, List<String> path) throws IOException {
        String method = ex.getRequestMethod();
        boolean query = path.get(1).equals("query");
        if (!query && !path.get(1).equals("ingest")) {
            throw SalesforceApiException.notFound();
        }
        if (path.size() == 2) {
            if (!method.equals("POST")) {
                throw new SalesforceApiException(405, "METHOD_NOT_ALLOWED", "HTTP Method '" + method
                        + "' not allowed. Allowed are POST");
            }
            Map<String, Object> created = query ? createQuery(version, Http.jsonObject(ex))
                    : info(createIngest(version, Http.jsonObject(ex)));
            Http.sendJson(ex, 200, created);
            return;
        }
        Job job = jobs.get(path.get(2));
        if (job == null || job.query != query) {
            throw SalesforceApiException.notFound();
        }
        if (path.size() == 3) {
            switch (method) {
                case "GET" -> Http.sendJson(ex, 200, info(job));
                case "DELETE" -> {
                    // Bulk API 2.0: a job can be deleted in UploadComplete, JobComplete, Aborted or Failed.
                    if (job.state.equals("InProgress") || job.state.equals("Open")) {
                        throw new SalesforceApiException(400, "INVALIDJOBSTATE", "Job in state " + job.state
                                + " cannot be deleted");
                    }
                    jobs.remove(job.id);
                    Http.sendEmpty(ex, 204);
                }
                case "PATCH" -> {
                    Object state = Http.jsonObject(ex).get("state");
                    Http.sendJson(ex, 200, changeState(job, String.valueOf(state)));
                }
                default -> throw new SalesforceApiException(405, "METHOD_NOT_ALLOWED", "HTTP Method '" + method
                        + "' not allowed. Allowed are GET,PATCH,DELETE");
            }
            return;
        }
        String sub = path.get(3);
        if (query && sub.equals("results") && method.equals("GET")) {
            results(ex, job);
        } else if (!query && sub.equals("batches") && method.equals("PUT")) {
            if (!job.state.equals("Open")) {
                throw new SalesforceApiException(409, "INVALIDJOBSTATE", "Job is not in Open state");
            }
            synchronized (job.upload) {
                job.upload.append(new String(Http.body(ex), StandardCharsets.UTF_8));
            }
            Http.sendEmpty(ex, 201);
        } else if (!query && method.equals("GET") && (sub.equals("successfulResults") || sub.equals("failedResults")
                || sub.equals("unprocessedrecords"))) {
            ingestResults(ex, job, sub);
        } else {
            throw SalesforceApiException.notFound();
        }
    }

    private String newId() {
        return SalesforceIds.id("750", sequence.getAndIncrement());
    }

    /** Creates and queues a query job; answers its info as created (state UploadComplete). */
    private Map<String, Object> createQuery(String version, Map<String, Object> body) {
        String operation = String.valueOf(body.getOrDefault("operation", "query"));
        if (!operation.equals("query") && !operation.equals("queryAll")) {
            throw new SalesforceApiException(400, "INVALIDJOB", "Invalid operation: " + operation);
        }
        Object soql = body.get("query");
        if (soql == null) {
            throw new SalesforceApiException(400, "INVALIDJOB", "Query is required");
        }
        Soql.Query q;
        try {
            q = Soql.parse(soql.toString());
        } catch (Soql.SoqlException e) {
            throw new SalesforceApiException(400, e.errorCode, e.getMessage());
        }
        if (q.count()) {
            throw new SalesforceApiException(400, "API_ERROR", "Aggregate Relationships not supported in Bulk Query");
        }
        Job job = new Job(newId(), true, operation, q.schema(), soql.toString(), version,
                String.valueOf(body.getOrDefault("columnDelimiter", "COMMA")),
                String.valueOf(body.getOrDefault("lineEnding", "LF")), "UploadComplete");
        job.parsed = q;
        jobs.put(job.id, job);
        Map<String, Object> created = info(job);
        worker.execute(() -> {
            if (!job.transition("UploadComplete", "InProgress")) {
                return;
            }
            try {
                int[] rows = engine.execute(q);
                job.rows = rows;
                job.processed = rows.length;
                job.transition("InProgress", "JobComplete");
            } catch (RuntimeException e) {
                job.transition("InProgress", "Failed");
            }
        });
        return created;
    }

    private Job createIngest(String version, Map<String, Object> body) {
        SObjectSchema schema = SObjectSchema.forName(String.valueOf(body.get("object")));
        if (schema == null) {
            throw new SalesforceApiException(400, "NOT_FOUND", "sObject type '" + body.get("object")
                    + "' is not supported.");
        }
        String operation = String.valueOf(body.get("operation"));
        if (!operation.equals("update")) {
            throw new SalesforceApiException(400, "INVALIDJOB", "The sandbox supports the update operation only: "
                    + operation);
        }
        Job job = new Job(newId(), false, operation, schema, null, version,
                String.valueOf(body.getOrDefault("columnDelimiter", "COMMA")),
                String.valueOf(body.getOrDefault("lineEnding", "LF")), "Open");
        jobs.put(job.id, job);
        return job;
    }

    /** Aborts a job or closes an ingest job's upload; answers the job info right after the change. */
    private Map<String, Object> changeState(Job job, String state) {
        if (state.equals("Aborted")) {
            if (!job.transition("Open", "Aborted") && !job.transition("UploadComplete", "Aborted")
                    && !job.transition("InProgress", "Aborted")) {
                throw new SalesforceApiException(400, "INVALIDJOBSTATE", "Invalid state transition from " + job.state
                        + " to " + state);
            }
            return info(job);
        } else if (state.equals("UploadComplete") && !job.query && job.transition("Open", "UploadComplete")) {
            Map<String, Object> closed = info(job);
            // the job's writes are committed as the user who closed it, as one transaction
            SalesforceRecords.Commit commit = SalesforceRecords.Commit.of(records.commitUser(), "com/salesforce/api/bulk/" + job.apiVersion);
            worker.execute(() -> {
                SalesforceRecords.Commit before = records.enter(commit);
                try {
                    process(job);
                } finally {
                    records.leave(before);
                }
            });
            return closed;
        } else {
            throw new SalesforceApiException(400, "INVALIDJOBSTATE", "Invalid state transition from " + job.state
                    + " to " + state);
        }
    }

    private void process(Job job) {
        if (!job.transition("UploadComplete", "InProgress")) {
            return;
        }
        List<List<String>> rows;
        synchronized (job.upload) {
            rows = Csv.parse(job.upload.toString(), job.delimiter.charAt(0));
        }
        if (rows.isEmpty()) {
            job.errorMessage = "InvalidBatch : Failed to parse CSV. Found no header row";
            job.transition("InProgress", "Failed");
            return;
        }
        List<String> header = rows.get(0);
        job.header = header;
        int idColumn = -1;
        for (int i = 0; i < header.size(); i++) {
            if (header.get(i).equalsIgnoreCase("Id")) {
                idColumn = i;
            }
        }
        for (int r = 1; r < rows.size(); r++) {
            List<String> row = rows.get(r);
            if (!job.state.equals("InProgress")) {
                break;
            }
            String id = idColumn >= 0 && idColumn < row.size() ? row.get(idColumn) : "";
            try {
                if (idColumn < 0 || id.isEmpty()) {
                    throw new SalesforceRecords.RecordException("MISSING_ARGUMENT", "Id not specified in an update call",
                            List.of());
                }
                int index = records.resolve(job.schema, id);
                if (index < 0) {
                    throw new SalesforceRecords.RecordException(id.length() == 15 || id.length() == 18
                            ? "INVALID_CROSS_REFERENCE_KEY" : "MALFORMED_ID",
                            id.length() == 15 || id.length() == 18 ? "invalid cross reference id"
                                    : job.schema.label + " ID: id value of incorrect type: " + id,
                            id.length() == 15 || id.length() == 18 ? List.of() : List.of("Id"));
                }
                Map<String, Object> values = new LinkedHashMap<>();
                for (int c = 0; c < header.size(); c++) {
                    values.put(header.get(c), c < row.size() ? row.get(c) : "");
                }
                Map<String, Object> converted = records.convert(job.schema, values, true);
                synchronized (job) {
                    records.apply(index, converted);
                    job.successful.add(prefixed(List.of(SalesforceRecords.id(job.schema, index), "false"), row));
                }
            } catch (SalesforceRecords.RecordException e) {
                synchronized (job) {
                    job.failed.add(prefixed(List.of(records.resolve(job.schema, id) >= 0 ? id : "", e.error.bulkText()), row));
                    job.failedCount++;
                }
            } catch (SalesforceApiException e) {
                synchronized (job) {
                    job.failed.add(prefixed(List.of(id, e.errorCode + ":" + e.getMessage() + ":--"), row));
                    job.failedCount++;
                }
            }
            job.processed++;
        }
        job.transition("InProgress", "JobComplete");
    }

    private static List<String> prefixed(List<String> head, List<String> row) {
        List<String> out = new ArrayList<>(head);
        out.addAll(row);
        return out;
    }

    private Map<String, Object> info(Job job) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", job.id);
        m.put("operation", job.operation);
        m.put("object", job.schema.name);
        m.put("createdById", userId);
        m.put("createdDate", Soql.formatDateTime(job.created));
        m.put("systemModstamp", Soql.formatDateTime(job.modified));
        m.put("state", job.state);
        if (!job.query) {
            m.put("externalIdFieldName", null);
        }
        m.put("concurrencyMode", "Parallel");
        m.put("contentType", "CSV");
        m.put("apiVersion", Double.parseDouble(job.apiVersion));
        m.put("jobType", job.query ? "V2Query" : "V2Ingest");
        if (!job.query) {
            m.put("contentUrl", "services/data/v" + job.apiVersion + "/jobs/ingest/" + job.id + "/batches");
        }
        m.put("lineEnding", job.lineEnding);
        m.put("columnDelimiter", job.columnDelimiter);
        m.put("numberRecordsProcessed", job.processed);
        if (!job.query) {
            m.put("numberRecordsFailed", job.failedCount);
        }
        m.put("retries", 0);
        m.put("totalProcessingTime", 0);
        if (job.query) {
            m.put("isPkChunkingSupported", true);
        } else {
            m.put("apiActiveProcessingTime", 0);
            m.put("apexProcessingTime", 0);
        }
        if (job.errorMessage != null) {
            m.put("errorMessage", job.errorMessage);
        }
        return m;
    }

    private void results(HttpExchange ex, Job job) throws IOException {
        if (!job.state.equals("JobComplete")) {
            String status = job.state.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(java.util.Locale.ROOT);
            throw new SalesforceApiException(412, "JOB_NOT_COMPLETE", "can only download query results of successfully "
                    + "completed bulk job with status: JOB_COMPLETE. Current status: " + status);
        }
        Map<String, String> params = Http.query(ex);
        int offset = 0;
        String locator = params.get("locator");
        if (locator != null && !locator.isEmpty() && !locator.equals("null")) {
            try {
                offset = Integer.parseInt(new String(Base64.getDecoder().decode(locator), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw new SalesforceApiException(400, "INVALID_LOCATOR", "Invalid locator: " + locator);
            }
        }
        int max = DEFAULT_MAX_RECORDS;
        if (params.get("maxRecords") != null) {
            try {
                max = Integer.parseInt(params.get("maxRecords"));
            } catch (NumberFormatException e) {
                max = -1;
            }
            if (max <= 0) {
                throw new SalesforceApiException(400, "INVALIDPARAMETER", "maxRecords must be a positive integer");
            }
        }
        int[] rows = job.rows;
        int end = (int) Math.min(rows.length, (long) offset + max);
        String next = end < rows.length
                ? Base64.getEncoder().withoutPadding().encodeToString(Integer.toString(end).getBytes(StandardCharsets.UTF_8))
                : "null";
        ex.getResponseHeaders().set("Content-Type", "text/csv");
        ex.getResponseHeaders().set("Sforce-Locator", next);
        ex.getResponseHeaders().set("Sforce-NumberOfRecords", Integer.toString(Math.max(0, end - offset)));
        ex.sendResponseHeaders(200, 0);
        String nl = job.lineEnding.equals("CRLF") ? "\r\n" : "\n";
        List<Field> fields = job.parsed.fields();
        try (Writer out = new BufferedWriter(new OutputStreamWriter(ex.getResponseBody(), StandardCharsets.UTF_8), 64 * 1024)) {
            for (int i = 0; i < fields.size(); i++) {
                if (i > 0) {
                    out.write(job.delimiter);
                }
                out.write(Csv.quote(fields.get(i).name()));
            }
            out.write(nl);
            for (int r = offset; r < end; r++) {
                Soql.Row row = records.row(job.schema, rows[r]);
                for (int i = 0; i < fields.size(); i++) {
                    if (i > 0) {
                        out.write(job.delimiter);
                    }
                    Object v = row.get(fields.get(i));
                    if (v != null) {
                        out.write(Csv.quote(csvValue(v)));
                    }
                }
                out.write(nl);
            }
        }
    }

    private static String csvValue(Object v) {
        if (v instanceof Instant i) {
            return CSV_DATETIME.format(i);
        }
        if (v instanceof LocalDate d) {
            return d.toString();
        }
        if (v instanceof BigDecimal b) {
            return b.toPlainString();
        }
        return v.toString();
    }

    private void ingestResults(HttpExchange ex, Job job, String which) throws IOException {
        if (!job.state.equals("JobComplete") && !job.state.equals("Failed") && !job.state.equals("Aborted")) {
            throw new SalesforceApiException(400, "API_ERROR", "Job is not complete: " + job.state);
        }
        List<List<String>> out;
        List<String> head = new ArrayList<>();
        synchronized (job) {
            if (which.equals("successfulResults")) {
                head.add("sf__Id");
                head.add("sf__Created");
                out = new ArrayList<>(job.successful);
            } else if (which.equals("failedResults")) {
                head.add("sf__Id");
                head.add("sf__Error");
                out = new ArrayList<>(job.failed);
            } else {
                out = new ArrayList<>();
                List<List<String>> rows = Csv.parse(job.upload.toString(), job.delimiter.charAt(0));
                for (int r = 1 + (int) job.processed; r < rows.size(); r++) {
                    out.add(rows.get(r));
                }
            }
        }
        head.addAll(job.header);
        ex.getResponseHeaders().set("Content-Type", "text/csv");
        ex.sendResponseHeaders(200, 0);
        String nl = job.lineEnding.equals("CRLF") ? "\r\n" : "\n";
        int sfColumns = which.equals("unprocessedrecords") ? 0 : 2;
        try (Writer w = new BufferedWriter(new OutputStreamWriter(ex.getResponseBody(), StandardCharsets.UTF_8))) {
            writeLine(w, head, job.delimiter, sfColumns, nl);
            for (List<String> row : out) {
                writeLine(w, row, job.delimiter, sfColumns, nl);
            }
        }
    }

    /** sf__ columns are quoted; the uploaded cells are written back as uploaded (quoted only when needed). */
    private static void writeLine(Writer w, List<String> cells, String delimiter, int quotedColumns, String nl)
            throws IOException {
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                w.write(delimiter);
            }
            String c = cells.get(i);
            w.write(i < quotedColumns ? Csv.quote(c) : Csv.quoteIfNeeded(c, delimiter));
        }
        w.write(nl);
    }
}

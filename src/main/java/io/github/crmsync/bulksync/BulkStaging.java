package io.github.crmsync.bulksync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.crmsync.mapping.AttributeMapping;
import io.github.crmsync.mapping.MappingSet;
import io.github.crmsync.mapping.ObjectType;
import io.github.crmsync.matching.EmailMatcher;
import io.github.crmsync.salesforce.QueryPage;
import io.github.crmsync.salesforce.Soql;
import org.apache.camel.component.salesforce.api.dto.bulkv2.JobStateEnum;
import org.apache.camel.component.salesforce.api.dto.bulkv2.QueryJob;
import org.apache.camel.spi.ExecutorServiceManager;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * Stage: copies both sides' records into PostgreSQL for the diff, streaming. Salesforce Leads and
 * Contacts (Id, Email and the mapped fields) come through a Bulk API 2.0 query job when the object
 * has more records than the threshold ({@code SELECT COUNT()} first), else through paged SOQL;
 * Intercom contacts through {@code GET /contacts} cursor pages of 150. Rows go in with COPY. Its
 * threads come from Camel's thread-pool manager, which names them and shuts them down with the context.
 */
public final class BulkStaging {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(BulkStaging.class);
    /** A slice holds at least this many pages' worth of contacts before it is worth halving. */
    private static final int SLICE_PAGES = 10;

    private final DataSource dataSource;
    private final BulkSalesforce salesforce;
    private final IntercomPages intercom;
    private final ExecutorServiceManager threads;
    private final long bulkQueryThreshold;
    private final int resultsPageRecords;

    public BulkStaging(DataSource dataSource, BulkSalesforce salesforce, IntercomPages intercom, ExecutorServiceManager threads,
                       long bulkQueryThreshold, int resultsPageRecords) {
        this.resultsPageRecords = resultsPageRecords;
        this.dataSource = dataSource;
        this.salesforce = salesforce;
        this.intercom = intercom;
        this.threads = threads;
        this.bulkQueryThreshold = bulkQueryThreshold;
    }

    /** Empties the staging tables: one run at a time, so what is there belongs to an earlier run. */
    public void clear() {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE bulk_stage_salesforce, bulk_stage_intercom, bulk_stage_patch");
        } catch (SQLException e) {
            throw new IllegalStateException("Clearing the bulk staging tables failed: " + e.getMessage(), e);
        }
    }

    /** How many records of the object type there are to stage ({@code SELECT COUNT()}); 0 when none is mapped. */
    public long countSalesforce(MappingSet mappings, ObjectType type) {
        if (mappings.forObject(type).isEmpty()) {
            return 0;
        }
        return QueryPage.parse(salesforce.query("SELECT COUNT() FROM " + Soql.field(type.salesforceObject()))).totalSize();
    }

    /**
     * Stages one object type's Salesforce records, {@code count} of them as counted before, adding
     * each to {@code staged}; stops early (returns) when {@code stop} says so.
     */
    public long stageSalesforce(long runId, MappingSet mappings, ObjectType type, long count, AtomicLong staged,
                                BooleanSupplier stop) throws Exception {
        if (mappings.forObject(type).isEmpty()) {
            return 0;
        }
        String sObject = type.salesforceObject();
        String soql = "SELECT " + Soql.select(mappings.salesforceFieldsToQuery(type)) + " FROM " + Soql.field(sObject);
        try (StageCopy copy = salesforceCopy()) {
            if (count > bulkQueryThreshold) {
                stageWithQueryJob(runId, type, soql, copy, staged, stop);
            } else {
                String page = salesforce.query(soql);
                while (true) {
                    JsonNode root = JSON.readTree(page);
                    for (JsonNode record : root.path("records")) {
                        ObjectNode values = ((ObjectNode) record).deepCopy();
                        values.remove("attributes");
                        stageSalesforceRow(copy, runId, type, values);
                        staged.incrementAndGet();
                    }
                    String next = root.path("done").asBoolean(true) ? null : root.path("nextRecordsUrl").asText(null);
                    if (next == null || stop.getAsBoolean()) {
                        break;
                    }
                    page = salesforce.queryMore(next);
                }
            }
            return copy.rows();
        }
    }

    private void stageWithQueryJob(long runId, ObjectType type, String soql, StageCopy copy, AtomicLong staged,
                                   BooleanSupplier stop) throws Exception {
        QueryJob job = salesforce.awaitQueryJob(runId, salesforce.createQueryJob(soql));
        String jobId = job.getId();
        if (job.getState() == JobStateEnum.FAILED || job.getState() == JobStateEnum.ABORTED) {
            throw new IllegalStateException("The Bulk API query job " + jobId + " for " + type.salesforceObject()
                    + " ended " + job.getState() + ".");
        }
        if (job.getState() != JobStateEnum.JOB_COMPLETE) {
            return; // the run was stopped while the job ran
        }
        String locator = null;
        do {
            BulkSalesforce.ResultsPage page = salesforce.queryResults(jobId, locator, resultsPageRecords);
            try (InputStream in = page.csv(); Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                CsvRows rows = new CsvRows(reader, ',');
                List<String> header = rows.next();
                for (List<String> row = rows.next(); row != null && header != null; row = rows.next()) {
                    ObjectNode values = JSON.createObjectNode();
                    for (int i = 0; i < header.size(); i++) {
                        values.put(header.get(i), i < row.size() ? row.get(i) : null);
                    }
                    stageSalesforceRow(copy, runId, type, values);
                    staged.incrementAndGet();
                }
            }
            locator = page.nextLocator();
        } while (locator != null && !locator.isEmpty() && !locator.equals("null") && !stop.getAsBoolean());
    }

    private static void stageSalesforceRow(StageCopy copy, long runId, ObjectType type, ObjectNode values)
            throws SQLException, IOException {
        String email = values.path("Email").asText(null);
        copy.row(runId, type.name(), values.path("Id").asText(), EmailMatcher.normalise(email),
                JSON.writeValueAsString(values));
    }

    /**
     * Stages every Intercom contact of a mapped role; returns the count staged. With more than one
     * reader, slices of contacts by creation day are searched at once ({@link CreatedDays}); should
     * the slices together hold fewer contacts than the listing counts (search lags a few minutes
     * behind a contact's creation), those rows are dropped and the listing is read page by page.
     */
    public long stageIntercom(long runId, MappingSet mappings, BooleanSupplier stop, int readers) throws Exception {
        return stageIntercom(runId, mappings, stop, readers, new AtomicLong(-1), new AtomicLong());
    }

    /**
     * As above, setting {@code toRead} to the contacts Intercom lists (all roles) once its first
     * page is read, and adding each contact read to {@code read}.
     */
    public long stageIntercom(long runId, MappingSet mappings, BooleanSupplier stop, int readers, AtomicLong toRead,
                              AtomicLong read) throws Exception {
        return stageIntercom(runId, mappings, stop, readers, SLICE_PAGES * 150L, toRead, read);
    }

    /** As above; a slice with more than {@code sliceContacts} (and more than its share) is halved. */
    long stageIntercom(long runId, MappingSet mappings, BooleanSupplier stop, int readers, long sliceContacts)
            throws Exception {
        return stageIntercom(runId, mappings, stop, readers, sliceContacts, new AtomicLong(-1), new AtomicLong());
    }

    private long stageIntercom(long runId, MappingSet mappings, BooleanSupplier stop, int readers, long sliceContacts,
                               AtomicLong toRead, AtomicLong read) throws Exception {
        Map<ObjectType, List<AttributeMapping>> mapped = new LinkedHashMap<>();
        for (ObjectType type : ObjectType.values()) {
            if (!mappings.forObject(type).isEmpty()) {
                mapped.put(type, mappings.forObject(type));
            }
        }
        if (mapped.isEmpty()) {
            toRead.set(0);
            return 0;
        }
        if (readers > 1) {
            OptionalLong staged = stageIntercomBySearch(runId, mapped, stop, readers, sliceContacts, toRead, read);
            if (staged.isPresent()) {
                return staged.getAsLong();
            }
            deleteStagedIntercom(runId);
        }
        return stageIntercomByListing(runId, mapped, stop, toRead, read);
    }

    /** The {@code GET /contacts} listing, cursor page by cursor page. */
    private long stageIntercomByListing(long runId, Map<ObjectType, List<AttributeMapping>> mapped, BooleanSupplier stop,
                                        AtomicLong toRead, AtomicLong read) throws Exception {
        try (PageSink sink = new PageSink(runId, mapped, read)) {
            String cursor = null;
            do {
                JsonNode page = intercom.read(new IntercomPages.Request(null, cursor));
                if (toRead.get() < 0) {
                    toRead.set(Math.max(0, page.path("total_count").asLong(page.path("data").size())));
                }
                sink.offer(page);
                cursor = page.path("pages").path("next").path("starting_after").asText(null);
            } while (cursor != null && !cursor.isEmpty() && !stop.getAsBoolean() && !sink.failed());
            return sink.finish();
        }
    }

    /**
     * Several search cursors at once, one slice each: the listing's first page gives the count the
     * slices must reach and a sample of creation days to cut them by; a slice with more than its
     * share of contacts is halved before it is read. Empty when the slices missed contacts.
     */
    private OptionalLong stageIntercomBySearch(long runId, Map<ObjectType, List<AttributeMapping>> mapped,
                                               BooleanSupplier stop, int readers, long sliceContacts,
                                               AtomicLong toRead, AtomicLong read) throws Exception {
        JsonNode first = intercom.read(new IntercomPages.Request(null, null));
        long listed = first.path("total_count").asLong(-1);
        if (listed < 0) {
            return OptionalLong.empty();
        }
        toRead.compareAndSet(-1, listed);
        long today = Math.floorDiv(System.currentTimeMillis() / 1000, CreatedDays.DAY);
        long firstDay = today;
        long lastDay = Long.MIN_VALUE;
        for (JsonNode contact : first.path("data")) {
            if (contact.path("created_at").isNumber()) {
                long day = Math.floorDiv(contact.path("created_at").asLong(), CreatedDays.DAY);
                firstDay = Math.min(firstDay, day);
                lastDay = Math.max(lastDay, day);
            }
        }
        lastDay = Math.max(firstDay, Math.min(today, lastDay));
        long share = Math.max(sliceContacts, listed / (readers * 4L));
        ExecutorService pool = threads.newFixedThreadPool(this, "bulk-stage-intercom-search", readers);
        AtomicInteger pending = new AtomicInteger();
        AtomicLong received = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Object done = new Object();
        long rows;
        try (PageSink sink = new PageSink(runId, mapped, read)) {
            class Reader implements Runnable {
                private final CreatedDays slice;

                Reader(CreatedDays slice) {
                    this.slice = slice;
                }

                void submit() {
                    pending.incrementAndGet();
                    pool.execute(this);
                }

                @Override
                public void run() {
                    try {
                        read();
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    } finally {
                        if (pending.decrementAndGet() == 0) {
                            synchronized (done) {
                                done.notifyAll();
                            }
                        }
                    }
                }

                private void read() throws InterruptedException {
                    if (stop.getAsBoolean() || failure.get() != null || sink.failed()) {
                        return;
                    }
                    JsonNode query = slice.query();
                    JsonNode page = intercom.read(new IntercomPages.Request(query, null));
                    if (page.path("total_count").asLong() > share) {
                        CreatedDays[] halves = slice.split(today);
                        if (halves != null) { // this first page is read again, in one half
                            new Reader(halves[0]).submit();
                            new Reader(halves[1]).submit();
                            return;
                        }
                    }
                    while (true) {
                        received.addAndGet(page.path("data").size());
                        sink.offer(page);
                        String cursor = page.path("pages").path("next").path("starting_after").asText(null);
                        if (cursor == null || cursor.isEmpty() || stop.getAsBoolean() || failure.get() != null
                                || sink.failed()) {
                            return;
                        }
                        page = intercom.read(new IntercomPages.Request(query, cursor));
                    }
                }
            }
            for (CreatedDays slice : CreatedDays.partition(firstDay, lastDay, readers * 2)) {
                new Reader(slice).submit();
            }
            synchronized (done) {
                while (pending.get() > 0) {
                    done.wait(200);
                }
            }
            rows = sink.finish();
        } finally {
            threads.shutdownNow(pool);
        }
        Throwable failed = failure.get();
        if (failed != null) {
            throw failed instanceof Exception e ? e : new IllegalStateException(failed);
        }
        if (stop.getAsBoolean()) {
            return OptionalLong.of(rows);
        }
        if (received.get() < listed) {
            LOG.warn("Intercom's search found {} contacts where the listing counts {} (search lags behind new "
                    + "contacts); staging from the listing instead", received.get(), listed);
            return OptionalLong.empty();
        }
        return OptionalLong.of(rows - dropDuplicateIntercomRows(runId));
    }

    /**
     * Slices are disjoint by construction, but a cursor over contacts that change while it is read
     * could repeat one: duplicates are dropped (none is the usual answer, found in one pass).
     */
    private long dropDuplicateIntercomRows(long runId) throws SQLException {
        try (Connection c = dataSource.getConnection(); java.sql.PreparedStatement count = c.prepareStatement(
                "SELECT count(*) - count(DISTINCT intercom_id) FROM bulk_stage_intercom WHERE run_id = ?")) {
            count.setLong(1, runId);
            long duplicates;
            try (java.sql.ResultSet rs = count.executeQuery()) {
                rs.next();
                duplicates = rs.getLong(1);
            }
            if (duplicates == 0) {
                return 0;
            }
            try (java.sql.PreparedStatement delete = c.prepareStatement("DELETE FROM bulk_stage_intercom a USING "
                    + "bulk_stage_intercom b WHERE a.run_id = ? AND b.run_id = a.run_id AND a.intercom_id = b.intercom_id "
                    + "AND a.ctid > b.ctid")) {
                delete.setLong(1, runId);
                return delete.executeUpdate();
            }
        }
    }

    private void deleteStagedIntercom(long runId) throws SQLException {
        try (Connection c = dataSource.getConnection(); java.sql.PreparedStatement delete = c.prepareStatement(
                "DELETE FROM bulk_stage_intercom WHERE run_id = ?")) {
            delete.setLong(1, runId);
            delete.executeUpdate();
        }
    }

    /**
     * Pages go into one COPY on one thread, while the readers ask for the next pages: Intercom's
     * pace, not PostgreSQL's, sets the speed. At most a few pages wait in memory.
     */
    private final class PageSink implements AutoCloseable {
        private final long runId;
        private final Map<ObjectType, List<AttributeMapping>> mapped;
        private final StageCopy copy;
        private final ExecutorService stager = threads.newSingleThreadExecutor(this, "bulk-stage-intercom");
        private final Semaphore ahead = new Semaphore(8);
        private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
        private final AtomicLong read;

        PageSink(long runId, Map<ObjectType, List<AttributeMapping>> mapped, AtomicLong read) throws SQLException {
            this.read = read;
            this.runId = runId;
            this.mapped = mapped;
            this.copy = new StageCopy(dataSource.getConnection(), "bulk_stage_intercom",
                    "run_id, object_type, intercom_id, email_lower, contact");
        }

        void offer(JsonNode page) throws InterruptedException {
            ahead.acquire();
            stager.execute(() -> {
                try {
                    if (failure.get() == null) {
                        stagePage(copy, runId, page, mapped);
                        read.addAndGet(page.path("data").size());
                    }
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                } finally {
                    ahead.release();
                }
            });
        }

        boolean failed() {
            return failure.get() != null;
        }

        /** Waits for the pages offered to be copied; the rows copied. */
        long finish() throws InterruptedException {
            stager.shutdown();
            stager.awaitTermination(Long.MAX_VALUE, TimeUnit.MILLISECONDS);
            if (failure.get() != null) {
                throw failure.get();
            }
            return copy.rows();
        }

        @Override
        public void close() throws SQLException {
            threads.shutdownNow(stager);
            copy.close();
        }
    }

    private static void stagePage(StageCopy copy, long runId, JsonNode page, Map<ObjectType, List<AttributeMapping>> mapped) {
        try {
            for (JsonNode contact : page.path("data")) {
                ObjectType type;
                try {
                    type = ObjectType.fromIntercomRole(contact.path("role").asText());
                } catch (IllegalArgumentException e) {
                    continue; // a visitor, say: not synced
                }
                List<AttributeMapping> forType = mapped.get(type);
                if (forType != null) {
                    copy.row(runId, type.name(), contact.path("id").asText(),
                            EmailMatcher.normalise(contact.path("email").asText(null)),
                            JSON.writeValueAsString(mappedPart(contact, forType)));
                }
            }
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("Staging Intercom contacts failed: " + e.getMessage(), e);
        }
    }

    /**
     * What the diff needs of a contact: id, role, e-mail and the mapped attributes (the custom ones
     * inside {@code custom_attributes}, which stays absent when Intercom sent none: "not read").
     */
    static ObjectNode mappedPart(JsonNode contact, List<AttributeMapping> mappings) {
        ObjectNode kept = JSON.createObjectNode();
        for (String key : List.of("type", "id", "role", "email")) {
            if (contact.has(key)) {
                kept.set(key, contact.get(key));
            }
        }
        JsonNode custom = contact.get("custom_attributes");
        for (AttributeMapping m : mappings) {
            if (m.isCustomIntercomAttribute()) {
                if (custom != null && custom.isObject()) {
                    ObjectNode keptCustom = kept.has("custom_attributes") ? (ObjectNode) kept.get("custom_attributes")
                            : kept.putObject("custom_attributes");
                    if (custom.has(m.intercomKey())) {
                        keptCustom.set(m.intercomKey(), custom.get(m.intercomKey()));
                    }
                }
            } else if (contact.has(m.intercomKey())) {
                kept.set(m.intercomKey(), contact.get(m.intercomKey()));
            }
        }
        return kept;
    }

    private StageCopy salesforceCopy() throws SQLException {
        return new StageCopy(dataSource.getConnection(), "bulk_stage_salesforce",
                "run_id, object_type, salesforce_id, email_lower, field_values");
    }
}

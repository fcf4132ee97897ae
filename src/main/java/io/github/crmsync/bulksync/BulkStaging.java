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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Stage: copies both sides' records into PostgreSQL for the diff, streaming. Salesforce Leads and
 * Contacts (Id, Email and the mapped fields) come through a Bulk API 2.0 query job when the object
 * has more records than the threshold ({@code SELECT COUNT()} first), else through paged SOQL;
 * Intercom contacts through {@code GET /contacts} cursor pages of 150 or search slices. Rows go in
 * with COPY. The page loops are the routes' ({@code bulk-sync.camel.yaml}: a batch boundary before
 * each page); this class reads and stages one page at a time. The COPY of Intercom pages runs on a
 * thread from Camel's thread-pool manager, which names it and shuts it down with the context.
 */
public final class BulkStaging {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(BulkStaging.class);

    private final DataSource dataSource;
    private final BulkSalesforce salesforce;
    private final ExecutorServiceManager threads;
    private final long bulkQueryThreshold;
    private final int resultsPageRecords;

    public BulkStaging(DataSource dataSource, BulkSalesforce salesforce, ExecutorServiceManager threads,
                       long bulkQueryThreshold, int resultsPageRecords) {
        this.resultsPageRecords = resultsPageRecords;
        this.dataSource = dataSource;
        this.salesforce = salesforce;
        this.threads = threads;
        this.bulkQueryThreshold = bulkQueryThreshold;
    }

    /** Empties the staging tables: one run at a time, so what is there belongs to an earlier run. */
    public void clear() {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE bulk_stage_salesforce, bulk_stage_intercom, bulk_stage_patch, bulk_stage_link");
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

    // ------------------------------------------------------------------ what the staging routes call

    public void stageSalesforcePage(SalesforcePages pages) throws Exception {
        pages.next();
    }

    public boolean intercomBySearch(IntercomStaging intercom) {
        return intercom.bySearch();
    }

    /** The listing's first page: the count and creation days the search slices are cut by. */
    public IntercomPages.Request intercomListingRequest(IntercomStaging intercom) {
        return new IntercomPages.Request(null, null);
    }

    public List<IntercomCursor> intercomSlices(IntercomStaging intercom, JsonNode firstListingPage) {
        return intercom.slices(firstListingPage);
    }

    /** A slice's first page read: the slice to read on (the page staged), or its halves to size. */
    public List<IntercomCursor> intercomSliceSized(IntercomStaging intercom, IntercomCursor slice, JsonNode page)
            throws InterruptedException {
        return intercom.firstPage(slice, page);
    }

    public boolean intercomSliceHalved(List<IntercomCursor> sized) {
        return IntercomStaging.halved(sized);
    }

    /** The listing's cursor (what search slices staged, if any, is dropped first). */
    public IntercomCursor intercomListing(IntercomStaging intercom) throws Exception {
        return intercom.listing();
    }

    public IntercomPages.Request intercomRequest(IntercomCursor cursor) {
        return cursor.request();
    }

    public void stageIntercomPage(IntercomStaging intercom, IntercomCursor cursor, JsonNode page) throws InterruptedException {
        intercom.page(cursor, page);
    }

    /** Lets go of a staging's connection and thread, whatever ended it. */
    public void closeStaging(AutoCloseable staging) throws Exception {
        if (staging != null) {
            staging.close();
        }
    }

    // ------------------------------------------------------------------ the pages

    /**
     * One object type's Salesforce records to stage, {@code count} of them as counted before, each
     * staged added to {@code staged}: the route {@code bulk-stage-salesforce-object} takes its pages
     * one at a time ({@link SalesforcePages#next}) while {@link SalesforcePages#more} and the run goes on.
     */
    public SalesforcePages salesforcePages(long runId, MappingSet mappings, ObjectType type, long count, AtomicLong staged)
            throws SQLException {
        if (mappings.forObject(type).isEmpty()) {
            return new SalesforcePages(runId, type, null, false, null, staged);
        }
        String soql = "SELECT " + Soql.select(mappings.salesforceFieldsToQuery(type)) + " FROM "
                + Soql.field(type.salesforceObject());
        return new SalesforcePages(runId, type, soql, count > bulkQueryThreshold, salesforceCopy(), staged);
    }

    /**
     * A Salesforce object's records as pages: paged SOQL ({@code nextRecordsUrl}), or a Bulk API 2.0
     * query job (created and awaited as the first "page") and its result pages ({@code Sforce-Locator}).
     */
    public final class SalesforcePages implements StagePages, AutoCloseable {
        private final long runId;
        private final ObjectType type;
        private final String soql;
        private final boolean queryJob;
        private final StageCopy copy;
        private final AtomicLong staged;
        private final long openedAt = System.nanoTime();
        private boolean started;
        private String jobId;
        /** The next page's nextRecordsUrl or results locator; null once there is none. */
        private String next;

        private SalesforcePages(long runId, ObjectType type, String soql, boolean queryJob, StageCopy copy,
                                AtomicLong staged) {
            this.runId = runId;
            this.type = type;
            this.soql = soql;
            this.queryJob = queryJob;
            this.copy = copy;
            this.staged = staged;
        }

        @Override
        public boolean more() {
            return soql != null && (!started || next != null);
        }

        /** Reads and stages the next page (for a query job, the first is the job: created, then awaited). */
        public void next() throws Exception {
            boolean first = !started;
            String from = next;
            started = true;
            next = null;
            if (queryJob) {
                if (first) {
                    startQueryJob();
                } else {
                    stageResults(from);
                }
                return;
            }
            JsonNode root = JSON.readTree(first ? salesforce.query(soql) : salesforce.queryMore(from));
            for (JsonNode record : root.path("records")) {
                ObjectNode values = ((ObjectNode) record).deepCopy();
                values.remove("attributes");
                stageSalesforceRow(copy, runId, type, values);
                staged.incrementAndGet();
            }
            next = root.path("done").asBoolean(true) ? null : root.path("nextRecordsUrl").asText(null);
        }

        private void startQueryJob() {
            QueryJob job = salesforce.awaitQueryJob(runId, salesforce.createQueryJob(soql));
            jobId = job.getId();
            if (job.getState() == JobStateEnum.FAILED || job.getState() == JobStateEnum.ABORTED) {
                throw new IllegalStateException("The Bulk API query job " + jobId + " for " + type.salesforceObject()
                        + " ended " + job.getState() + ".");
            }
            // not complete: the run was stopped while the job ran, nothing more to read
            next = job.getState() == JobStateEnum.JOB_COMPLETE ? "" : null;
        }

        private void stageResults(String locator) throws Exception {
            BulkSalesforce.ResultsPage page = salesforce.queryResults(jobId, locator.isEmpty() ? null : locator,
                    resultsPageRecords);
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
            String nextLocator = page.nextLocator();
            next = nextLocator == null || nextLocator.isEmpty() || nextLocator.equals("null") ? null : nextLocator;
        }

        ObjectType type() {
            return type;
        }

        long millisSinceOpened() {
            return (System.nanoTime() - openedAt) / 1_000_000;
        }

        /** The rows staged. */
        public long rows() {
            return copy == null ? 0 : copy.rows();
        }

        @Override
        public void close() throws SQLException {
            if (copy != null) {
                copy.close();
            }
        }
    }

    private static void stageSalesforceRow(StageCopy copy, long runId, ObjectType type, ObjectNode values)
            throws SQLException, IOException {
        String email = values.path("Email").asText(null);
        copy.row(runId, type.name(), values.path("Id").asText(), EmailMatcher.normalise(email),
                JSON.writeValueAsString(values));
    }

    /**
     * The Intercom contacts of a mapped role to stage: the routes read their pages (the listing's, or
     * with more than one reader the search slices' by creation day, see {@link SearchSlices}) and hand
     * each to {@link IntercomStaging#page}; {@code toRead} is set to the contacts Intercom lists (all
     * roles) once its first page is read, and each contact read is added to {@code read}.
     */
    public IntercomStaging intercomStaging(long runId, MappingSet mappings, int readers, AtomicLong toRead, AtomicLong read)
            throws SQLException {
        return intercomStaging(runId, mappings, readers, SearchSlices.SLICE_PAGES * 150L, toRead, read);
    }

    /** As above; a slice with more than {@code sliceContacts} (and more than its share) is halved. */
    IntercomStaging intercomStaging(long runId, MappingSet mappings, int readers, long sliceContacts, AtomicLong toRead,
                                    AtomicLong read) throws SQLException {
        Map<ObjectType, List<AttributeMapping>> mapped = new LinkedHashMap<>();
        for (ObjectType type : ObjectType.values()) {
            if (!mappings.forObject(type).isEmpty()) {
                mapped.put(type, mappings.forObject(type));
            }
        }
        if (mapped.isEmpty()) {
            toRead.set(0);
        }
        return new IntercomStaging(runId, mapped, readers, sliceContacts, toRead, read);
    }

    /**
     * One staging of Intercom contacts, as the route {@code bulk-stage-intercom} drives it: the
     * listing page by page, or the search slices at once; should the slices together hold fewer
     * contacts than the listing counts (search lags a few minutes behind a contact's creation), their
     * rows are dropped and the listing is read instead.
     */
    public final class IntercomStaging implements AutoCloseable {
        private final long runId;
        private final Map<ObjectType, List<AttributeMapping>> mapped;
        private final int readers;
        private final long sliceContacts;
        private final AtomicLong toRead;
        private final AtomicLong read;
        private final AtomicLong received = new AtomicLong();
        private final long openedAt = System.nanoTime();
        private volatile PageSink sink;
        private volatile SearchSlices slices;
        private volatile boolean searched;

        private IntercomStaging(long runId, Map<ObjectType, List<AttributeMapping>> mapped, int readers, long sliceContacts,
                                AtomicLong toRead, AtomicLong read) throws SQLException {
            this.runId = runId;
            this.mapped = mapped;
            this.readers = readers;
            this.sliceContacts = sliceContacts;
            this.toRead = toRead;
            this.read = read;
            this.sink = mapped.isEmpty() ? null : new PageSink(runId, mapped, read);
        }

        /** Whether to read search slices: something is mapped and there is more than one reader. */
        public boolean bySearch() {
            return sink != null && readers > 1;
        }

        /**
         * The listing's cursor from its first page (nothing to read when nothing is mapped); what
         * search slices staged before is dropped.
         */
        public IntercomCursor listing() throws Exception {
            if (searched) {
                restartFromListing();
            }
            return new IntercomCursor(this, null, sink == null);
        }

        /**
         * The slices to size, from the listing's first page (its count and creation days); none when
         * the listing gives no count, and the listing is read instead.
         */
        public List<IntercomCursor> slices(JsonNode firstListingPage) {
            long listed = firstListingPage.path("total_count").asLong(-1);
            if (listed < 0) {
                return List.of();
            }
            toRead.compareAndSet(-1, listed);
            long today = Math.floorDiv(System.currentTimeMillis() / 1000, CreatedDays.DAY);
            slices = SearchSlices.from(firstListingPage, today, readers, sliceContacts);
            searched = true;
            return slices.initial().stream().map(days -> new IntercomCursor(this, days, false)).toList();
        }

        /**
         * A slice's first page: the slice with the page staged (read on from it), or its two halves
         * to size in turn when it holds more than its share.
         */
        public List<IntercomCursor> firstPage(IntercomCursor slice, JsonNode page) throws InterruptedException {
            CreatedDays[] halves = slices.halvesIfTooBig(slice.days(), page);
            if (halves != null) { // this first page is read again, in one half
                return List.of(new IntercomCursor(this, halves[0], false), new IntercomCursor(this, halves[1], false));
            }
            page(slice, page);
            return List.of(slice);
        }

        /** Whether the first page of a slice gave its halves rather than the slice read on. */
        public static boolean halved(List<IntercomCursor> sized) {
            return sized.size() != 1 || !sized.get(0).started();
        }

        /** A page read: staged (in the background, see PageSink), and the cursor moved on. */
        public void page(IntercomCursor cursor, JsonNode page) throws InterruptedException {
            if (cursor.days() == null && toRead.get() < 0) {
                toRead.set(Math.max(0, page.path("total_count").asLong(page.path("data").size())));
            }
            if (cursor.days() != null) {
                received.addAndGet(page.path("data").size());
            }
            sink.offer(page);
            cursor.advance(page);
        }

        /**
         * Whether the listing is to be read: no search was made (one reader, or the listing gave no
         * count), or the slices read (the run not stopped) hold fewer contacts than the listing counts.
         */
        public boolean searchMissedContacts(boolean runGoesOn) {
            if (!searched) {
                return true;
            }
            if (!runGoesOn || sink.failed()) {
                return false;
            }
            long listed = toRead.get();
            if (received.get() < listed) {
                LOG.warn("Intercom's search found {} contacts where the listing counts {} (search lags behind new "
                        + "contacts); staging from the listing instead", received.get(), listed);
                return true;
            }
            return false;
        }

        /** Drops what the slices staged, to read the listing instead. */
        private void restartFromListing() throws Exception {
            PageSink old = sink;
            old.finish();
            old.close();
            deleteStagedIntercom(runId);
            read.set(0);
            searched = false;
            sink = new PageSink(runId, mapped, read);
        }

        boolean failed() {
            return sink != null && sink.failed();
        }

        long millisSinceOpened() {
            return (System.nanoTime() - openedAt) / 1_000_000;
        }

        /** Waits for the pages read to be staged; the rows staged (a contact a cursor repeated, once). */
        public long finish() throws Exception {
            if (sink == null) {
                return 0;
            }
            long rows = sink.finish();
            return searched ? rows - dropDuplicateIntercomRows(runId) : rows;
        }

        @Override
        public void close() throws SQLException {
            if (sink != null) {
                sink.close();
            }
        }
    }

    /** Where the routes read Intercom's pages from: the listing (no days) or a search slice, after its cursor. */
    public static final class IntercomCursor implements StagePages {
        private final IntercomStaging staging;
        private final CreatedDays days;
        private volatile boolean started;
        private volatile String cursor;
        private volatile boolean done;

        IntercomCursor(IntercomStaging staging, CreatedDays days, boolean done) {
            this.staging = staging;
            this.days = days;
            this.done = done;
        }

        CreatedDays days() {
            return days;
        }

        boolean started() {
            return started;
        }

        /** The next page to read. */
        public IntercomPages.Request request() {
            return new IntercomPages.Request(days == null ? null : days.query(), cursor);
        }

        void advance(JsonNode page) {
            started = true;
            cursor = page.path("pages").path("next").path("starting_after").asText(null);
            done = cursor == null || cursor.isEmpty();
        }

        @Override
        public boolean more() {
            return !done && !staging.failed();
        }

        @Override
        public String toString() {
            return days == null ? "listing" : "slice " + days;
        }
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

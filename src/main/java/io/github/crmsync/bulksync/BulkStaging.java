package io.github.crmsync.bulksync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.crmsync.intercom.IntercomClient;
import io.github.crmsync.mapping.AttributeMapping;
import io.github.crmsync.mapping.MappingSet;
import io.github.crmsync.mapping.ObjectType;
import io.github.crmsync.matching.EmailMatcher;
import io.github.crmsync.salesforce.QueryPage;
import io.github.crmsync.salesforce.Soql;
import org.apache.camel.component.salesforce.api.dto.bulkv2.JobStateEnum;
import org.apache.camel.component.salesforce.api.dto.bulkv2.QueryJob;

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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.function.BooleanSupplier;

/**
 * Stage: copies both sides' records into PostgreSQL for the diff, streaming. Salesforce Leads and
 * Contacts (Id, Email and the mapped fields) come through a Bulk API 2.0 query job when the object
 * has more records than the threshold ({@code SELECT COUNT()} first), else through paged SOQL;
 * Intercom contacts through {@code GET /contacts} cursor pages of 150. Rows go in with COPY.
 */
public final class BulkStaging {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final DataSource dataSource;
    private final BulkSalesforce salesforce;
    private final IntercomClient intercom;
    private final long bulkQueryThreshold;
    private final long jobPollMillis;
    private final int resultsPageRecords;

    public BulkStaging(DataSource dataSource, BulkSalesforce salesforce, IntercomClient intercom,
                       long bulkQueryThreshold, long jobPollMillis, int resultsPageRecords) {
        this.resultsPageRecords = resultsPageRecords;
        this.dataSource = dataSource;
        this.salesforce = salesforce;
        this.intercom = intercom;
        this.bulkQueryThreshold = bulkQueryThreshold;
        this.jobPollMillis = jobPollMillis;
    }

    /** Empties the staging tables: one run at a time, so what is there belongs to an earlier run. */
    public void clear() {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE bulk_stage_salesforce, bulk_stage_intercom, bulk_stage_patch");
        } catch (SQLException e) {
            throw new IllegalStateException("Clearing the bulk staging tables failed: " + e.getMessage(), e);
        }
    }

    /** Stages one object type's Salesforce records; stops early (returns) when {@code stop} says so. */
    public long stageSalesforce(long runId, MappingSet mappings, ObjectType type, BooleanSupplier stop) throws Exception {
        if (mappings.forObject(type).isEmpty()) {
            return 0;
        }
        String sObject = type.salesforceObject();
        String soql = "SELECT " + Soql.select(mappings.salesforceFieldsToQuery(type)) + " FROM " + Soql.field(sObject);
        long count = QueryPage.parse(salesforce.query("SELECT COUNT() FROM " + Soql.field(sObject))).totalSize();
        try (StageCopy copy = salesforceCopy()) {
            if (count > bulkQueryThreshold) {
                stageWithQueryJob(runId, type, soql, copy, stop);
            } else {
                String page = salesforce.query(soql);
                while (true) {
                    JsonNode root = JSON.readTree(page);
                    for (JsonNode record : root.path("records")) {
                        ObjectNode values = ((ObjectNode) record).deepCopy();
                        values.remove("attributes");
                        stageSalesforceRow(copy, runId, type, values);
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

    private void stageWithQueryJob(long runId, ObjectType type, String soql, StageCopy copy, BooleanSupplier stop)
            throws Exception {
        String jobId = salesforce.createQueryJob(soql).getId();
        long wait = jobPollMillis;
        while (true) {
            Thread.sleep(wait);
            QueryJob job = salesforce.queryJob(jobId);
            if (job.getState() == JobStateEnum.JOB_COMPLETE) {
                break;
            }
            if (job.getState() == JobStateEnum.FAILED || job.getState() == JobStateEnum.ABORTED) {
                throw new IllegalStateException("The Bulk API query job " + jobId + " for " + type.salesforceObject()
                        + " ended " + job.getState() + ".");
            }
            if (stop.getAsBoolean()) {
                return;
            }
            // each look is an API call: look less often the longer the job takes
            wait = Math.min(wait * 2, 10_000);
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

    /** Stages every Intercom contact of a mapped role, cursor page by cursor page; returns the count staged. */
    public long stageIntercom(long runId, MappingSet mappings, BooleanSupplier stop) throws Exception {
        Map<ObjectType, List<AttributeMapping>> mapped = new LinkedHashMap<>();
        for (ObjectType type : ObjectType.values()) {
            if (!mappings.forObject(type).isEmpty()) {
                mapped.put(type, mappings.forObject(type));
            }
        }
        if (mapped.isEmpty()) {
            return 0;
        }
        // the next page is asked for while this one is copied in: the listing goes at Intercom's pace
        ExecutorService stager = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "bulk-stage-intercom");
            t.setDaemon(true);
            return t;
        });
        Semaphore ahead = new Semaphore(4);
        try (StageCopy copy = new StageCopy(dataSource.getConnection(), "bulk_stage_intercom",
                "run_id, object_type, intercom_id, email_lower, contact")) {
            CompletableFuture<Void> staged = CompletableFuture.completedFuture(null);
            String cursor = null;
            do {
                JsonNode page = intercom.listContacts(cursor);
                ahead.acquire();
                staged = staged.thenRunAsync(() -> {
                    try {
                        stagePage(copy, runId, page, mapped);
                    } finally {
                        ahead.release();
                    }
                }, stager);
                cursor = page.path("pages").path("next").path("starting_after").asText(null);
            } while (cursor != null && !cursor.isEmpty() && !stop.getAsBoolean() && !staged.isCompletedExceptionally());
            try {
                staged.join();
            } catch (java.util.concurrent.CompletionException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
            return copy.rows();
        } finally {
            stager.shutdownNow();
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

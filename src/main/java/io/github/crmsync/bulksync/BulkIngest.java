package io.github.crmsync.bulksync;

import io.github.crmsync.errors.SyncError;
import io.github.crmsync.errors.SyncErrorStore;
import io.github.crmsync.mapping.AttributeMapping;
import io.github.crmsync.mapping.Direction;
import io.github.crmsync.mapping.MappingSet;
import io.github.crmsync.mapping.ObjectType;
import org.apache.camel.component.salesforce.api.dto.bulkv2.Job;
import org.apache.camel.component.salesforce.api.dto.bulkv2.JobStateEnum;

import javax.sql.DataSource;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Salesforce side of a large run as Bulk API 2.0 ingest jobs (one update job per object type)
 * instead of Collections calls: the patches are written to a CSV file (an empty cell leaves a field
 * as it is, {@code #N/A} clears it), uploaded, and the failed rows become BULK sync errors.
 */
public final class BulkIngest {

    private final DataSource dataSource;
    private final BulkSalesforce salesforce;
    private final BulkWriters writers;
    private final SyncErrorStore errors;

    public BulkIngest(DataSource dataSource, BulkSalesforce salesforce, BulkWriters writers, SyncErrorStore errors) {
        this.dataSource = dataSource;
        this.salesforce = salesforce;
        this.writers = writers;
        this.errors = errors;
    }

    /** The object type's patches as one ingest job (none when no mapping writes the type or nothing changed). */
    public void write(long runId, MappingSet mappings, ObjectType type, RunProgress progress) throws Exception {
        List<String> columns = columns(mappings, type);
        if (columns.isEmpty()) {
            return;
        }
        Path csv = Files.createTempFile("bulk-ingest-" + runId + "-", ".csv");
        try {
            long rows = writeCsv(runId, type, columns, csv);
            if (rows == 0) {
                return;
            }
            // the job's records are written whatever happens next: it is followed to its end, stop or not
            Job job = salesforce.awaitIngestJob(runId, salesforce.ingest(type.salesforceObject(), csv), rows);
            List<String[]> failed = new ArrayList<>();
            // the failed records are read only when the job counts some: one call saved per clean job
            if (job.getState() == JobStateEnum.JOB_COMPLETE && hasFailures(job)) {
                salesforce.failedResults(job.getId(), in -> readFailures(in, failed));
            }
            settle(runId, mappings, type, job, rows, failed, progress);
        } finally {
            Files.deleteIfExists(csv);
        }
    }

    /** Whether the job's info counts failed records (or does not say: then they are read). */
    static boolean hasFailures(Job job) {
        return job.getNumberRecordsFailed() == null || job.getNumberRecordsFailed() > 0;
    }

    static List<String> columns(MappingSet mappings, ObjectType type) {
        Map<String, String> byKey = new LinkedHashMap<>();
        for (AttributeMapping m : mappings.forObject(type, Direction.INTERCOM_TO_SALESFORCE)) {
            byKey.putIfAbsent(m.salesforceField().toLowerCase(Locale.ROOT), m.salesforceField());
        }
        return List.copyOf(byKey.values());
    }

    private long writeCsv(long runId, ObjectType type, List<String> columns, Path csv) throws Exception {
        long rows = 0;
        try (PatchCursor cursor = writers.salesforcePatches(runId, type);
             Writer out = new BufferedWriter(Files.newBufferedWriter(csv, StandardCharsets.UTF_8))) {
            out.write("Id");
            for (String c : columns) {
                out.write(',');
                out.write(c);
            }
            out.write('\n');
            for (PatchCursor.Patch p = cursor.next(); p != null; p = cursor.next()) {
                out.write(p.salesforceId());
                for (String c : columns) {
                    out.write(',');
                    out.write(cell(p.patch(), c));
                }
                out.write('\n');
                rows++;
            }
        }
        return rows;
    }

    /** The CSV cell for a field: empty when the patch leaves it, {@code #N/A} when it clears it. */
    static String cell(Map<String, Object> patch, String field) {
        for (Map.Entry<String, Object> e : patch.entrySet()) {
            if (e.getKey().equalsIgnoreCase(field)) {
                Object v = e.getValue();
                String text = v == null ? "#N/A" : v instanceof BigDecimal d ? d.toPlainString() : v.toString();
                return "\"" + text.replace("\"", "\"\"") + "\"";
            }
        }
        return "";
    }

    private static void readFailures(java.io.InputStream in, List<String[]> failed) {
        try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            CsvRows rows = new CsvRows(reader, ',');
            List<String> header = rows.next();
            if (header == null) {
                return;
            }
            int id = header.indexOf("sf__Id");
            int error = header.indexOf("sf__Error");
            int plainId = -1;
            for (int i = 0; i < header.size(); i++) {
                if (header.get(i).equalsIgnoreCase("Id")) {
                    plainId = i;
                }
            }
            for (List<String> row = rows.next(); row != null; row = rows.next()) {
                String sfId = id >= 0 && row.get(id) != null ? row.get(id) : plainId >= 0 ? row.get(plainId) : "";
                failed.add(new String[] {sfId == null ? "" : sfId, error >= 0 ? row.get(error) : null});
            }
        } catch (IOException e) {
            throw new IllegalStateException("Reading the ingest job's failed records failed: " + e.getMessage(), e);
        }
    }

    private void settle(long runId, MappingSet mappings, ObjectType type, Job job, long rows, List<String[]> failed, RunProgress progress)
            throws Exception {
        if (job.getState() != JobStateEnum.JOB_COMPLETE) {
            progress.failed.addAndGet(rows);
            try (PatchCursor cursor = writers.salesforcePatches(runId, type)) {
                for (PatchCursor.Patch p = cursor.next(); p != null; p = cursor.next()) {
                    errors.record(new SyncError("BULK", Direction.INTERCOM_TO_SALESFORCE, type, p.salesforceId(),
                            p.intercomId(), List.copyOf(p.patch().keySet()), "BULK_JOB_" + job.getState().name(),
                            "The Bulk API ingest job " + job.getId() + " ended " + job.getState() + ": "
                                    + job.getErrorMessage(), null));
                }
            }
            return;
        }
        Map<String, String> intercomIds = intercomIds(runId, failed);
        for (String[] f : failed) {
            // sf__Error is "CODE:message:fields"
            String[] parts = f[1] == null ? new String[0] : f[1].split(":", 3);
            String code = parts.length > 0 && !parts[0].isBlank() ? parts[0] : "UNKNOWN";
            String message = parts.length > 1 ? parts[1] : "Salesforce did not say why the update failed";
            List<String> fields = parts.length > 2 && !parts[2].isBlank() && !parts[2].equals("--")
                    ? List.of(parts[2].split(",")) : List.of();
            progress.failed.incrementAndGet();
            errors.record(new SyncError("BULK", Direction.INTERCOM_TO_SALESFORCE, type, f[0], intercomIds.get(f[0]),
                    fields, code, message, f[1]));
        }
        progress.updatedInSalesforce.addAndGet(Math.max(0, rows - failed.size()));
        String[] failedIds = failed.stream().map(f -> f[0]).toArray(String[]::new);
        writers.salesforceWritten(runId, type, mappings, new java.util.HashSet<>(List.of(failedIds)));
        try (Connection c = dataSource.getConnection()) {
            // the contacts' values now in Salesforce: their next notification without change is an echo
            try (PreparedStatement update = c.prepareStatement("""
                    UPDATE record_link l SET intercom_state = p.intercom_state, last_synced_at = now()
                    FROM bulk_stage_patch p WHERE p.run_id = ? AND p.target = 'SALESFORCE' AND p.object_type = ?
                      AND l.salesforce_id = p.salesforce_id AND NOT (trim(p.salesforce_id) = ANY (?))""")) {
                update.setLong(1, runId);
                update.setString(2, type.name());
                update.setArray(3, c.createArrayOf("text", failedIds));
                update.executeUpdate();
            }
            try (PreparedStatement delete = c.prepareStatement("""
                    DELETE FROM sync_error e USING bulk_stage_patch p
                    WHERE p.run_id = ? AND p.target = 'SALESFORCE' AND p.object_type = ?
                      AND e.direction = 'INTERCOM_TO_SALESFORCE' AND e.salesforce_id = trim(p.salesforce_id)
                      AND NOT (trim(p.salesforce_id) = ANY (?))""")) {
                delete.setLong(1, runId);
                delete.setString(2, type.name());
                delete.setArray(3, c.createArrayOf("text", failedIds));
                delete.executeUpdate();
            }
        }
    }

    private Map<String, String> intercomIds(long runId, List<String[]> failed) throws SQLException {
        Map<String, String> ids = new LinkedHashMap<>();
        if (failed.isEmpty()) {
            return ids;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement select = c.prepareStatement(
                "SELECT trim(salesforce_id), intercom_id FROM bulk_stage_patch WHERE run_id = ? AND target = 'SALESFORCE' "
                        + "AND trim(salesforce_id) = ANY (?)")) {
            select.setLong(1, runId);
            select.setArray(2, c.createArrayOf("text", failed.stream().map(f -> f[0]).toArray()));
            try (var rs = select.executeQuery()) {
                while (rs.next()) {
                    ids.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return ids;
    }
}

package io.github.crmsync.sandbox.salesforce;

import com.sun.net.httpserver.HttpExchange;
import io.github.crmsync.sandbox.salesforce.SObjectSchema.Field;
import io.github.crmsync.sandbox.seed.SalesforceIds;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET /query?q=}, {@code /queryAll?q=} and {@code /query/<locator>-<offset>}: batches of
 * 2,000 (or {@code Sforce-Query-Options: batchSize}), cursors held as the int[] of matching rows and
 * dropped after 15 idle minutes.
 */
final class QueryResource {

    private static final long CURSOR_IDLE_MILLIS = 15 * 60_000L;

    private final SalesforceRecords records;
    private final QueryEngine engine;
    private final Map<String, Cursor> cursors = new ConcurrentHashMap<>();
    private final AtomicLong cursorSequence = new AtomicLong(1);

    private static final class Cursor {
        final SObjectSchema schema;
        final List<Field> fields;
        final int[] rows;
        final int batchSize;
        volatile long lastAccess = System.currentTimeMillis();

        Cursor(SObjectSchema schema, List<Field> fields, int[] rows, int batchSize) {
            this.schema = schema;
            this.fields = fields;
            this.rows = rows;
            this.batchSize = batchSize;
        }
    }

    QueryResource(SalesforceRecords records, QueryEngine engine) {
        this.records = records;
        this.engine = engine;
    }

    int openCursors() {
        return cursors.size();
    }


    void query(HttpExchange ex, String version) throws IOException {
        String q = Http.query(ex).get("q");
        if (q == null) {
            throw new SalesforceApiException(400, "MALFORMED_QUERY", "A query string has to be specified");
        }
        Soql.Query parsed = Soql.parse(q);
        int[] rows = engine.execute(parsed);
        int batch = batchSize(ex);
        if (parsed.count()) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("totalSize", rows.length);
            body.put("done", true);
            body.put("records", List.of());
            Http.sendJson(ex, 200, body);
            return;
        }
        Cursor cursor = new Cursor(parsed.schema(), parsed.fields(), rows, batch);
        page(ex, version, cursor, null, 0);
    }

    private static int batchSize(HttpExchange ex) {
        String options = ex.getRequestHeaders().getFirst("Sforce-Query-Options");
        int batch = 2000;
        if (options != null) {
            Matcher m = Pattern.compile("batchSize\\s*=\\s*(\\d+)").matcher(options);
            if (m.find()) {
                batch = Math.max(200, Math.min(2000, Integer.parseInt(m.group(1))));
            }
        }
        return batch;
    }

    void queryMore(HttpExchange ex, String version, String locator) throws IOException {
        expireCursors();
        int dash = locator.lastIndexOf('-');
        Cursor cursor = dash < 0 ? null : cursors.get(locator.substring(0, dash));
        int offset = -1;
        if (cursor != null) {
            try {
                offset = Integer.parseInt(locator.substring(dash + 1));
            } catch (NumberFormatException e) {
                offset = -1;
            }
        }
        if (cursor == null || offset < 0 || offset > cursor.rows.length) {
            throw new SalesforceApiException(400, "INVALID_QUERY_LOCATOR", "invalid query locator");
        }
        cursor.lastAccess = System.currentTimeMillis();
        page(ex, version, cursor, locator.substring(0, dash), offset);
    }

    private void expireCursors() {
        long cutoff = System.currentTimeMillis() - CURSOR_IDLE_MILLIS;
        cursors.values().removeIf(c -> c.lastAccess < cutoff);
    }

    private void page(HttpExchange ex, String version, Cursor cursor, String cursorId, int offset) throws IOException {
        int end = Math.min(cursor.rows.length, offset + cursor.batchSize);
        boolean done = end >= cursor.rows.length;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("totalSize", cursor.rows.length);
        body.put("done", done);
        if (!done) {
            String id = cursorId;
            if (id == null) {
                expireCursors();
                id = SalesforceIds.id("01g", cursorSequence.getAndIncrement());
                cursors.put(id, cursor);
            }
            body.put("nextRecordsUrl", "/services/data/v" + version + "/query/" + id + "-" + end);
        } else if (cursorId != null) {
            cursors.remove(cursorId);
        }
        List<Map<String, Object>> out = new ArrayList<>(end - offset);
        for (int r = offset; r < end; r++) {
            out.add(recordJson(cursor.schema, cursor.rows[r], cursor.fields, version));
        }
        body.put("records", out);
        Http.sendJson(ex, 200, body);
    }

    Map<String, Object> recordJson(SObjectSchema schema, int index, List<Field> fields, String version) {
        Map<String, Object> m = new LinkedHashMap<>();
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("type", schema.name);
        attributes.put("url", "/services/data/v" + version + "/sobjects/" + schema.name + "/"
                + SalesforceRecords.id(schema, index));
        m.put("attributes", attributes);
        Map<String, Object> stored = records.fields(index);
        for (Field f : fields) {
            m.put(f.name(), jsonValue(f, records.value(schema, index, stored, f)));
        }
        return m;
    }

    static Object jsonValue(Field f, Object v) {
        if (v instanceof Instant i) {
            return Soql.formatDateTime(i);
        }
        if (v instanceof LocalDate d) {
            return d.toString();
        }
        if (v instanceof BigDecimal b) {
            return b.doubleValue();
        }
        return v;
    }

}

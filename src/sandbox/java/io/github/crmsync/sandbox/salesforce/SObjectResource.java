package io.github.crmsync.sandbox.salesforce;

import com.sun.net.httpserver.HttpExchange;
import io.github.crmsync.sandbox.salesforce.SObjectSchema.Field;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code /sobjects}, {@code /sobjects/{type}}, {@code /sobjects/{type}/describe} and {@code /sobjects/{type}/{id}} GET/PATCH. */
final class SObjectResource {

    private final SalesforceRecords records;
    private final QueryResource json;

    SObjectResource(SalesforceRecords records, QueryResource json) {
        this.records = records;
        this.json = json;
    }



    void sobjects(HttpExchange ex, String version, List<String> seg, String method) throws IOException {
        if (seg.size() == 1) {
            SalesforceSimulator.requireMethod(method, "GET");
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("encoding", "UTF-8");
            m.put("maxBatchSize", 200);
            List<Map<String, Object>> list = new ArrayList<>();
            for (SObjectSchema s : List.of(SObjectSchema.CONTACT, SObjectSchema.LEAD)) {
                Map<String, Object> d = new LinkedHashMap<>(s.describe("/services/data/v" + version));
                d.remove("fields");
                list.add(d);
            }
            m.put("sobjects", list);
            Http.sendJson(ex, 200, m);
            return;
        }
        SObjectSchema schema = SObjectSchema.forName(seg.get(1));
        if (schema == null) {
            throw SalesforceApiException.notFound();
        }
        if (seg.size() == 2) {
            SalesforceSimulator.requireMethod(method, "GET");
            Map<String, Object> m = new LinkedHashMap<>();
            Map<String, Object> d = new LinkedHashMap<>(schema.describe("/services/data/v" + version));
            d.remove("fields");
            m.put("objectDescribe", d);
            m.put("recentItems", List.of());
            Http.sendJson(ex, 200, m);
            return;
        }
        if (seg.size() != 3) {
            throw SalesforceApiException.notFound();
        }
        if (seg.get(2).equals("describe")) {
            SalesforceSimulator.requireMethod(method, "GET");
            Http.sendJson(ex, 200, schema.describe("/services/data/v" + version,
                    (field, value) -> records.picklistValueInactive(schema, field, value)));
            return;
        }
        String id = seg.get(2);
        int index = records.resolve(schema, id);
        if (index < 0) {
            if (id.length() != 15 && id.length() != 18) {
                throw new SalesforceApiException(404, "NOT_FOUND",
                        "Provided external ID field does not exist or is not accessible: " + id);
            }
            throw SalesforceApiException.notFound();
        }
        switch (method) {
            case "GET" -> {
                List<Field> fields = new ArrayList<>();
                String param = Http.query(ex).get("fields");
                if (param == null || param.isBlank()) {
                    fields.addAll(schema.fields());
                } else {
                    for (String name : param.split(",")) {
                        Field f = schema.field(name.trim());
                        if (f == null) {
                            throw new SalesforceApiException(400, "INVALID_FIELD", "No such column '" + name.trim()
                                    + "' on sobject of type " + schema.name);
                        }
                        if (!fields.contains(f)) {
                            fields.add(f);
                        }
                    }
                    if (!fields.contains(schema.field("Id"))) {
                        fields.add(schema.field("Id"));
                    }
                }
                Http.sendJson(ex, 200, json.recordJson(schema, index, fields, version));
            }
            case "PATCH" -> {
                Map<String, Object> body = Http.jsonObject(ex);
                Map<String, Object> values = records.convert(schema, body, false);
                records.apply(index, values);
                Http.sendEmpty(ex, 204);
            }
            default -> SalesforceSimulator.requireMethod(method, "GET", "PATCH");
        }
    }
}

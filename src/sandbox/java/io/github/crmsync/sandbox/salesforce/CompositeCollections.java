package io.github.crmsync.sandbox.salesforce;

import com.sun.net.httpserver.HttpExchange;
import io.github.crmsync.sandbox.salesforce.SObjectSchema.Field;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** sObject Collections: {@code PATCH /composite/sobjects} (update up to 200) and {@code GET /composite/sobjects/{type}}. */
final class CompositeCollections {

    private static final int MAX_RECORDS = 200;

    private CompositeCollections() {
    }

    static void handle(SalesforceSimulator sim, HttpExchange ex, String version, List<String> seg, String method)
            throws IOException {
        if (seg.size() == 2 && method.equals("PATCH")) {
            update(sim, ex);
        } else if (seg.size() == 3 && method.equals("GET")) {
            retrieve(sim, ex, version, seg.get(2));
        } else if (seg.size() == 2) {
            throw new SalesforceApiException(405, "METHOD_NOT_ALLOWED", "HTTP Method '" + method
                    + "' not allowed. Allowed are PATCH");
        } else {
            throw SalesforceApiException.notFound();
        }
    }

    private record Prepared(SObjectSchema schema, int index, Map<String, Object> values, String id,
                            SalesforceRecords.RecordError error) {
    }

    @SuppressWarnings("unchecked")
    private static void update(SalesforceSimulator sim, HttpExchange ex) throws IOException {
        SalesforceRecords records = sim.records();
        Map<String, Object> body = Http.jsonObject(ex);
        boolean allOrNone = Boolean.TRUE.equals(body.get("allOrNone"));
        if (!(body.get("records") instanceof List<?> list)) {
            throw new SalesforceApiException(400, "INVALID_FIELD", "Invalid JSON: 'records' must be an array");
        }
        if (list.size() > MAX_RECORDS) {
            throw new SalesforceApiException(400, "EXCEEDED_ID_LIMIT",
                    "record limit reached. cannot submit more than 200 records into this call");
        }
        List<Prepared> prepared = new ArrayList<>();
        for (Object o : list) {
            if (!(o instanceof Map<?, ?> raw)) {
                throw new SalesforceApiException(400, "JSON_PARSER_ERROR", "Cannot deserialize instance of sobject");
            }
            Map<String, Object> rec = (Map<String, Object>) raw;
            Object attrs = rec.get("attributes");
            String type = attrs instanceof Map<?, ?> a ? String.valueOf(a.get("type")) : null;
            if (type == null) {
                throw new SalesforceApiException(400, "INVALID_TYPE", "Must send a concrete entity type.");
            }
            SObjectSchema schema = SObjectSchema.forName(type);
            if (schema == null) {
                throw new SalesforceApiException(400, "INVALID_TYPE", "sObject type '" + type + "' is not supported.");
            }
            String id = null;
            for (Map.Entry<String, Object> e : rec.entrySet()) {
                if (e.getKey().equalsIgnoreCase("id") && e.getValue() != null) {
                    id = e.getValue().toString();
                }
            }
            try {
                if (id == null) {
                    throw new SalesforceRecords.RecordException("MISSING_ARGUMENT", "Id not specified in an update call",
                            List.of());
                }
                int index = records.resolve(schema, id);
                if (index < 0) {
                    if (id.length() != 15 && id.length() != 18 || SObjectSchema.forKeyPrefix(id) != schema) {
                        throw new SalesforceRecords.RecordException("MALFORMED_ID", schema.label
                                + " ID: id value of incorrect type: " + id, List.of("Id"));
                    }
                    throw new SalesforceRecords.RecordException("ENTITY_IS_DELETED", "entity is deleted", List.of());
                }
                prepared.add(new Prepared(schema, index, records.convert(schema, rec, false), id, null));
            } catch (SalesforceRecords.RecordException e) {
                prepared.add(new Prepared(schema, -1, null, id, e.error));
            }
        }
        boolean anyFailed = prepared.stream().anyMatch(p -> p.error() != null);
        List<Map<String, Object>> results = new ArrayList<>();
        for (Prepared p : prepared) {
            Map<String, Object> r = new LinkedHashMap<>();
            if (p.error() == null && !(allOrNone && anyFailed)) {
                records.apply(p.index(), p.values());
                r.put("id", SalesforceRecords.id(p.schema(), p.index()));
                r.put("success", true);
                r.put("errors", List.of());
            } else if (p.error() == null) {
                r.put("id", SalesforceRecords.id(p.schema(), p.index()));
                r.put("success", false);
                r.put("errors", List.of(error("ALL_OR_NONE_OPERATION_ROLLED_BACK", "Record rolled back because not all "
                        + "records were valid and the request was using AllOrNone header", List.of())));
            } else {
                r.put("success", false);
                r.put("errors", List.of(error(p.error().statusCode(), p.error().message(), p.error().fields())));
            }
            results.add(r);
        }
        Http.sendJson(ex, 200, results);
    }

    private static Map<String, Object> error(String statusCode, String message, List<String> fields) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("statusCode", statusCode);
        e.put("message", message);
        e.put("fields", fields);
        return e;
    }

    private static void retrieve(SalesforceSimulator sim, HttpExchange ex, String version, String type)
            throws IOException {
        SObjectSchema schema = SObjectSchema.forName(type);
        if (schema == null) {
            throw SalesforceApiException.notFound();
        }
        Map<String, String> params = Http.query(ex);
        String ids = params.get("ids");
        String fieldParam = params.get("fields");
        if (ids == null || fieldParam == null) {
            throw new SalesforceApiException(400, "MISSING_ARGUMENT", "ids and fields are required");
        }
        List<Field> fields = new ArrayList<>();
        for (String name : fieldParam.split(",")) {
            Field f = schema.field(name.trim());
            if (f == null) {
                throw new SalesforceApiException(400, "INVALID_FIELD", "No such column '" + name.trim()
                        + "' on entity '" + schema.name + "'. If you are attempting to use a custom field, be sure to "
                        + "append the '__c' after the custom field name. Please reference your WSDL or the describe "
                        + "call for the appropriate names.");
            }
            fields.add(f);
        }
        String[] idList = ids.split(",");
        if (idList.length > 2000) {
            throw new SalesforceApiException(400, "EXCEEDED_ID_LIMIT", "record limit reached. cannot submit more than 2000 records into this call");
        }
        List<Object> out = new ArrayList<>();
        for (String id : idList) {
            int index = sim.records().resolve(schema, id.trim());
            out.add(index < 0 ? null : sim.queries().recordJson(schema, index, fields, version));
        }
        Http.sendJson(ex, 200, out);
    }
}

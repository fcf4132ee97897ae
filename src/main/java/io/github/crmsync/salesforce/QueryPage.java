package io.github.crmsync.salesforce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One page of a Salesforce query answer: its records as plain maps and where the next page is. */
public record QueryPage(long totalSize, List<Map<String, Object>> records, String nextRecordsUrl) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static QueryPage parse(String json) {
        try {
            JsonNode root = JSON.readTree(json);
            List<Map<String, Object>> records = new ArrayList<>();
            for (JsonNode record : root.path("records")) {
                Map<String, Object> values = new LinkedHashMap<>();
                record.fields().forEachRemaining(e -> {
                    if (!e.getKey().equals("attributes")) {
                        values.put(e.getKey(), JSON.convertValue(e.getValue(), Object.class));
                    }
                });
                records.add(values);
            }
            String next = root.path("done").asBoolean(true) ? null : root.path("nextRecordsUrl").asText(null);
            return new QueryPage(root.path("totalSize").asLong(), records, next);
        } catch (IOException e) {
            throw new IllegalArgumentException("Salesforce's query answer is not JSON: " + e.getMessage(), e);
        }
    }
}

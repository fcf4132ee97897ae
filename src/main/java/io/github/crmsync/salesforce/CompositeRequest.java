package io.github.crmsync.salesforce;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The body of one Salesforce Composite request ({@code POST /services/data/vXX.X/composite}): up to
 * 25 subrequests, at most 5 of them sObject Collections or query operations, counted as one API call.
 * Built as JSON by hand rather than with camel-salesforce's {@code SObjectComposite}, which prefixes
 * every subrequest url with the API version (so a url that is only a reference,
 * {@code @{page0.nextRecordsUrl}}, cannot be written), does not URL-encode a query, and has no
 * {@code collateSubrequests}.
 * <p>
 * {@code allOrNone} is false at the top: a failed subrequest fails only itself (and what refers to
 * it), and each Collections update keeps its own {@code allOrNone=false}, so one refused record is
 * that record's error only (a top-level true would override it and roll back every subrequest).
 * Subrequests run in the order given ({@code collateSubrequests=false}).
 */
public final class CompositeRequest {

    public static final int MAX_SUBREQUESTS = 25;
    public static final int MAX_COLLECTIONS_OR_QUERIES = 5;
    /** Records in one sObject Collections update. */
    public static final int COLLECTION_SIZE = 200;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String prefix;
    private final List<Map<String, Object>> subrequests = new ArrayList<>();
    private int collectionsOrQueries;

    public CompositeRequest(String apiVersion) {
        this.prefix = "/services/data/v" + apiVersion;
    }

    /** One subrequest's answer: its referenceId, HTTP status and body. */
    public record Result(String referenceId, int status, JsonNode body) {

        public boolean ok() {
            return status >= 200 && status < 300;
        }

        /** The first error of a failed subrequest's error array: code and message. */
        public String errorCode() {
            return body.path(0).path("errorCode").asText("UNKNOWN");
        }

        public String errorMessage() {
            return body.path(0).path("message").asText("Salesforce did not say why the subrequest failed");
        }
    }

    public int size() {
        return subrequests.size();
    }

    public int collectionsOrQueries() {
        return collectionsOrQueries;
    }

    /** Whether one more sObject Collections or query operation (the only subrequests built here) fits. */
    public boolean roomForCollectionOrQuery() {
        return collectionsOrQueries < MAX_COLLECTIONS_OR_QUERIES && subrequests.size() < MAX_SUBREQUESTS;
    }

    /** A SOQL query (the first page; its url carries the query URL-encoded). */
    public CompositeRequest query(String referenceId, String soql) {
        return add("GET", prefix + "/query/?q=" + URLEncoder.encode(soql, StandardCharsets.UTF_8), referenceId, null);
    }

    /** The next page of a query: a {@code nextRecordsUrl}, or a reference to an earlier page's ({@code @{page0.nextRecordsUrl}}). */
    public CompositeRequest queryMore(String referenceId, String nextRecordsUrl) {
        return add("GET", nextRecordsUrl, referenceId, null);
    }

    /** An sObject Collections update of up to 200 records with {@code allOrNone=false}. */
    public CompositeRequest update(String referenceId, List<SObjectPatch> records) {
        if (records.size() > COLLECTION_SIZE) {
            throw new IllegalArgumentException("an sObject Collections update takes up to 200 records, not " + records.size());
        }
        List<Map<String, Object>> body = new ArrayList<>();
        for (SObjectPatch patch : records) {
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("attributes", Map.of("type", patch.getAttributes().getType()));
            record.put("Id", patch.getId());
            record.putAll(patch.fields());
            body.add(record);
        }
        Map<String, Object> collection = new LinkedHashMap<>();
        collection.put("allOrNone", false);
        collection.put("records", body);
        return add("PATCH", prefix + "/composite/sobjects", referenceId, collection);
    }

    /** Composite calls updating these records: each up to 5 sObject Collections updates of 200 (records of any types). */
    public static List<String> updateCalls(String apiVersion, List<SObjectPatch> patches) {
        List<String> calls = new ArrayList<>();
        int perCall = MAX_COLLECTIONS_OR_QUERIES * COLLECTION_SIZE;
        for (int from = 0; from < patches.size(); from += perCall) {
            List<SObjectPatch> call = patches.subList(from, Math.min(patches.size(), from + perCall));
            CompositeRequest request = new CompositeRequest(apiVersion);
            for (int c = 0; c * COLLECTION_SIZE < call.size(); c++) {
                request.update("update" + c, call.subList(c * COLLECTION_SIZE, Math.min(call.size(), (c + 1) * COLLECTION_SIZE)));
            }
            calls.add(request.json());
        }
        return calls;
    }

    private CompositeRequest add(String method, String url, String referenceId, Object body) {
        if (!roomForCollectionOrQuery()) {
            throw new IllegalStateException("a Composite request holds up to 25 subrequests, 5 of them sObject "
                    + "Collections or queries");
        }
        Map<String, Object> sub = new LinkedHashMap<>();
        sub.put("method", method);
        sub.put("url", url);
        sub.put("referenceId", referenceId);
        if (body != null) {
            sub.put("body", body);
        }
        subrequests.add(sub);
        collectionsOrQueries++;
        return this;
    }

    public String json() {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("allOrNone", false);
        request.put("collateSubrequests", false);
        request.put("compositeRequest", subrequests);
        try {
            return JSON.writeValueAsString(request);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("a value of the Composite request cannot be written as JSON: " + e.getMessage(), e);
        }
    }

    /**
     * The subrequests' answers in the order sent. Anything but a Composite answer fails, never reads
     * as an answer without results (the records it should have read would be taken as not found):
     * camel-salesforce hands back an HTTP error's body as the answer (failed by SalesforceAnswers in
     * the call route), and the request itself for an answer with neither body nor failure.
     */
    public static List<Result> results(String answer) {
        try {
            JsonNode responses = answer == null ? null : JSON.readTree(answer).get("compositeResponse");
            if (responses == null || !responses.isArray()) {
                throw new IllegalArgumentException("Salesforce's answer is not a Composite answer: "
                        + (answer == null ? "none" : answer.substring(0, Math.min(200, answer.length()))));
            }
            List<Result> results = new ArrayList<>();
            for (JsonNode r : responses) {
                results.add(new Result(r.path("referenceId").asText(), r.path("httpStatusCode").asInt(), r.path("body")));
            }
            return results;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Salesforce's Composite answer is not JSON: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return json();
    }
}

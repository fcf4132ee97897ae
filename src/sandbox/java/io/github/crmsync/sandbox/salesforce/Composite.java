package io.github.crmsync.sandbox.salesforce;

import com.fasterxml.jackson.core.type.TypeReference;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code POST /services/data/vXX.X/composite}: up to 25 subrequests, at most 5 of them sObject
 * Collections or query operations, run as one API call (the request itself is counted once, its
 * subrequests not at all). Each subrequest is answered by the simulator's own handlers and reported
 * with its {@code body}, {@code httpHeaders}, {@code httpStatusCode} and {@code referenceId}.
 * <ul>
 *   <li>{@code @{referenceId.field}} and {@code @{referenceId.list[0].field}} in a url or body take
 *       values from an earlier subrequest's answer; a reference with no value (the referenced
 *       subrequest failed, or the field is absent, e.g. {@code nextRecordsUrl} of a last page) makes
 *       the subrequest fail with {@code PROCESSING_HALTED} without running it.</li>
 *   <li>{@code allOrNone: true}: the first failing subrequest rolls back every write of the request;
 *       the other subrequests, run or not, answer 400 {@code PROCESSING_HALTED}. It also overrides
 *       the {@code allOrNone} of sObject Collections subrequests (one failed record fails them).</li>
 *   <li>{@code allOrNone: false}: the others run (except those referring to a failed one), and each
 *       Collections subrequest follows its own {@code allOrNone}.</li>
 *   <li>{@code collateSubrequests}: accepted; subrequests always run in the order given, which is
 *       one of the orders collation allows.</li>
 * </ul>
 */
final class Composite {

    static final int MAX_SUBREQUESTS = 25;
    static final int MAX_COLLECTIONS_OR_QUERIES = 5;

    private static final Pattern REFERENCE = Pattern.compile("@\\{([A-Za-z0-9_]+)((?:\\.[A-Za-z0-9_]+|\\[\\d+])*)}");
    private static final Pattern REFERENCE_ID = Pattern.compile("[A-Za-z0-9_]+");
    private static final Pattern PATH_STEP = Pattern.compile("\\.([A-Za-z0-9_]+)|\\[(\\d+)]");
    private static final Set<String> METHODS = Set.of("GET", "POST", "PATCH", "PUT", "DELETE");
    private static final String ROLLED_BACK = "The transaction was rolled back since another operation in the same "
            + "transaction failed.";

    private Composite() {
    }

    /** A reference that could not be resolved: the subrequest holding it is not run. */
    private static final class Unresolved extends RuntimeException {
        Unresolved(String message) {
            super(message, null, false, false);
        }
    }

    @SuppressWarnings("unchecked")
    static void handle(SalesforceSimulator sim, HttpExchange ex, String version) throws IOException {
        Map<String, Object> request = Http.jsonObject(ex);
        if (!(request.get("compositeRequest") instanceof List<?> subrequests)) {
            throw new SalesforceApiException(400, "JSON_PARSER_ERROR", "compositeRequest is required and must be an array");
        }
        if (subrequests.size() > MAX_SUBREQUESTS) {
            refuse(ex, "The request can’t contain more than " + MAX_SUBREQUESTS + " operations.");
            return;
        }
        boolean allOrNone = Boolean.TRUE.equals(request.get("allOrNone"));
        List<Map<String, Object>> parsed = new ArrayList<>();
        Set<String> referenceIds = new HashSet<>();
        int heavy = 0;
        for (Object o : subrequests) {
            if (!(o instanceof Map<?, ?> raw)) {
                throw new SalesforceApiException(400, "JSON_PARSER_ERROR", "Each compositeRequest element must be an object");
            }
            Map<String, Object> sub = (Map<String, Object>) raw;
            Object method = sub.get("method");
            Object url = sub.get("url");
            Object referenceId = sub.get("referenceId");
            if (!(method instanceof String m) || !METHODS.contains(m)) {
                throw new SalesforceApiException(400, "INVALID_INPUT", "Invalid method for a subrequest: " + method
                        + ". Possible values are DELETE, GET, PATCH, POST and PUT.");
            }
            if (!(url instanceof String u) || u.isEmpty()) {
                throw new SalesforceApiException(400, "INVALID_INPUT", "Every subrequest needs a url");
            }
            if (!(referenceId instanceof String r) || !REFERENCE_ID.matcher(r).matches()) {
                throw new SalesforceApiException(400, "INVALID_INPUT", "Invalid referenceId: " + referenceId
                        + ". A referenceId contains only letters, numbers and underscores.");
            }
            if (!referenceIds.add(r)) {
                throw new SalesforceApiException(400, "INVALID_INPUT", "Duplicate referenceId provided in the request: " + r);
            }
            if (isCollectionsOrQuery(u, version)) {
                heavy++;
            }
            parsed.add(sub);
        }
        if (heavy > MAX_COLLECTIONS_OR_QUERIES) {
            refuse(ex, "The request can’t contain more than " + MAX_COLLECTIONS_OR_QUERIES
                    + " sObject Collections or query operations.");
            return;
        }

        List<Map<String, Object>> results = new ArrayList<>();
        Map<String, Object> answers = new HashMap<>();
        int failedAt = -1;
        sim.records().beginTransaction();
        try {
            for (int i = 0; i < parsed.size(); i++) {
                Map<String, Object> sub = parsed.get(i);
                String referenceId = (String) sub.get("referenceId");
                Map<String, Object> result;
                boolean failed;
                try {
                    String url = (String) resolve(sub.get("url"), answers, true);
                    Object body = resolve(sub.get("body"), answers, false);
                    if (allOrNone && body instanceof Map<?, ?> b && isCollections(url, version)) {
                        ((Map<String, Object>) b).put("allOrNone", true);
                    }
                    result = run(sim, (String) sub.get("method"), url, body, headers(sub.get("httpHeaders")), version);
                    failed = (int) result.get("httpStatusCode") >= 400
                            || allOrNone && isCollections(url, version) && anyRecordFailed(result.get("body"));
                } catch (Unresolved e) {
                    result = result(400, Map.of(), List.of(error("PROCESSING_HALTED", e.getMessage())));
                    failed = true;
                }
                result.put("referenceId", referenceId);
                results.add(result);
                if (!failed) {
                    answers.put(referenceId, result.get("body"));
                }
                if (failed && allOrNone) {
                    failedAt = i;
                    break;
                }
            }
            if (failedAt >= 0) {
                sim.records().rollback();
                for (int i = 0; i < parsed.size(); i++) {
                    if (i == failedAt) {
                        continue;
                    }
                    Map<String, Object> halted = result(400, Map.of(), List.of(error("PROCESSING_HALTED", ROLLED_BACK)));
                    halted.put("referenceId", parsed.get(i).get("referenceId"));
                    if (i < results.size()) {
                        results.set(i, halted);
                    } else {
                        results.add(halted);
                    }
                }
            }
        } finally {
            sim.records().endTransaction();
        }
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("compositeResponse", results);
        Http.sendJson(ex, 200, response);
    }

    /**
     * A request over a limit, refused as a whole, none of it run: as Salesforce answered one of 26
     * subrequests (reported in guardian/support-service-lambdas pull request #766, 2020): a Composite
     * answer of one result, {@code LIMIT_EXCEEDED} "The request can’t contain more than 25
     * operations.", {@code referenceId} null. The report gives the body only: the status 200 is that of
     * every Composite answer whose subrequests failed. Salesforce's documentation states the limits
     * (25 subrequests, 5 of them sObject Collections or query operations) but not this answer, and no
     * source gives the wording for more than 5 Collections or queries: that message is modelled on the
     * reported one (unconfirmed; see docs/sandbox.md).
     */
    private static void refuse(HttpExchange ex, String message) throws IOException {
        Map<String, Object> refused = result(400, Map.of(), List.of(error("LIMIT_EXCEEDED", message)));
        refused.put("referenceId", null);
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("compositeResponse", List.of(refused));
        Http.sendJson(ex, 200, response);
    }

    private static Map<String, Object> run(SalesforceSimulator sim, String method, String url, Object body,
                                           Map<String, String> headers, String version) throws IOException {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            return result(400, Map.of(), List.of(error("INVALID_INPUT", "Invalid url for a subrequest: " + url)));
        }
        String path = uri.getPath();
        if (path == null || !path.startsWith("/services/data/v")) {
            return result(404, Map.of(), List.of(error("NOT_FOUND", "The requested resource does not exist")));
        }
        if (path.replaceAll("/+$", "").equals("/services/data/v" + version + "/composite")) {
            return result(400, Map.of(), List.of(error("INVALID_INPUT", "A composite request cannot hold a composite request")));
        }
        byte[] bytes = body == null ? new byte[0] : Http.JSON.writeValueAsBytes(body);
        SubExchange sub = new SubExchange(method, uri, headers, bytes);
        sim.dispatch(sub, path);
        Map<String, String> responseHeaders = new LinkedHashMap<>();
        sub.getResponseHeaders().forEach((name, values) -> {
            // the top-level response carries these; Composite reports no Content-Length per subrequest
            if (!name.equalsIgnoreCase("Content-Type") && !name.equalsIgnoreCase("Content-Length")
                    && !name.equalsIgnoreCase("Sforce-Limit-Info") && !values.isEmpty()) {
                responseHeaders.put(name, values.get(0));
            }
        });
        byte[] answer = sub.body();
        Object parsed = answer.length == 0 ? null : Http.JSON.readValue(answer, new TypeReference<Object>() { });
        return result(sub.status(), responseHeaders, parsed);
    }

    private static Map<String, Object> result(int status, Map<String, String> headers, Object body) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("body", body);
        r.put("httpHeaders", headers);
        r.put("httpStatusCode", status);
        return r;
    }

    private static Map<String, Object> error(String code, String message) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("errorCode", code);
        e.put("message", message);
        return e;
    }

    private static Map<String, String> headers(Object raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw instanceof Map<?, ?> m) {
            m.forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
        }
        return out;
    }

    private static boolean anyRecordFailed(Object body) {
        if (body instanceof List<?> list) {
            for (Object r : list) {
                if (r instanceof Map<?, ?> m && Boolean.FALSE.equals(m.get("success"))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String afterVersion(String url, String version) {
        String prefix = "/services/data/v" + version;
        String path = url.contains("?") ? url.substring(0, url.indexOf('?')) : url;
        return path.startsWith(prefix) ? path.substring(prefix.length()) : path;
    }

    private static boolean isCollections(String url, String version) {
        return afterVersion(url, version).startsWith("/composite/sobjects");
    }

    /** Counted toward the limit of 5: sObject Collections, query and queryAll (with their more-results locators). */
    private static boolean isCollectionsOrQuery(String url, String version) {
        String rest = afterVersion(url, version);
        if (url.startsWith("@{")) {
            // a url taken whole from a reference (e.g. @{page1.nextRecordsUrl}) is a query locator
            return url.contains("nextRecordsUrl");
        }
        return rest.startsWith("/composite/sobjects") || rest.equals("/query") || rest.startsWith("/query/")
                || rest.equals("/queryAll") || rest.startsWith("/queryAll/");
    }

    /** The value with its references replaced; a string that is one reference takes the referenced value's own type. */
    @SuppressWarnings("unchecked")
    private static Object resolve(Object value, Map<String, Object> answers, boolean text) {
        if (value instanceof String s) {
            Matcher whole = REFERENCE.matcher(s);
            if (!text && whole.matches()) {
                return lookup(whole.group(1), whole.group(2), answers);
            }
            Matcher m = REFERENCE.matcher(s);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                m.appendReplacement(out, Matcher.quoteReplacement(String.valueOf(lookup(m.group(1), m.group(2), answers))));
            }
            m.appendTail(out);
            return out.toString();
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            ((Map<String, Object>) map).forEach((k, v) -> out.put(k, resolve(v, answers, false)));
            return out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            list.forEach(v -> out.add(resolve(v, answers, false)));
            return out;
        }
        return value;
    }

    private static Object lookup(String referenceId, String path, Map<String, Object> answers) {
        String reference = referenceId + path;
        if (!answers.containsKey(referenceId)) {
            throw new Unresolved("Invalid reference specified. No value for " + reference + " found in " + referenceId
                    + ". Provided referenceId ('" + referenceId + "') must be the referenceId of an earlier subrequest "
                    + "that succeeded.");
        }
        Object current = answers.get(referenceId);
        Matcher step = PATH_STEP.matcher(path);
        while (step.find()) {
            if (step.group(1) != null && current instanceof Map<?, ?> m) {
                current = m.get(step.group(1));
            } else if (step.group(2) != null && current instanceof List<?> l && Integer.parseInt(step.group(2)) < l.size()) {
                current = l.get(Integer.parseInt(step.group(2)));
            } else {
                current = null;
            }
            if (current == null) {
                break;
            }
        }
        if (current == null) {
            throw new Unresolved("Invalid reference specified. No value for " + reference + " found in " + referenceId + ".");
        }
        return current;
    }
}

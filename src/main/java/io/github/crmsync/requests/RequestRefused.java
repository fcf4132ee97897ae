package io.github.crmsync.requests;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A request the service refuses, with the HTTP status and the JSON error body the caller gets:
 * {@code {"error": "...", "problems": [...], ...details}}. Thrown by the admin API's beans; the
 * API's one error handler turns it into the answer. It is the caller's mistake or the service's
 * state, not a fault, so it carries no stack trace.
 */
public abstract class RequestRefused extends RuntimeException {

    private final int status;
    private final List<String> problems;
    private final Map<String, Object> details;

    protected RequestRefused(int status, String error, List<String> problems, Map<String, Object> details) {
        super(error, null, false, false);
        this.status = status;
        this.problems = problems == null ? null : List.copyOf(problems);
        this.details = details == null ? Map.of() : details;
    }

    public int status() {
        return status;
    }

    /** The answer's body: the error, the problems when there are several, then any details (e.g. the run). */
    public Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", getMessage());
        if (problems != null) {
            body.put("problems", problems);
        }
        body.putAll(details);
        return body;
    }
}

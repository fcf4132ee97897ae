package io.github.crmsync.requests;

import java.util.Map;

/** 409: the request is fine but the service's state refuses it now (a bulk run, the API-usage tier). */
public final class Conflict extends RequestRefused {

    public Conflict(String error) {
        super(409, error, null, null);
    }

    /** {@code details} go into the body after the error, in their order (e.g. {@code requiresConfirmation}, {@code run}). */
    public Conflict(String error, Map<String, Object> details) {
        super(409, error, null, details);
    }
}

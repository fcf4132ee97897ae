package io.github.crmsync.errors;

import io.github.crmsync.intercom.IntercomApiException;
import org.apache.camel.component.salesforce.api.SalesforceException;
import org.apache.camel.component.salesforce.api.dto.RestError;

import java.io.IOException;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * Whether a failed call is worth trying again. Transient: timeouts, connection errors, 5xx,
 * Intercom's 429, Salesforce's {@code UNABLE_TO_LOCK_ROW}, its concurrent-request limit, an expired
 * session, an open circuit breaker, a transaction the database aborted for a concurrent one. Permanent: anything the remote system refused for the data
 * itself (invalid field, too long, bad picklist value, validation rule, 404, Intercom 400) and
 * conversion errors. The 24-hour allowance running out is neither: no retry helps before the tier
 * allows again, so the record is stored as an error at once.
 */
public final class FailureClassifier {

    public enum Kind { TRANSIENT, PERMANENT, LIMIT_EXCEEDED }

    private static final Set<String> TRANSIENT_SALESFORCE_CODES = Set.of("UNABLE_TO_LOCK_ROW", "SERVER_UNAVAILABLE",
            "INVALID_SESSION_ID", "QUERY_TIMEOUT", "REQUEST_RUNNING_TOO_LONG");

    private FailureClassifier() {
    }

    public static Kind classify(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IntercomApiException e) {
                return e.status() == 0 || e.transientFault() ? Kind.TRANSIENT : Kind.PERMANENT;
            }
            if (t instanceof SalesforceException e) {
                return salesforce(e);
            }
            if (t instanceof SQLException e && abortedByTheDatabase(e)) {
                return Kind.TRANSIENT;
            }
            if (t instanceof IOException || t instanceof TimeoutException
                    || t.getClass().getName().equals("io.github.resilience4j.circuitbreaker.CallNotPermittedException")) {
                return Kind.TRANSIENT;
            }
        }
        return Kind.PERMANENT;
    }

    /**
     * PostgreSQL ended the transaction to let a concurrent one through (deadlock detected, 40P01;
     * serialization failure, 40001): the same statements succeed when run again. Two flows updating
     * the same links at once (a poll marking its page read, the Intercom writer storing synced
     * values) can meet so.
     */
    private static boolean abortedByTheDatabase(SQLException e) {
        for (SQLException s = e; s != null; s = s.getNextException() == s ? null : s.getNextException()) {
            if ("40P01".equals(s.getSQLState()) || "40001".equals(s.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    public static boolean isTransient(Throwable failure) {
        return classify(failure) == Kind.TRANSIENT;
    }

    /**
     * True for Salesforce's {@code REQUEST_LIMIT_EXCEEDED} of the 24-hour allowance; not for its
     * concurrent-request limit, which shares the code but passes in seconds ("ConcurrentRequests").
     */
    public static boolean limitExceeded(Throwable failure) {
        return failure != null && classify(failure) == Kind.LIMIT_EXCEEDED;
    }

    private static Kind salesforce(SalesforceException e) {
        List<RestError> errors = e.getErrors() == null ? List.of() : e.getErrors();
        for (RestError error : errors) {
            String code = String.valueOf(error.getErrorCode());
            if ("REQUEST_LIMIT_EXCEEDED".equals(code)) {
                return String.valueOf(error.getMessage()).contains("ConcurrentRequests") ? Kind.TRANSIENT : Kind.LIMIT_EXCEEDED;
            }
            if (TRANSIENT_SALESFORCE_CODES.contains(code)) {
                return Kind.TRANSIENT;
            }
        }
        if (errors.isEmpty()) {
            String message = String.valueOf(e.getMessage());
            if (message.contains("REQUEST_LIMIT_EXCEEDED")) {
                return message.contains("ConcurrentRequests") ? Kind.TRANSIENT : Kind.LIMIT_EXCEEDED;
            }
            // no answer at all (status 0): the connection failed or timed out
            if (e.getStatusCode() == 0) {
                return Kind.TRANSIENT;
            }
        }
        return e.getStatusCode() >= 500 || e.getStatusCode() == 401 ? Kind.TRANSIENT : Kind.PERMANENT;
    }
}

package io.github.crmsync.errors;

import io.github.crmsync.errors.FailureClassifier.Kind;
import io.github.crmsync.intercom.IntercomApiException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.component.salesforce.api.SalesforceException;
import org.apache.camel.component.salesforce.api.dto.RestError;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.EOFException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Which failures are retried, which go straight to the sync-errors list, as a table. */
class FailureClassifierTest {

    static Stream<Arguments> failures() {
        return Stream.of(
                // Salesforce: the data was refused
                Arguments.of("INVALID_FIELD", salesforce(400, "INVALID_FIELD", "No such column 'Foo__c' on entity 'Contact'"), Kind.PERMANENT),
                Arguments.of("STRING_TOO_LONG", salesforce(400, "STRING_TOO_LONG", "Nickname: data value too large"), Kind.PERMANENT),
                Arguments.of("bad picklist", salesforce(400, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "bad value for restricted picklist field: Gold"), Kind.PERMANENT),
                Arguments.of("validation rule", salesforce(400, "FIELD_CUSTOM_VALIDATION_EXCEPTION", "Phone must start with +"), Kind.PERMANENT),
                Arguments.of("deleted record", salesforce(404, "NOT_FOUND", "The requested resource does not exist"), Kind.PERMANENT),
                Arguments.of("malformed query", salesforce(400, "MALFORMED_QUERY", "unexpected token"), Kind.PERMANENT),
                // Salesforce: worth another try
                Arguments.of("row lock", salesforce(400, "UNABLE_TO_LOCK_ROW", "unable to obtain exclusive access to this record"), Kind.TRANSIENT),
                Arguments.of("503", salesforce(503, "SERVER_UNAVAILABLE", "Server too busy"), Kind.TRANSIENT),
                Arguments.of("500 without a code", new SalesforceException("Unexpected error", 500), Kind.TRANSIENT),
                Arguments.of("expired session", salesforce(401, "INVALID_SESSION_ID", "Session expired or invalid"), Kind.TRANSIENT),
                Arguments.of("concurrent requests", salesforce(403, "REQUEST_LIMIT_EXCEEDED",
                        "ConcurrentRequests (Concurrent API Requests) Limit exceeded."), Kind.TRANSIENT),
                Arguments.of("no answer", new SalesforceException("Unexpected error", 0, new EOFException()), Kind.TRANSIENT),
                // Salesforce: the day's allowance is spent
                Arguments.of("daily limit", salesforce(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."), Kind.LIMIT_EXCEEDED),
                Arguments.of("daily limit, wrapped", new CamelExecutionException("failed", null,
                        salesforce(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")), Kind.LIMIT_EXCEEDED),
                // Intercom
                Arguments.of("Intercom 429", intercom(429, "rate_limit_exceeded"), Kind.TRANSIENT),
                Arguments.of("Intercom 500", intercom(500, "server_error"), Kind.TRANSIENT),
                Arguments.of("Intercom 503", intercom(503, "service_unavailable"), Kind.TRANSIENT),
                Arguments.of("Intercom unreachable", intercom(0, "connection_failed"), Kind.TRANSIENT),
                Arguments.of("Intercom 400", intercom(400, "parameter_invalid"), Kind.PERMANENT),
                Arguments.of("database deadlock", new IllegalStateException("Marking read records as synced failed",
                        new java.sql.SQLException("ERROR: deadlock detected", "40P01")), Kind.TRANSIENT),
                Arguments.of("database deadlock in a batch", new IllegalStateException("Remembering synced Intercom states failed",
                        new java.sql.BatchUpdateException("Batch entry 24 was aborted", "40P01", new int[0])), Kind.TRANSIENT),
                Arguments.of("database constraint", new IllegalStateException("insert failed",
                        new java.sql.SQLException("duplicate key value", "23505")), Kind.PERMANENT),
                Arguments.of("Intercom 404", intercom(404, "not_found"), Kind.PERMANENT),
                Arguments.of("Intercom 401", intercom(401, "unauthorized"), Kind.PERMANENT),
                // the network and the breakers
                Arguments.of("connection refused", new ConnectException("Connection refused"), Kind.TRANSIENT),
                Arguments.of("read timeout", new SocketTimeoutException("Read timed out"), Kind.TRANSIENT),
                Arguments.of("timeout", new TimeoutException(), Kind.TRANSIENT),
                Arguments.of("wrapped dropped connection", new RuntimeException(new EOFException("EOF reached")), Kind.TRANSIENT),
                Arguments.of("open breaker", CallNotPermittedException.createCallNotPermittedException(
                        CircuitBreaker.ofDefaults("salesforce")), Kind.TRANSIENT),
                // our own data
                Arguments.of("a value that cannot be converted", new NumberFormatException("For input string: \"12a\""), Kind.PERMANENT),
                Arguments.of("a bug", new NullPointerException(), Kind.PERMANENT));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failures")
    void classifies(String name, Throwable failure, Kind expected) {
        assertThat(FailureClassifier.classify(failure)).isEqualTo(expected);
        assertThat(FailureClassifier.isTransient(failure)).isEqualTo(expected == Kind.TRANSIENT);
        assertThat(FailureClassifier.limitExceeded(failure)).isEqualTo(expected == Kind.LIMIT_EXCEEDED);
    }

    @ParameterizedTest(name = "{0} after {1} failed tries, at most 3 redeliveries: retry {2}")
    @MethodSource("redeliveries")
    void redeliversTransientFailuresUpToTheLimit(String name, int failedTries, boolean retry, Throwable failure) {
        assertThat(new Redelivery(3).shouldRetry(failure, failedTries)).isEqualTo(retry);
    }

    static Stream<Arguments> redeliveries() {
        Throwable transientFailure = intercom(503, "service_unavailable");
        Throwable permanent = salesforce(400, "STRING_TOO_LONG", "too long");
        return Stream.of(
                Arguments.of("transient", 1, true, transientFailure),
                Arguments.of("transient", 3, true, transientFailure),
                Arguments.of("transient", 4, false, transientFailure),
                Arguments.of("permanent", 1, false, permanent),
                Arguments.of("daily limit", 1, false, salesforce(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")));
    }

    private static SalesforceException salesforce(int status, String code, String message) {
        return new SalesforceException(List.of(new RestError(code, message)), status);
    }

    private static IntercomApiException intercom(int status, String code) {
        return new IntercomApiException(status, code, "message", "{\"type\":\"error.list\"}");
    }
}

package io.github.crmsync.sandbox.salesforce;

import java.util.List;

/** A request-level Salesforce error: HTTP status plus the documented error array element. */
final class SalesforceApiException extends RuntimeException {

    final int status;
    final String errorCode;
    final List<String> fields;

    SalesforceApiException(int status, String errorCode, String message) {
        this(status, errorCode, message, null);
    }

    SalesforceApiException(int status, String errorCode, String message, List<String> fields) {
        super(message, null, false, false);
        this.status = status;
        this.errorCode = errorCode;
        this.fields = fields;
    }

    static SalesforceApiException notFound() {
        return new SalesforceApiException(404, "NOT_FOUND", "The requested resource does not exist");
    }
}

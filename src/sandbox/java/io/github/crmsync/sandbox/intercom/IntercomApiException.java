package io.github.crmsync.sandbox.intercom;

/**
 * A request the simulator refuses, answered as Intercom answers it: an HTTP status and one entry
 * of an {@code error.list} ({@code code}, {@code message}).
 */
final class IntercomApiException extends RuntimeException {

    private final int status;
    private final String code;

    IntercomApiException(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    static IntercomApiException badRequest(String code, String message) {
        return new IntercomApiException(400, code, message);
    }

    static IntercomApiException parameterInvalid(String message) {
        return badRequest("parameter_invalid", message);
    }

    static IntercomApiException contactNotFound() {
        return new IntercomApiException(404, "not_found", "User Not Found");
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }
}

package io.github.crmsync.intercom;

/**
 * An Intercom error answer: the HTTP status and Intercom's own first error code and message from
 * the {@code error.list} body. 429 and 5xx are transient (worth retrying), the rest permanent.
 */
public final class IntercomApiException extends RuntimeException {

    private final int status;
    private final String code;
    private final String responseBody;

    public IntercomApiException(int status, String code, String message, String responseBody) {
        super("Intercom answered " + status + (code != null ? " " + code : "") + (message != null ? ": " + message : ""));
        this.status = status;
        this.code = code;
        this.responseBody = responseBody;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String responseBody() {
        return responseBody;
    }

    public boolean transientFault() {
        return status == 429 || status >= 500;
    }
}

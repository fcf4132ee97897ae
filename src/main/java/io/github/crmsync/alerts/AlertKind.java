package io.github.crmsync.alerts;

/** What an alert is about; one quiet period per kind. {@code anchor} is the page section it links to. */
public enum AlertKind {
    TIER_CHANGED("usage"),
    SYNC_ERROR_RATE("errors"),
    EVENT_SYNC_LAG("errors"),
    CIRCUIT_BREAKER_OPEN("errors"),
    BULK_RUN_FAILED("bulk");

    private final String anchor;

    AlertKind(String anchor) {
        this.anchor = anchor;
    }

    public String anchor() {
        return anchor;
    }
}

package io.github.crmsync.alerts;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WebhookUrlTest {

    private static final String URL = "https://hooks.example.com:8443/services/T0/B0/XyZ?token=s3cret&channel=ops";

    @Test
    void onlyAbsoluteHttpUrlsWithAHostAndNoUserInfoMayBeSaved() {
        assertThat(WebhookUrl.problem(URL)).isNull();
        assertThat(WebhookUrl.problem("http://127.0.0.1:9000/hook")).isNull();
        assertThat(WebhookUrl.problem("/hook")).isEqualTo("must be an absolute http:// or https:// URL");
        assertThat(WebhookUrl.problem("ftp://example.com/x")).isEqualTo("must be an http:// or https:// URL, not ftp:");
        assertThat(WebhookUrl.problem("https:///x")).isEqualTo("must name a host (https://host/path)");
        assertThat(WebhookUrl.problem("https://user:pw@example.com/x"))
                .isEqualTo("must not contain user:password@ (put a token in the query instead)");
        assertThat(WebhookUrl.problem("https://exa mple.com/x")).startsWith("is not a URL (");
        assertThat(WebhookUrl.problem("https://example.com/" + "x".repeat(2100))).isEqualTo("must be at most 2048 characters");
    }

    @Test
    void theAdminApiSeesTheQueryMaskedAndLogsOnlyTheOrigin() {
        assertThat(WebhookUrl.masked(URL)).isEqualTo("https://hooks.example.com:8443/services/T0/B0/XyZ?***");
        assertThat(WebhookUrl.masked("https://u:p@example.com/x")).isEqualTo("https://***@example.com/x");
        assertThat(WebhookUrl.masked("https://example.com/x")).isEqualTo("https://example.com/x");
        assertThat(WebhookUrl.masked(null)).isNull();
        assertThat(WebhookUrl.origin(URL)).isEqualTo("https://hooks.example.com:8443");
        assertThat(WebhookUrl.origin("http://example.com/x?y=1")).isEqualTo("http://example.com");
    }

    @Test
    void aFailuresMessageLosesThePathAndQuery() {
        String message = "Connect to " + URL + " failed; GET /services/T0/B0/XyZ?token=s3cret&channel=ops";
        assertThat(WebhookUrl.scrub(message, URL)).doesNotContain("s3cret", "XyZ")
                .startsWith("Connect to https://hooks.example.com:8443 failed");
        assertThat(Alerts.describe(new org.apache.camel.http.base.HttpOperationFailedException(URL, 503, "Service Unavailable",
                null, null, "busy"), URL)).isEqualTo("it answered HTTP 503");
        assertThat(Alerts.describe(new RuntimeException("wrapped", new java.net.SocketTimeoutException("Read timed out")), URL))
                .isEqualTo("SocketTimeoutException: Read timed out");
    }
}

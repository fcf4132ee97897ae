package io.github.crmsync.health;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * Whether a remote system answers HTTP at all. It sends no credentials and calls no API resource,
 * so probing costs nothing from the Salesforce daily allowance or the Intercom rate limit: any
 * HTTP status means reachable; a refused or timed-out connection means not.
 */
public final class ReachabilityHealthCheck extends AbstractHealthCheck {

    private final URI uri;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    public ReachabilityHealthCheck(String system, String url) {
        super("crmsync", system);
        this.uri = URI.create(url);
    }

    @Override
    public boolean isLiveness() {
        // a remote outage is not cured by restarting the service
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("url", uri.toString());
        try {
            HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build();
            HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
            builder.detail("status", response.statusCode()).up();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            builder.down().message("interrupted");
        } catch (Exception e) {
            builder.down().message(uri.getHost() + " is not reachable: " + e.getClass().getSimpleName()
                    + (e.getMessage() != null ? " " + e.getMessage() : ""));
        }
    }
}

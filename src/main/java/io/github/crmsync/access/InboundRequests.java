package io.github.crmsync.access;

import java.util.List;
import java.util.Set;

/**
 * What of a request reaches a Camel route. platform-http turns every request header and query
 * parameter into an exchange header, and exchange headers steer components ({@code sObjectQuery}
 * runs SOQL in camel-salesforce) and come back as response headers. So every request to a route
 * is stripped, ahead of Camel, to the headers and query parameters that route reads, by name;
 * transport headers the HTTP server itself needs stay. Path parameters ({@code /api/mappings/{id}})
 * come from the route's own pattern and are not affected.
 */
public final class InboundRequests {

    /** Which path (exact, or a prefix ending in '/') may carry which headers and query parameters. */
    record Allowed(String path, Set<String> headers, Set<String> queryParameters) {
        boolean covers(String requestPath) {
            return path.endsWith("/") ? requestPath.startsWith(path) : requestPath.equals(path);
        }
    }

    /** Needed by the HTTP server and Camel to read the body; no component acts on them. */
    public static final Set<String> TRANSPORT = Set.of("host", "content-type", "content-length", "transfer-encoding",
            "content-encoding", "connection", "expect");

    private static final List<Allowed> ALLOWED = List.of(
            new Allowed("/intercom/webhooks", Set.of("x-hub-signature"), Set.of()),
            new Allowed("/intercom/canvas/initialize", Set.of("x-body-signature"), Set.of()),
            // saving mappings or settings during a bulk run (BulkRunGuard)
            new Allowed("/api/mappings", Set.of(), Set.of("confirm")),
            new Allowed("/api/mappings/", Set.of(), Set.of("confirm")),
            new Allowed("/api/settings", Set.of(), Set.of("confirm")),
            new Allowed("/api/bulk-sync/runs", Set.of(), Set.of("limit")));
    // the sync-errors filters are read from the raw query string (CamelHttpRawQuery), not from headers

    private InboundRequests() {
    }

    /** True for the headers a request to this path may bring into its route (lower-case names). */
    public static boolean headerAllowed(String path, String name) {
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        return TRANSPORT.contains(lower) || ALLOWED.stream().anyMatch(a -> a.covers(path) && a.headers().contains(lower));
    }

    /** True for the query parameters a request to this path may bring into its route, by exact name. */
    public static boolean queryParameterAllowed(String path, String name) {
        return ALLOWED.stream().anyMatch(a -> a.covers(path) && a.queryParameters().contains(name));
    }
}

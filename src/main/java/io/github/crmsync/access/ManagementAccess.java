package io.github.crmsync.access;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The login in front of Camel's management server (camel.management.port): health and metrics stay
 * open for probes and scrapers; everything else there (Jolokia, for Hawtio) needs the operator
 * credentials over HTTP Basic, and is refused when called from another site's page (a foreign
 * Origin or {@code Sec-Fetch-Site: cross-site}: a browser page must not drive JMX with an
 * operator's stored login). Hawtio's proxy passes its own page's Origin on, so the origins of the
 * operators' Hawtio consoles are configured as trusted ({@code crmsync.operator.trusted-origins}).
 * Without configured operator credentials nothing but health and metrics answers.
 */
public final class ManagementAccess {

    private static final Logger LOG = LoggerFactory.getLogger(ManagementAccess.class);
    private static final int FIRST = -1000;
    private static final String OPERATOR = "crmsync.operator";

    private final AdminCredentials operator;
    private final LoginThrottle throttle;
    private final ClientAddress clients;
    private final String healthPath;
    private final String metricsPath;
    private final Set<String> trustedOrigins;

    /**
     * @param operator the operator's credentials, or null when none are configured (then only health and metrics answer)
     * @param trustedOrigins comma-separated origins ({@code scheme://host:port}) whose pages may call, or null
     */
    public ManagementAccess(AdminCredentials operator, LoginThrottle throttle, ClientAddress clients, String healthPath,
                            String metricsPath, String trustedOrigins) {
        this.operator = operator;
        this.throttle = throttle;
        this.clients = clients;
        this.healthPath = healthPath;
        this.metricsPath = metricsPath;
        this.trustedOrigins = origins(trustedOrigins);
    }

    /** The setting's origins, normalised; a value that is not scheme://host[:port] is refused by name. */
    static Set<String> origins(String text) {
        if (text == null || text.isBlank()) {
            return Set.of();
        }
        return Arrays.stream(text.split(",")).map(String::trim).filter(o -> !o.isEmpty()).map(origin -> {
            String normalised = origin.toLowerCase(Locale.ROOT).replaceAll("/+$", "");
            URI uri;
            try {
                uri = URI.create(normalised);
            } catch (IllegalArgumentException e) {
                uri = null;
            }
            if (uri == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
                    || uri.getHost() == null || !uri.getRawPath().isEmpty() || uri.getRawQuery() != null
                    || uri.getRawUserInfo() != null) {
                throw new IllegalArgumentException("crmsync.operator.trusted-origins: '" + origin
                        + "' is not an origin (scheme://host:port, e.g. http://localhost:8090)");
            }
            return normalised;
        }).collect(Collectors.toUnmodifiableSet());
    }

    public void install(Router router) {
        router.route().order(FIRST).handler(this::guard);
    }

    /** Health and metrics: open to probes and scrapers (GET only). */
    boolean open(String path, String method) {
        if (path == null || !("GET".equals(method) || "HEAD".equals(method))) {
            return false;
        }
        return path.equals(healthPath) || path.startsWith(healthPath + "/") || path.equals(metricsPath);
    }

    private void guard(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        ctx.addHeadersEndHandler(v -> SecurityHeaders.apply(ctx.response().headers()));
        String path = ctx.normalizedPath();
        if (ctx.get(OPERATOR) != null || open(path, request.method().name())) {
            // (Jolokia's handler passes a request through the router twice: the login is checked once)
            ctx.next();
            return;
        }
        if (AdminAccess.crossSite(request, trustedOrigins)) {
            json(ctx, 403, "The management server refuses calls from another site's page.");
            return;
        }
        String client = clients.of(request.remoteAddress() == null ? null : request.remoteAddress().host(),
                request.getHeader("X-Forwarded-For"));
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        String[] basic = authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)
                ? AdminAccess.decodeBasic(authorization.substring(6).trim()) : null;
        Optional<Duration> blocked = throttle.blockedFor(client, basic == null ? null : basic[0]);
        if (blocked.isPresent()) {
            ctx.response().putHeader("Retry-After", Long.toString(Math.max(1, blocked.get().toSeconds())));
            json(ctx, 429, "Too many failed logins; try again in " + Math.max(1, blocked.get().toSeconds()) + " seconds.");
            return;
        }
        if (operator != null && basic != null && operator.matches(basic[0], basic[1])) {
            throttle.succeeded(client);
            ctx.put(OPERATOR, basic[0]);
            if (!"GET".equals(request.method().name())) {
                LOG.info("Operator {} from {}: {} {}", basic[0], client, request.method(), path);
            }
            ctx.next();
            return;
        }
        if (basic != null) {
            throttle.failed(client, basic[0]);
            LOG.warn("Failed operator login from {} for {}", client, path);
        }
        ctx.response().putHeader("WWW-Authenticate", "Basic realm=\"crmsync-management\", charset=\"UTF-8\"");
        json(ctx, 401, operator == null
                ? "The management server needs the operator login, and none is configured (crmsync.operator.password)."
                : "Authentication required");
    }

    private static void json(RoutingContext ctx, int status, String error) {
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end("{\"error\":\"" + error.replace("\"", "\\\"") + "\"}");
    }
}

package io.github.crmsync.access;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The login in front of the service's HTTP server (Vert.x handlers ahead of every Camel route):
 * checks the session cookie or HTTP Basic on the admin API, the page and the sandbox helpers,
 * refuses cross-site state changes and oversized bodies, strips what a route does not read from
 * every request, serves the login form and the page's files, and adds the security headers to
 * every answer.
 */
public final class AdminAccess {

    /** The logged-in admin's name, as the routes see it (e.g. who started a bulk sync); set here only. */
    public static final String USER_HEADER = "X-Crmsync-Admin-User";


    private static final Logger LOG = LoggerFactory.getLogger(AdminAccess.class);
    /** Ahead of the Camel routes, which the router orders from 0 up. */
    private static final int FIRST = -1000;
    /** Largest request bodies, refused with 413 from the Content-Length before a byte is read. */
    public static final long INTERCOM_BODY_LIMIT = 256 * 1024;
    public static final long API_BODY_LIMIT = 1024 * 1024;

    private final AdminCredentials credentials;
    private final AdminSessions sessions;
    private final LoginThrottle throttle;
    private final ClientAddress clients;
    private final PageFiles files;

    public AdminAccess(AdminCredentials credentials, AdminSessions sessions, LoginThrottle throttle, ClientAddress clients,
                       PageFiles files) {
        this.credentials = credentials;
        this.sessions = sessions;
        this.throttle = throttle;
        this.clients = clients;
        this.files = files;
    }

    public void install(Router router) {
        router.route().order(FIRST).handler(this::guard);
        router.get("/login").order(FIRST + 1).handler(ctx -> loginForm(ctx, 200, null));
        router.post("/login").order(FIRST + 2).handler(BodyHandler.create(false).setBodyLimit(8 * 1024))
                .handler(this::login);
        router.post("/logout").order(FIRST + 3).handler(this::logout);
        int order = FIRST + 4;
        for (String path : files.paths()) {
            router.get(path).order(order++).handler(ctx -> files.file(path).ifPresent(file -> ctx.response()
                    .putHeader(HttpHeaders.CONTENT_TYPE, file.contentType()).end(Buffer.buffer(file.content()))));
        }
    }

    private void guard(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        String path = ctx.normalizedPath();
        AccessRule rule = AccessRule.of(path);
        ctx.addHeadersEndHandler(v -> SecurityHeaders.apply(ctx.response().headers()));
        request.headers().remove(USER_HEADER); // only this handler says who is logged in
        Long limit = bodyLimit(path);
        if (limit != null && declaredLength(request) > limit) {
            ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
            json(ctx, 413, "The request body is larger than " + limit / 1024 + " KB.");
            return;
        }
        if (rule == AccessRule.OPEN) {
            if (path.startsWith("/api/")) {
                keepOnlyWhatTheRouteReads(ctx, path); // the API's description is a Camel route
            }
            ctx.next();
            return;
        }
        if (rule == AccessRule.SIGNED) {
            keepOnlyWhatTheRouteReads(ctx, path);
            ctx.next();
            return;
        }
        String client = client(request);
        Optional<String> user = sessions.verify(sessionCookie(request));
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (user.isEmpty() && authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            String[] basic = decodeBasic(authorization.substring(6).trim());
            Optional<Duration> blocked = throttle.blockedFor(client, basic == null ? null : basic[0]);
            if (blocked.isPresent()) {
                tooManyFailures(ctx, rule, blocked.get());
                return;
            }
            if (basic != null && credentials.matches(basic[0], basic[1])) {
                throttle.succeeded(client);
                user = Optional.of(basic[0]);
            } else {
                throttle.failed(client, basic == null ? null : basic[0]);
                LOG.warn("Failed admin login (HTTP Basic) from {} for {}", client, request.path());
            }
        }
        if (user.isEmpty()) {
            unauthenticated(ctx, rule);
            return;
        }
        if (rule == AccessRule.API && AccessRule.changesState(request.method().name())) {
            if (crossSite(request)) {
                json(ctx, 403, "State-changing API calls are refused from another site's page.");
                return;
            }
            if (hasBody(request) && !isJson(request.getHeader(HttpHeaders.CONTENT_TYPE))) {
                json(ctx, 415, "State-changing API calls with a body must send Content-Type: application/json.");
                return;
            }
        }
        keepOnlyWhatTheRouteReads(ctx, path);
        request.headers().set(USER_HEADER, user.get());
        ctx.next();
    }

    /**
     * Removes every request header and query parameter the route does not read (see {@link InboundRequests}):
     * the password, the session, and anything a caller might use to steer a Camel component.
     */
    private static void keepOnlyWhatTheRouteReads(RoutingContext ctx, String path) {
        HttpServerRequest request = ctx.request();
        for (String name : java.util.Set.copyOf(request.headers().names())) {
            if (!InboundRequests.headerAllowed(path, name)) {
                request.headers().remove(name);
            }
        }
        var query = ctx.queryParams();
        for (String name : java.util.Set.copyOf(query.names())) {
            if (!InboundRequests.queryParameterAllowed(path, name)) {
                query.remove(name);
            }
        }
    }

    private static Long bodyLimit(String path) {
        if (path == null) {
            return null;
        }
        if (path.startsWith("/intercom/")) {
            return INTERCOM_BODY_LIMIT;
        }
        return path.equals("/api") || path.startsWith("/api/") || path.startsWith("/sandbox/") ? API_BODY_LIMIT : null;
    }

    private static long declaredLength(HttpServerRequest request) {
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length == null) {
            return -1;
        }
        try {
            return Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    private static boolean hasBody(HttpServerRequest request) {
        return declaredLength(request) > 0 || request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null;
    }

    /**
     * A browser says where a request comes from: Origin on every cross-site POST, and Sec-Fetch-Site.
     * A foreign Origin or {@code Sec-Fetch-Site: cross-site} is another site's page; neither is a
     * non-browser client (curl, scripts), which CSRF cannot concern.
     */
    static boolean crossSite(HttpServerRequest request) {
        return crossSite(request, Set.of());
    }

    /** As above, with pages of the {@code trustedOrigins} (lower case) counted as this site's own. */
    static boolean crossSite(HttpServerRequest request, Set<String> trustedOrigins) {
        String fetchSite = request.getHeader("Sec-Fetch-Site");
        if (fetchSite != null && fetchSite.trim().equalsIgnoreCase("cross-site")) {
            return true;
        }
        String origin = request.getHeader(HttpHeaders.ORIGIN);
        return !sameOrigin(request) && !(origin != null && trustedOrigins.contains(origin.trim().toLowerCase(Locale.ROOT)));
    }

    private void login(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        if (crossSite(request)) {
            loginForm(ctx, 403, "This form may only be sent from this site.");
            return;
        }
        String client = client(request);
        String username = request.getFormAttribute("username");
        Optional<Duration> blocked = throttle.blockedFor(client, username);
        if (blocked.isPresent()) {
            ctx.response().putHeader("Retry-After", Long.toString(Math.max(1, blocked.get().toSeconds())));
            loginForm(ctx, 429, waitMessage(blocked.get()));
            return;
        }
        if (credentials.matches(username, request.getFormAttribute("password"))) {
            throttle.succeeded(client);
            LOG.info("Admin {} logged in from {}", credentials.username(), client);
            ctx.response().putHeader(HttpHeaders.SET_COOKIE, cookie(request, sessions.issue(credentials.username()),
                            sessions.lifetime()))
                    .putHeader(HttpHeaders.LOCATION, "/").setStatusCode(303).end();
        } else {
            throttle.failed(client, username);
            LOG.warn("Failed admin login (form) from {}", client);
            loginForm(ctx, 401, "The user name or password is wrong.");
        }
    }

    private void logout(RoutingContext ctx) {
        if (crossSite(ctx.request())) {
            loginForm(ctx, 403, "This form may only be sent from this site.");
            return;
        }
        sessions.end(sessionCookie(ctx.request())); // the session ends on the server, not only in this browser
        ctx.response().putHeader(HttpHeaders.SET_COOKIE, cookie(ctx.request(), "", Duration.ZERO))
                .putHeader(HttpHeaders.LOCATION, "/login").setStatusCode(303).end();
    }

    private void unauthenticated(RoutingContext ctx, AccessRule rule) {
        if (rule == AccessRule.API) {
            // the page sends X-Requested-With: a Basic challenge there would pop up the browser's own dialog
            if (ctx.request().getHeader("X-Requested-With") == null) {
                ctx.response().putHeader("WWW-Authenticate", "Basic realm=\"crmsync\", charset=\"UTF-8\"");
            }
            json(ctx, 401, "Authentication required");
        } else {
            loginForm(ctx, 401, null);
        }
    }

    private void tooManyFailures(RoutingContext ctx, AccessRule rule, Duration wait) {
        ctx.response().putHeader("Retry-After", Long.toString(Math.max(1, wait.toSeconds())));
        if (rule == AccessRule.API) {
            json(ctx, 429, waitMessage(wait));
        } else {
            loginForm(ctx, 429, waitMessage(wait));
        }
    }

    private void loginForm(RoutingContext ctx, int status, String message) {
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8")
                .end(files.loginForm(message));
    }

    private static void json(RoutingContext ctx, int status, String error) {
        String body = "{\"error\":\"" + error.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body);
    }

    private static String waitMessage(Duration wait) {
        return "Too many failed logins; try again in " + Math.max(1, wait.toSeconds()) + " seconds.";
    }

    private static String sessionCookie(HttpServerRequest request) {
        var cookie = request.getCookie(AdminSessions.COOKIE);
        return cookie == null ? null : cookie.getValue();
    }

    private static String cookie(HttpServerRequest request, String value, Duration maxAge) {
        boolean https = request.isSSL() || "https".equalsIgnoreCase(request.getHeader("X-Forwarded-Proto"));
        return AdminSessions.COOKIE + "=" + value + "; Path=/; Max-Age=" + maxAge.toSeconds()
                + "; HttpOnly; SameSite=Strict" + (https ? "; Secure" : "");
    }

    /** user name and password of a Basic header's value, or null when it is not one. */
    static String[] decodeBasic(String encoded) {
        try {
            String decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? null : new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static boolean isJson(String contentType) {
        return contentType != null && contentType.trim().toLowerCase(java.util.Locale.ROOT).startsWith("application/json");
    }

    /** No Origin, or this server's own. */
    private static boolean sameOrigin(HttpServerRequest request) {
        String origin = request.getHeader(HttpHeaders.ORIGIN);
        if (origin == null) {
            return true;
        }
        try {
            String authority = URI.create(origin).getAuthority();
            // the Host header, or HTTP/2's :authority
            var host = request.authority();
            String own = host == null ? null : host.port() >= 0 ? host.host() + ":" + host.port() : host.host();
            return authority != null && authority.equalsIgnoreCase(own);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The caller, for throttling and logs: the TCP peer, or what a trusted proxy says it forwards for. */
    private String client(HttpServerRequest request) {
        return clients.of(request.remoteAddress() == null ? null : request.remoteAddress().host(),
                request.getHeader("X-Forwarded-For"));
    }
}

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
import java.util.Optional;

/**
 * The login in front of the service's HTTP server (Vert.x handlers ahead of every Camel route):
 * checks the session cookie or HTTP Basic on the admin API, the page and the sandbox helpers,
 * serves the login form and the page's files, and adds the security headers to every answer.
 */
public final class AdminAccess {

    /** The logged-in admin's name, as the routes see it (e.g. who started a bulk sync); set here only. */
    public static final String USER_HEADER = "X-Crmsync-Admin-User";


    private static final Logger LOG = LoggerFactory.getLogger(AdminAccess.class);
    /** Ahead of the Camel routes, which the router orders from 0 up. */
    private static final int FIRST = -1000;

    private final AdminCredentials credentials;
    private final SessionTokens sessions;
    private final LoginThrottle throttle;
    private final PageFiles files;

    public AdminAccess(AdminCredentials credentials, SessionTokens sessions, LoginThrottle throttle, PageFiles files) {
        this.credentials = credentials;
        this.sessions = sessions;
        this.throttle = throttle;
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
        AccessRule rule = AccessRule.of(ctx.normalizedPath());
        ctx.addHeadersEndHandler(v -> SecurityHeaders.apply(ctx.response().headers()));
        request.headers().remove(USER_HEADER); // only this handler says who is logged in
        if (rule == AccessRule.SIGNED || rule == AccessRule.OPEN) {
            ctx.next();
            return;
        }
        Optional<String> user = sessions.verify(sessionCookie(request));
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (user.isEmpty() && authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            String client = client(request);
            Optional<Duration> blocked = throttle.blockedFor(client);
            if (blocked.isPresent()) {
                tooManyFailures(ctx, rule, blocked.get());
                return;
            }
            String[] basic = decodeBasic(authorization.substring(6).trim());
            if (basic != null && credentials.matches(basic[0], basic[1])) {
                throttle.succeeded(client);
                user = Optional.of(basic[0]);
            } else {
                throttle.failed(client);
                LOG.warn("Failed admin login (HTTP Basic) from {} for {}", client, request.path());
            }
        }
        if (user.isEmpty()) {
            unauthenticated(ctx, rule);
            return;
        }
        if (rule == AccessRule.API && AccessRule.needsJsonContentType(request.method().name())
                && !isJson(request.getHeader(HttpHeaders.CONTENT_TYPE))) {
            json(ctx, 415, "State-changing API calls must send Content-Type: application/json.");
            return;
        }
        // the routes need neither; keeps the password and the session out of exchanges (and so out of logs)
        request.headers().remove(HttpHeaders.AUTHORIZATION);
        request.headers().remove(HttpHeaders.COOKIE);
        request.headers().set(USER_HEADER, user.get());
        ctx.next();
    }

    private void login(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        if (!sameOrigin(request)) {
            loginForm(ctx, 403, "This form may only be sent from this site.");
            return;
        }
        String client = client(request);
        Optional<Duration> blocked = throttle.blockedFor(client);
        if (blocked.isPresent()) {
            loginForm(ctx, 429, waitMessage(blocked.get()));
            return;
        }
        String username = request.getFormAttribute("username");
        if (credentials.matches(username, request.getFormAttribute("password"))) {
            throttle.succeeded(client);
            LOG.info("Admin {} logged in from {}", credentials.username(), client);
            ctx.response().putHeader(HttpHeaders.SET_COOKIE, cookie(request, sessions.issue(), sessions.lifetime()))
                    .putHeader(HttpHeaders.LOCATION, "/").setStatusCode(303).end();
        } else {
            throttle.failed(client);
            LOG.warn("Failed admin login (form) from {}", client);
            loginForm(ctx, 401, "The user name or password is wrong.");
        }
    }

    private void logout(RoutingContext ctx) {
        if (!sameOrigin(ctx.request())) {
            loginForm(ctx, 403, "This form may only be sent from this site.");
            return;
        }
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
        var cookie = request.getCookie(SessionTokens.COOKIE);
        return cookie == null ? null : cookie.getValue();
    }

    private static String cookie(HttpServerRequest request, String value, Duration maxAge) {
        boolean https = request.isSSL() || "https".equalsIgnoreCase(request.getHeader("X-Forwarded-Proto"));
        return SessionTokens.COOKIE + "=" + value + "; Path=/; Max-Age=" + maxAge.toSeconds()
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

    /** A browser sends Origin on a form POST; another site's page must not log anyone in or out. */
    private static boolean sameOrigin(HttpServerRequest request) {
        String origin = request.getHeader(HttpHeaders.ORIGIN);
        if (origin == null) {
            return true;
        }
        try {
            String authority = URI.create(origin).getAuthority();
            return authority != null && authority.equalsIgnoreCase(request.getHeader(HttpHeaders.HOST));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The caller, for throttling and logs: the peer address and, behind a load balancer, the forwarded one. */
    private static String client(HttpServerRequest request) {
        String peer = request.remoteAddress() == null ? "?" : request.remoteAddress().host();
        String forwarded = request.getHeader("X-Forwarded-For");
        return forwarded == null ? peer : peer + " (for " + forwarded.split(",")[0].trim() + ")";
    }
}

package io.github.crmsync.sandbox.salesforce;

import com.sun.net.httpserver.HttpExchange;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import static io.github.crmsync.sandbox.salesforce.SalesforceSimulator.OTHER_CLIENT_ID;
import static io.github.crmsync.sandbox.salesforce.SalesforceSimulator.OTHER_CLIENT_SECRET;
import static io.github.crmsync.sandbox.salesforce.SalesforceSimulator.OTHER_REFRESH_TOKEN;
import static io.github.crmsync.sandbox.salesforce.SalesforceSimulator.PASSWORD;
import static io.github.crmsync.sandbox.salesforce.SalesforceSimulator.SECURITY_TOKEN;
import static io.github.crmsync.sandbox.salesforce.SalesforceSimulator.SERVICE_CLIENT_ID;
import static io.github.crmsync.sandbox.salesforce.SalesforceSimulator.SERVICE_CLIENT_SECRET;
import static io.github.crmsync.sandbox.salesforce.SalesforceSimulator.SERVICE_REFRESH_TOKEN;
import static io.github.crmsync.sandbox.salesforce.SalesforceSimulator.USERNAME;

/**
 * The OAuth 2.0 token endpoint ({@code POST /services/oauth2/token}: password, client_credentials,
 * refresh_token grants) and the bearer tokens it issued, with their lifetime.
 */
final class OAuthServer {

    private static final Map<String, String> CLIENTS = Map.of(SERVICE_CLIENT_ID, SERVICE_CLIENT_SECRET,
            OTHER_CLIENT_ID, OTHER_CLIENT_SECRET);
    private static final Map<String, String> REFRESH_TOKENS = Map.of(SERVICE_REFRESH_TOKEN, SERVICE_CLIENT_ID,
            OTHER_REFRESH_TOKEN, OTHER_CLIENT_ID);

    private final Duration tokenLifetime;
    private final Supplier<String> baseUrl;
    private final String orgId;
    private final java.util.function.Function<String, String> userIdOfClient;
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final java.util.concurrent.atomic.AtomicLong issued = new java.util.concurrent.atomic.AtomicLong();
    private volatile long tokensValidFrom;

    private record Token(String clientId, long issuedAt, long expiresAt) {
    }

    /** @param userIdOfClient the user each connected app's logins act as (the service has an integration user of its own) */
    OAuthServer(Duration tokenLifetime, Supplier<String> baseUrl, String orgId,
                java.util.function.Function<String, String> userIdOfClient) {
        this.tokenLifetime = tokenLifetime;
        this.baseUrl = baseUrl;
        this.orgId = orgId;
        this.userIdOfClient = userIdOfClient;
    }

    /** Every token issued so far answers 401 from now on. */
    void expireAll() {
        tokensValidFrom = System.currentTimeMillis() + 1;
        tokens.clear();
    }


    void token(HttpExchange ex) throws IOException {
        if (!ex.getRequestMethod().equals("POST")) {
            Http.sendJson(ex, 400, Map.of("error", "invalid_request", "error_description", "must use HTTP POST"));
            return;
        }
        Map<String, String> form = Http.form(new String(Http.body(ex), StandardCharsets.UTF_8));
        String grant = form.getOrDefault("grant_type", "");
        String clientId = form.get("client_id");
        String clientSecret = form.get("client_secret");
        String basic = ex.getRequestHeaders().getFirst("Authorization");
        if (basic != null && basic.regionMatches(true, 0, "Basic ", 0, 6)) {
            String decoded = new String(Base64.getDecoder().decode(basic.substring(6).trim()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            if (colon > 0) {
                clientId = java.net.URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8);
                clientSecret = java.net.URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8);
            }
        }
        switch (grant) {
            case "password" -> {
                if (!knownClient(ex, clientId) || !secretMatches(ex, clientId, clientSecret)) {
                    return;
                }
                String password = form.getOrDefault("password", "");
                if (!USERNAME.equalsIgnoreCase(form.getOrDefault("username", ""))
                        || !(password.equals(PASSWORD) || password.equals(PASSWORD + SECURITY_TOKEN))) {
                    oauthError(ex, "invalid_grant", "authentication failure");
                    return;
                }
                issue(ex, clientId, false);
            }
            case "client_credentials" -> {
                if (!knownClient(ex, clientId)) {
                    return;
                }
                if (!CLIENTS.get(clientId).equals(clientSecret)) {
                    oauthError(ex, "invalid_client", "invalid client credentials");
                    return;
                }
                issue(ex, clientId, true);
            }
            case "refresh_token" -> {
                if (!knownClient(ex, clientId)) {
                    return;
                }
                if (clientSecret != null && !CLIENTS.get(clientId).equals(clientSecret)) {
                    oauthError(ex, "invalid_client", "invalid client credentials");
                    return;
                }
                String owner = REFRESH_TOKENS.get(form.getOrDefault("refresh_token", ""));
                if (owner == null || !owner.equals(clientId)) {
                    oauthError(ex, "invalid_grant", "expired access/refresh token");
                    return;
                }
                issue(ex, clientId, true);
            }
            case "" -> oauthError(ex, "invalid_request", "grant type not specified");
            default -> oauthError(ex, "unsupported_grant_type", "grant type not supported");
        }
    }

    private boolean knownClient(HttpExchange ex, String clientId) throws IOException {
        if (clientId == null || !CLIENTS.containsKey(clientId)) {
            oauthError(ex, "invalid_client_id", "client identifier invalid");
            return false;
        }
        return true;
    }

    private boolean secretMatches(HttpExchange ex, String clientId, String secret) throws IOException {
        if (!CLIENTS.get(clientId).equals(secret)) {
            oauthError(ex, "invalid_client", "invalid client credentials");
            return false;
        }
        return true;
    }

    private static void oauthError(HttpExchange ex, String error, String description) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("error_description", description);
        Http.sendJson(ex, 400, body);
    }

    private void issue(HttpExchange ex, String clientId, boolean withScope) throws IOException {
        byte[] secret = new byte[24];
        random.nextBytes(secret);
        String accessToken = orgId.substring(0, 15) + "!" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        long now = System.currentTimeMillis();
        tokens.put(accessToken, new Token(clientId, now, now + tokenLifetime.toMillis()));
        String id = baseUrl.get() + "/id/" + orgId + "/" + userIdOfClient.apply(clientId);
        String issuedAt = Long.toString(now);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", accessToken);
        body.put("signature", sign(CLIENTS.get(clientId), id + issuedAt));
        issued.incrementAndGet();
        if (withScope) {
            body.put("scope", "api");
        }
        body.put("instance_url", baseUrl.get());
        body.put("id", id);
        body.put("token_type", "Bearer");
        body.put("issued_at", issuedAt);
        Http.sendJson(ex, 200, body);
    }

    /** Access tokens issued since start (tests see a re-login happen). */
    long issuedCount() {
        return issued.get();
    }

    /** As Salesforce documents it: Base64 HMAC-SHA256 of id + issued_at, keyed with the client secret. */
    private static String sign(String clientSecret, String value) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(clientSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The client id a valid bearer token was issued to, or null. */
    String authenticate(HttpExchange ex) {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth == null) {
            return null;
        }
        String value = auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).trim()
                : auth.regionMatches(true, 0, "OAuth ", 0, 6) ? auth.substring(6).trim() : null;
        return clientOfToken(value);
    }

    /** The client id a valid access token was issued to, or null. */
    String clientOfToken(String value) {
        Token t = value == null ? null : tokens.get(value);
        long now = System.currentTimeMillis();
        if (t == null || now >= t.expiresAt() || t.issuedAt() < tokensValidFrom) {
            return null;
        }
        return t.clientId();
    }
}

package io.github.crmsync.alerts;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * The alert webhook's URL, which may carry a secret in its query or path
 * ({@code https://hooks.example.com/crmsync?key=…}): checked when saved (no user-info: HTTP clients
 * refuse it), shown to the admin API with its query masked, and named in logs by its origin only.
 */
public final class WebhookUrl {

    static final int MAX_LENGTH = 2048;
    static final String MASK = "***";

    private WebhookUrl() {
    }

    /** What is wrong with it as a webhook URL, or null when it may be saved. Never repeats the URL. */
    public static String problem(String url) {
        if (url.length() > MAX_LENGTH) {
            return "must be at most " + MAX_LENGTH + " characters";
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return "is not a URL (" + e.getReason() + ")";
        }
        if (!uri.isAbsolute() || uri.getScheme() == null) {
            return "must be an absolute http:// or https:// URL";
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return "must be an http:// or https:// URL, not " + scheme + ":";
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            return "must name a host (https://host/path)";
        }
        if (uri.getRawUserInfo() != null) {
            // HTTP clients refuse user:password@ in a request URI; a token belongs in the path or query
            return "must not contain user:password@ (put a token in the query instead)";
        }
        return null;
    }

    /** The URL with its user-info and query replaced by {@value #MASK}: what GET /api/settings shows. */
    public static String masked(String url) {
        if (url == null) {
            return null;
        }
        try {
            URI uri = new URI(url);
            if (uri.getRawUserInfo() == null && uri.getRawQuery() == null) {
                return url;
            }
            StringBuilder b = new StringBuilder(uri.getScheme()).append("://");
            if (uri.getRawUserInfo() != null) {
                b.append(MASK).append('@');
            }
            b.append(uri.getRawAuthority().substring(uri.getRawUserInfo() == null ? 0 : uri.getRawUserInfo().length() + 1));
            if (uri.getRawPath() != null) {
                b.append(uri.getRawPath());
            }
            if (uri.getRawQuery() != null) {
                b.append('?').append(MASK);
            }
            return b.toString();
        } catch (URISyntaxException | RuntimeException e) {
            return MASK;
        }
    }

    /** Scheme, host and port only: how logs name the webhook (its path may be a secret too). */
    public static String origin(String url) {
        try {
            URI uri = new URI(url);
            return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
        } catch (URISyntaxException | RuntimeException e) {
            return "(the configured webhook)";
        }
    }

    /** A failure's message with every part of the URL but its origin taken out (HTTP clients quote the URL they called). */
    public static String scrub(String message, String url) {
        if (message == null || url == null) {
            return message;
        }
        String scrubbed = message.replace(url, origin(url));
        try {
            URI uri = new URI(url);
            for (String part : new String[] {uri.getRawUserInfo(), uri.getUserInfo(), uri.getRawQuery(), uri.getQuery(),
                    uri.getRawPath(), uri.getPath()}) {
                if (part != null && part.length() > 1) {
                    scrubbed = scrubbed.replace(part, MASK);
                }
            }
        } catch (URISyntaxException | RuntimeException e) {
            // the URL as a whole is out already
        }
        return scrubbed;
    }
}

package io.github.crmsync.access;

/** What a request path needs before it is handled. */
public enum AccessRule {
    /** Checked by the endpoint itself with Intercom's signature (webhooks, Canvas Kit). */
    SIGNED,
    /**
     * Open: the login form, logging in and out, the style sheet the form uses, and the admin API's
     * OpenAPI description (paths and shapes only, as docs/api.md has them; no data, nothing secret).
     */
    OPEN,
    /** The admin API and the sandbox helpers: a login, else 401 JSON. */
    API,
    /** The settings page and anything else: a login, else 401 with the login form. */
    PAGE;

    /** The rule of a normalised request path; unknown paths need a login too (closed by default). */
    public static AccessRule of(String path) {
        if (path == null) {
            return PAGE;
        }
        return switch (path) {
            case "/intercom/webhooks", "/intercom/canvas/initialize" -> SIGNED;
            case "/login", "/logout", "/app.css", "/api/openapi.json" -> OPEN;
            default -> path.equals("/api") || path.startsWith("/api/") || path.startsWith("/sandbox/") ? API : PAGE;
        };
    }

    /** Calls that change state: refused from another site's page, and their bodies must be JSON (CSRF). */
    public static boolean changesState(String method) {
        return switch (method) {
            case "POST", "PUT", "PATCH", "DELETE" -> true;
            default -> false;
        };
    }
}

package io.github.crmsync.access;

import io.vertx.core.MultiMap;

/** Headers every answer of the service's HTTP server carries. */
public final class SecurityHeaders {

    /** Scripts, styles and calls from this origin only; no inline script or style, no framing. */
    public static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private SecurityHeaders() {
    }

    public static void apply(MultiMap headers) {
        headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("X-Frame-Options", "DENY");
        // same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on form posts, which the login checks
        headers.set("Referrer-Policy", "same-origin");
        // admin answers and the page change with every call and may hold personal data: never cached
        headers.set("Cache-Control", "no-store");
        // Camel copies request headers into the exchange; never send the caller's credentials back
        headers.remove("Authorization");
        headers.remove("Cookie");
    }
}

package io.github.crmsync.intercom;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Intercom's request signatures: webhooks carry {@code X-Hub-Signature: sha1=<hex HMAC-SHA1 of the
 * raw body>}, Canvas Kit requests {@code X-Body-Signature: <hex HMAC-SHA256>}, both keyed with the
 * app's client secret. Compared in constant time, on the raw bytes, before anything is parsed.
 */
public final class WebhookSignature {

    private final byte[] secret;

    public WebhookSignature(String clientSecret) {
        if (clientSecret == null || clientSecret.isEmpty()) {
            throw new IllegalArgumentException("the Intercom client secret is not set");
        }
        this.secret = clientSecret.getBytes(StandardCharsets.UTF_8);
    }

    /** True only for {@code sha1=} followed by the right 40 hex digits for this body. */
    public boolean validHubSignature(String header, byte[] body) {
        if (header == null || !header.startsWith("sha1=")) {
            return false;
        }
        return constantTimeEquals(header.substring(5), hmac("HmacSHA1", body));
    }

    /** True only for the right 64 hex digits of HMAC-SHA256 for this body. */
    public boolean validBodySignature(String header, byte[] body) {
        return header != null && constantTimeEquals(header, hmac("HmacSHA256", body));
    }

    public String hubSignature(byte[] body) {
        return "sha1=" + hmac("HmacSHA1", body);
    }

    /** The {@code X-Body-Signature} Intercom sends with a Canvas Kit request of this body. */
    public String bodySignature(byte[] body) {
        return hmac("HmacSHA256", body);
    }

    private String hmac(String algorithm, byte[] body) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(secret, algorithm));
            return HexFormat.of().formatHex(mac.doFinal(body == null ? new byte[0] : body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " is not available", e);
        }
    }

    private static boolean constantTimeEquals(String given, String expected) {
        return MessageDigest.isEqual(given.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII),
                expected.getBytes(StandardCharsets.US_ASCII));
    }
}

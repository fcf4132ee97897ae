package io.github.crmsync.access;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * Signed session tokens, the value of the session cookie: {@code <user>|<expiry seconds>|<nonce>}
 * and its HMAC-SHA256, both base64url. Stateless, so every replica behind the load balancer accepts
 * a session another one issued; the key is derived from the admin credentials.
 */
public final class SessionTokens {

    public static final String COOKIE = "crmsync_session";
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final AdminCredentials credentials;
    private final Duration lifetime;
    private final Clock clock;

    public SessionTokens(AdminCredentials credentials, Duration lifetime, Clock clock) {
        this.credentials = credentials;
        this.lifetime = lifetime;
        this.clock = clock;
    }

    public Duration lifetime() {
        return lifetime;
    }

    public String issue() {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        long expires = clock.instant().plus(lifetime).getEpochSecond();
        String payload = credentials.username() + "|" + expires + "|" + B64.encodeToString(nonce);
        byte[] payloadBytes = payload.getBytes(StandardCharsets.UTF_8);
        return B64.encodeToString(payloadBytes) + "." + B64.encodeToString(mac(payloadBytes));
    }

    /** The user name of a valid, unexpired token. */
    public Optional<String> verify(String token) {
        if (token == null) {
            return Optional.empty();
        }
        int dot = token.indexOf('.');
        if (dot <= 0 || dot != token.lastIndexOf('.')) {
            return Optional.empty();
        }
        try {
            byte[] payload = B64D.decode(token.substring(0, dot));
            byte[] signature = B64D.decode(token.substring(dot + 1));
            if (!MessageDigest.isEqual(mac(payload), signature)) {
                return Optional.empty();
            }
            String[] parts = new String(payload, StandardCharsets.UTF_8).split("\\|");
            if (parts.length != 3 || !parts[0].equals(credentials.username())) {
                return Optional.empty();
            }
            Instant expires = Instant.ofEpochSecond(Long.parseLong(parts[1]));
            return clock.instant().isBefore(expires) ? Optional.of(parts[0]) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private byte[] mac(byte[] payload) {
        return hmac(credentials.sessionKey(), payload);
    }

    static byte[] deriveKey(String username, String password) {
        return hmac(password.getBytes(StandardCharsets.UTF_8),
                ("crmsync session key v1|" + username).getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.github.crmsync.access;

import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * Admin sessions, kept in PostgreSQL so that every replica knows them and logging out or changing
 * the password ends them. The cookie is {@code <random id>.<HMAC of the id>}: the HMAC key is random
 * (stored in the database, never derived from the password), so a stolen cookie tells nothing about
 * the password; the database keeps only the SHA-256 of the id. A session ends after {@code idle}
 * without use, after {@code lifetime} in any case, on logout, and when the admin password changes
 * (the key is rotated and every session deleted).
 */
public final class AdminSessions {

    public static final String COOKIE = "crmsync_session";
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();
    private static final SecureRandom RANDOM = new SecureRandom();
    /** last_seen_at is written at most this often per session (not on every request). */
    private final Duration touchEvery;

    private final DataSource dataSource;
    private final Duration lifetime;
    private final Duration idle;
    private final Clock clock;
    private final byte[] key;

    /** Loads the signing key, rotating it (and ending every session) when there is none or the password changed. */
    public AdminSessions(DataSource dataSource, String password, Duration lifetime,
                         Duration idle, Clock clock) {
        this.dataSource = dataSource;
        this.lifetime = lifetime;
        this.idle = idle;
        this.touchEvery = idle.dividedBy(10).compareTo(Duration.ofSeconds(30)) < 0 ? idle.dividedBy(10) : Duration.ofSeconds(30);
        this.clock = clock;
        this.key = loadOrRotateKey(password);
    }

    public Duration lifetime() {
        return lifetime;
    }

    /** A new session for this user; the cookie value. */
    public String issue(String username) {
        byte[] id = new byte[32];
        RANDOM.nextBytes(id);
        Instant now = clock.instant();
        try (Connection c = dataSource.getConnection(); PreparedStatement insert = c.prepareStatement(
                "INSERT INTO admin_session (id, username, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?)")) {
            insert.setBytes(1, sha256(id));
            insert.setString(2, username);
            insert.setTimestamp(3, Timestamp.from(now));
            insert.setTimestamp(4, Timestamp.from(now));
            insert.setTimestamp(5, Timestamp.from(now.plus(lifetime)));
            insert.executeUpdate();
            // expired sessions go as new ones come
            try (PreparedStatement purge = c.prepareStatement(
                    "DELETE FROM admin_session WHERE expires_at < ? OR last_seen_at < ?")) {
                purge.setTimestamp(1, Timestamp.from(now));
                purge.setTimestamp(2, Timestamp.from(now.minus(idle)));
                purge.executeUpdate();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Storing an admin session failed: " + e.getMessage(), e);
        }
        return B64.encodeToString(id) + "." + B64.encodeToString(hmac(key, id));
    }

    /** The user of a live session (and marks it used), else empty. */
    public Optional<String> verify(String cookie) {
        byte[] id = signedId(cookie);
        if (id == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        try (Connection c = dataSource.getConnection(); PreparedStatement select = c.prepareStatement(
                "SELECT username, last_seen_at, expires_at FROM admin_session WHERE id = ?")) {
            select.setBytes(1, sha256(id));
            try (ResultSet rs = select.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Instant lastSeen = rs.getTimestamp(2).toInstant();
                if (!now.isBefore(rs.getTimestamp(3).toInstant()) || !now.isBefore(lastSeen.plus(idle))) {
                    return Optional.empty();
                }
                String user = rs.getString(1);
                if (!now.isBefore(lastSeen.plus(touchEvery))) {
                    try (PreparedStatement touch = c.prepareStatement("UPDATE admin_session SET last_seen_at = ? WHERE id = ?")) {
                        touch.setTimestamp(1, Timestamp.from(now));
                        touch.setBytes(2, sha256(id));
                        touch.executeUpdate();
                    }
                }
                return Optional.of(user);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Reading an admin session failed: " + e.getMessage(), e);
        }
    }

    /** Ends the session (logout); a forged or unknown cookie ends nothing. */
    public void end(String cookie) {
        byte[] id = signedId(cookie);
        if (id == null) {
            return;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement delete = c.prepareStatement(
                "DELETE FROM admin_session WHERE id = ?")) {
            delete.setBytes(1, sha256(id));
            delete.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Ending an admin session failed: " + e.getMessage(), e);
        }
    }

    /** The id of a cookie whose HMAC is right (checked before any database look-up), else null. */
    private byte[] signedId(String cookie) {
        if (cookie == null) {
            return null;
        }
        int dot = cookie.indexOf('.');
        if (dot <= 0 || dot != cookie.lastIndexOf('.')) {
            return null;
        }
        try {
            byte[] id = B64D.decode(cookie.substring(0, dot));
            byte[] signature = B64D.decode(cookie.substring(dot + 1));
            return id.length == 32 && MessageDigest.isEqual(hmac(key, id), signature) ? id : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private byte[] loadOrRotateKey(String password) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                // one replica at a time decides whether to rotate
                try (PreparedStatement lock = c.prepareStatement("LOCK TABLE admin_session_key IN EXCLUSIVE MODE")) {
                    lock.execute();
                }
                try (PreparedStatement select = c.prepareStatement(
                        "SELECT signing_key, password_salt, password_check FROM admin_session_key WHERE id = 1");
                     ResultSet rs = select.executeQuery()) {
                    if (rs.next() && MessageDigest.isEqual(passwordCheck(password, rs.getBytes(2)), rs.getBytes(3))) {
                        byte[] stored = rs.getBytes(1);
                        c.commit();
                        return stored;
                    }
                }
                byte[] fresh = new byte[32];
                byte[] salt = new byte[16];
                RANDOM.nextBytes(fresh);
                RANDOM.nextBytes(salt);
                try (PreparedStatement upsert = c.prepareStatement("""
                        INSERT INTO admin_session_key (id, signing_key, password_salt, password_check, rotated_at)
                        VALUES (1, ?, ?, ?, now())
                        ON CONFLICT (id) DO UPDATE SET signing_key = EXCLUDED.signing_key, password_salt = EXCLUDED.password_salt,
                            password_check = EXCLUDED.password_check, rotated_at = now()
                        """); PreparedStatement endAll = c.prepareStatement("DELETE FROM admin_session")) {
                    upsert.setBytes(1, fresh);
                    upsert.setBytes(2, salt);
                    upsert.setBytes(3, passwordCheck(password, salt));
                    upsert.executeUpdate();
                    endAll.executeUpdate();
                }
                c.commit();
                return fresh;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Loading the session signing key failed: " + e.getMessage(), e);
        }
    }

    /** PBKDF2 of the password: tells a changed password without keeping the password. */
    static byte[] passwordCheck(String password, byte[] salt) {
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                    .generateSecret(new PBEKeySpec(password.toCharArray(), salt, 210_000, 256)).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
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

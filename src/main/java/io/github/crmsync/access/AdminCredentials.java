package io.github.crmsync.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/**
 * The configured admin user name and password. Compared in constant time: both sides are hashed
 * first, so neither the content nor the length of the password leaks through timing.
 */
public final class AdminCredentials {

    private final String username;
    private final byte[] usernameDigest;
    private final byte[] passwordDigest;

    public AdminCredentials(String username, String password) {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        if (password.isEmpty()) {
            throw new IllegalArgumentException("the admin password must not be empty");
        }
        this.username = username;
        this.usernameDigest = sha256(username);
        this.passwordDigest = sha256(password);
    }

    public String username() {
        return username;
    }

    public boolean matches(String username, String password) {
        if (username == null || password == null) {
            return false;
        }
        boolean user = MessageDigest.isEqual(usernameDigest, sha256(username));
        boolean pass = MessageDigest.isEqual(passwordDigest, sha256(password));
        return user & pass;
    }

    static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Never print the password. */
    @Override
    public String toString() {
        return "AdminCredentials[username=" + username + "]";
    }
}

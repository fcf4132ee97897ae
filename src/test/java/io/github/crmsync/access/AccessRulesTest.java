package io.github.crmsync.access;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The rules of the login without a server: credentials, session tokens, throttling, which paths need what. */
class AccessRulesTest {

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-28T14:00:00Z"));
    private final Clock clock = new Clock() {
        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };

    @Test
    void credentialsMatchOnlyTheExactUserAndPassword() {
        AdminCredentials admin = new AdminCredentials("admin", "s3cret-Pw");
        assertThat(admin.matches("admin", "s3cret-Pw")).isTrue();
        assertThat(admin.matches("admin", "s3cret-pw")).isFalse();
        assertThat(admin.matches("admin", "s3cret-Pw ")).isFalse();
        assertThat(admin.matches("Admin", "s3cret-Pw")).isFalse();
        assertThat(admin.matches("admin", null)).isFalse();
        assertThat(admin.matches(null, "s3cret-Pw")).isFalse();
        assertThat(admin.toString()).doesNotContain("s3cret");
        assertThatThrownBy(() -> new AdminCredentials("admin", "")).hasMessageContaining("must not be empty");
    }

    @Test
    void aSessionTokenIsAcceptedUntilItExpiresAndOnlyWithTheSameCredentials() {
        AdminCredentials admin = new AdminCredentials("admin", "pw-one");
        SessionTokens tokens = new SessionTokens(admin, Duration.ofHours(8), clock);
        String token = tokens.issue();
        assertThat(token).doesNotContain("pw-one");
        assertThat(tokens.issue()).as("each login gets its own token").isNotEqualTo(token);
        assertThat(tokens.verify(token)).hasValue("admin");
        assertThat(new SessionTokens(new AdminCredentials("admin", "pw-one"), Duration.ofHours(8), clock).verify(token))
                .as("another replica with the same settings").hasValue("admin");
        assertThat(new SessionTokens(new AdminCredentials("admin", "pw-two"), Duration.ofHours(8), clock).verify(token))
                .as("after the password changed").isEmpty();

        String[] parts = token.split("\\.");
        String forged = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString("admin|99999999999|x".getBytes())
                + "." + parts[1];
        assertThat(tokens.verify(forged)).isEmpty();
        assertThat(tokens.verify(token + "A")).isEmpty();
        assertThat(tokens.verify("not a token")).isEmpty();
        assertThat(tokens.verify(null)).isEmpty();

        now.set(now.get().plus(Duration.ofHours(8)));
        assertThat(tokens.verify(token)).as("expired").isEmpty();
    }

    @Test
    void tenFailuresWithinTheWindowBlockThatClientUntilTheOldestLeavesIt() {
        LoginThrottle throttle = new LoginThrottle(10, Duration.ofMinutes(5), clock);
        for (int i = 0; i < 9; i++) {
            throttle.failed("10.0.0.1");
            now.set(now.get().plusSeconds(1));
        }
        assertThat(throttle.blockedFor("10.0.0.1")).isEmpty();
        throttle.failed("10.0.0.1");
        assertThat(throttle.blockedFor("10.0.0.1")).hasValue(Duration.ofSeconds(291));
        assertThat(throttle.blockedFor("10.0.0.2")).isEmpty();
        now.set(now.get().plusSeconds(291));
        assertThat(throttle.blockedFor("10.0.0.1")).isEmpty();

        throttle.failed("10.0.0.3");
        throttle.succeeded("10.0.0.3");
        assertThat(throttle.blockedFor("10.0.0.3")).isEmpty();
    }

    @Test
    void onlyTheSignedIntercomEndpointsAndTheLoginItselfAreOpen() {
        assertThat(AccessRule.of("/intercom/webhooks")).isEqualTo(AccessRule.SIGNED);
        assertThat(AccessRule.of("/intercom/canvas/initialize")).isEqualTo(AccessRule.SIGNED);
        assertThat(AccessRule.of("/login")).isEqualTo(AccessRule.OPEN);
        assertThat(AccessRule.of("/app.css")).isEqualTo(AccessRule.OPEN);
        assertThat(AccessRule.of("/api/mappings")).isEqualTo(AccessRule.API);
        assertThat(AccessRule.of("/api")).isEqualTo(AccessRule.API);
        assertThat(AccessRule.of("/sandbox/mail")).isEqualTo(AccessRule.API);
        assertThat(AccessRule.of("/")).isEqualTo(AccessRule.PAGE);
        assertThat(AccessRule.of("/app.js")).isEqualTo(AccessRule.PAGE);
        assertThat(AccessRule.of("/intercom/webhooks/extra")).isEqualTo(AccessRule.PAGE);
        assertThat(AccessRule.of("/apix")).isEqualTo(AccessRule.PAGE);
        assertThat(AccessRule.needsJsonContentType("POST")).isTrue();
        assertThat(AccessRule.needsJsonContentType("DELETE")).isTrue();
        assertThat(AccessRule.needsJsonContentType("GET")).isFalse();
    }

    @Test
    void theLoginFormEscapesItsMessage() {
        assertThat(new PageFiles().loginForm("<b>\"x\"</b>")).contains("&lt;b&gt;&quot;x&quot;&lt;/b&gt;")
                .doesNotContain("<b>");
    }
}

package io.github.crmsync.access;

import io.github.crmsync.testing.SettableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The rules of the login without a server: credentials, throttling, client addresses, which paths get what. */
class AccessRulesTest {

    private final SettableClock clock = new SettableClock(Instant.parse("2026-11-28T14:00:00Z"));

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
    void tenFailuresFromOneClientWithinTheWindowBlockThatClientUntilTheOldestLeavesIt() {
        LoginThrottle throttle = new LoginThrottle(10, 30, Duration.ofMinutes(5), 10_000, clock);
        for (int i = 0; i < 9; i++) {
            throttle.failed("10.0.0.1", "admin");
            clock.advance(Duration.ofSeconds(1));
        }
        assertThat(throttle.blockedFor("10.0.0.1", "admin")).isEmpty();
        throttle.failed("10.0.0.1", "admin");
        assertThat(throttle.blockedFor("10.0.0.1", "admin")).hasValue(Duration.ofSeconds(291));
        assertThat(throttle.blockedFor("10.0.0.1", null)).as("whatever user it tries").hasValue(Duration.ofSeconds(291));
        assertThat(throttle.blockedFor("10.0.0.2", "admin")).isEmpty();
        clock.advance(Duration.ofSeconds(291));
        assertThat(throttle.blockedFor("10.0.0.1", "admin")).isEmpty();

        throttle.failed("10.0.0.3", "admin");
        throttle.succeeded("10.0.0.3");
        assertThat(throttle.blockedFor("10.0.0.3", "admin")).isEmpty();
    }

    @Test
    void aGuessSpreadOverManyAddressesIsSlowedPerUserName() {
        LoginThrottle throttle = new LoginThrottle(10, 30, Duration.ofMinutes(5), 10_000, clock);
        for (int i = 0; i < 30; i++) {
            throttle.failed("198.51.100." + i, "admin");
        }
        assertThat(throttle.blockedFor("203.0.113.9", "admin")).as("a fresh address, the same user").isPresent();
        assertThat(throttle.blockedFor("203.0.113.9", "someone-else")).isEmpty();
        clock.advance(Duration.ofMinutes(5));
        assertThat(throttle.blockedFor("203.0.113.9", "admin")).isEmpty();
    }

    @Test
    void aFloodOfAddressesEvictsTheOldestNotEveryone() {
        LoginThrottle throttle = new LoginThrottle(10, 1_000_000, Duration.ofMinutes(5), 100, clock);
        for (int i = 0; i < 10; i++) {
            throttle.failed("10.0.0.1", "admin");
        }
        for (int i = 0; i < 99; i++) {
            throttle.failed("192.0.2." + i, "x" + i);
        }
        assertThat(throttle.blockedFor("10.0.0.1", "admin")).as("still tracked among 100").isPresent();
        for (int i = 0; i < 20_000; i++) {
            throttle.failed("flood-" + i, "y");
        }
        assertThat(throttle.blockedFor("flood-19999", "y")).as("the flood's own count is kept").isEmpty();
        LoginThrottle other = new LoginThrottle(10, 1_000_000, Duration.ofMinutes(5), 100, clock);
        for (int i = 0; i < 10; i++) {
            other.failed("10.0.0.1", "admin");
        }
        for (int i = 0; i < 99; i++) {
            other.failed("flood-" + i, "y");
            other.blockedFor("10.0.0.1", "admin"); // the guesser keeps trying: recently used, not evicted
        }
        assertThat(other.blockedFor("10.0.0.1", "admin")).isPresent();
    }

    @Test
    void forwardedForIsBelievedOnlyFromATrustedProxy() {
        ClientAddress none = ClientAddress.trusting("");
        assertThat(none.of("203.0.113.7", "198.51.100.1")).isEqualTo("203.0.113.7");
        assertThat(none.of("203.0.113.7", null)).isEqualTo("203.0.113.7");

        ClientAddress proxies = ClientAddress.trusting("10.0.0.0/8, 192.168.1.10");
        assertThat(proxies.of("10.1.2.3", "198.51.100.1")).isEqualTo("198.51.100.1");
        assertThat(proxies.of("10.1.2.3", "6.6.6.6, 198.51.100.1")).as("the right-most untrusted hop, not what the caller made up")
                .isEqualTo("198.51.100.1");
        assertThat(proxies.of("10.1.2.3", "198.51.100.1, 192.168.1.10")).isEqualTo("198.51.100.1");
        assertThat(proxies.of("192.168.1.11", "198.51.100.1")).isEqualTo("192.168.1.11");
        assertThat(proxies.of("10.1.2.3", "not-an-address")).isEqualTo("10.1.2.3");
        assertThatThrownBy(() -> ClientAddress.trusting("proxy.example.com")).hasMessageContaining("crmsync.http.trusted-proxies");
        assertThatThrownBy(() -> ClientAddress.trusting("10.0.0.0/33")).hasMessageContaining("prefix");
    }

    @Test
    void aRouteReceivesOnlyTheHeadersAndQueryParametersItReads() {
        assertThat(InboundRequests.headerAllowed("/intercom/webhooks", "X-Hub-Signature")).isTrue();
        assertThat(InboundRequests.headerAllowed("/intercom/webhooks", "X-Body-Signature")).isFalse();
        assertThat(InboundRequests.headerAllowed("/api/event-sync/run", "sObjectQuery")).isFalse();
        assertThat(InboundRequests.headerAllowed("/api/event-sync/run", "Authorization")).isFalse();
        assertThat(InboundRequests.headerAllowed("/api/event-sync/run", "Content-Type")).isTrue();
        assertThat(InboundRequests.queryParameterAllowed("/intercom/webhooks", "X-Hub-Signature")).isFalse();
        assertThat(InboundRequests.queryParameterAllowed("/api/mappings/12", "confirm")).isTrue();
        assertThat(InboundRequests.queryParameterAllowed("/api/bulk-sync", "X-Crmsync-Admin-User")).isFalse();
        assertThat(InboundRequests.queryParameterAllowed("/api/bulk-sync/runs", "limit")).isTrue();
        assertThat(InboundRequests.queryParameterAllowed("/sandbox/mail", "Set-Cookie")).isFalse();
    }

    @Test
    void onlyTheSignedIntercomEndpointsAndTheLoginItselfAreOpen() {
        assertThat(AccessRule.of("/intercom/webhooks")).isEqualTo(AccessRule.SIGNED);
        assertThat(AccessRule.of("/intercom/canvas/initialize")).isEqualTo(AccessRule.SIGNED);
        assertThat(AccessRule.of("/login")).isEqualTo(AccessRule.OPEN);
        assertThat(AccessRule.of("/app.css")).isEqualTo(AccessRule.OPEN);
        assertThat(AccessRule.of("/api/mappings")).isEqualTo(AccessRule.API);
        assertThat(AccessRule.of("/api")).isEqualTo(AccessRule.API);
        assertThat(AccessRule.of("/api/openapi.json")).as("the API's description").isEqualTo(AccessRule.OPEN);
        assertThat(AccessRule.of("/api/openapi.json/x")).isEqualTo(AccessRule.API);
        assertThat(AccessRule.of("/sandbox/mail")).isEqualTo(AccessRule.API);
        assertThat(AccessRule.of("/")).isEqualTo(AccessRule.PAGE);
        assertThat(AccessRule.of("/app.js")).isEqualTo(AccessRule.PAGE);
        assertThat(AccessRule.of("/intercom/webhooks/extra")).isEqualTo(AccessRule.PAGE);
        assertThat(AccessRule.of("/apix")).isEqualTo(AccessRule.PAGE);
        assertThat(AccessRule.changesState("POST")).isTrue();
        assertThat(AccessRule.changesState("DELETE")).isTrue();
        assertThat(AccessRule.changesState("GET")).isFalse();
    }

    @Test
    void theLoginFormEscapesItsMessage() {
        assertThat(new PageFiles().loginForm("<b>\"x\"</b>")).contains("&lt;b&gt;&quot;x&quot;&lt;/b&gt;")
                .doesNotContain("<b>");
    }
}

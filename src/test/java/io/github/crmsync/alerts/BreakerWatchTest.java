package io.github.crmsync.alerts;

import io.github.crmsync.testing.SettableClock;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class BreakerWatchTest {

    private static final Instant T = Instant.parse("2026-12-02T08:00:00Z");

    @Test
    void aBreakerIsNotClosedFromWhenItOpenedUntilItClosesThroughHalfOpenTrials() {
        BreakerWatch watch = new BreakerWatch();
        watch.transition("intercom", "OPEN", T);
        watch.transition("intercom", "HALF_OPEN", T.plusSeconds(10));
        watch.transition("intercom", "OPEN", T.plusSeconds(11));
        assertThat(watch.notClosed()).containsExactly(new AlertRules.OpenBreaker("intercom", "OPEN", T));
        watch.transition("intercom", "CLOSED", T.plusSeconds(30));
        assertThat(watch.notClosed()).isEmpty();
        watch.transition("salesforce", "FORCED_OPEN", T.plusSeconds(40));
        assertThat(watch.notClosed()).containsExactly(new AlertRules.OpenBreaker("salesforce", "FORCED_OPEN", T.plusSeconds(40)));
    }

    @Test
    void aFailingChannelIsLoggedOncePerQuietPeriod() {
        SettableClock clock = new SettableClock(T);
        FailureLog log = new FailureLog(LoggerFactory.getLogger(BreakerWatchTest.class), clock);
        Duration quiet = Duration.ofMinutes(60);
        assertThat(log.failed("webhook failed", quiet)).isTrue();
        clock.advance(Duration.ofMinutes(59));
        assertThat(log.failed("webhook failed", quiet)).isFalse();
        clock.advance(Duration.ofMinutes(1));
        assertThat(log.failed("webhook failed", quiet)).isTrue();
    }
}

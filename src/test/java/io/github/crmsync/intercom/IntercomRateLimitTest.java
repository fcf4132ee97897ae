package io.github.crmsync.intercom;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

class IntercomRateLimitTest {

    private static final long NOW = 1_764_000_000L;

    private static Clock at(long epochMillis) {
        return Clock.fixed(Instant.ofEpochMilli(epochMillis), ZoneOffset.UTC);
    }

    @Test
    void sendsFreelyUntilOnlyTheInFlightReserveIsLeftThenWaitsForTheReset() {
        IntercomRateLimit limit = new IntercomRateLimit(at(NOW * 1000), 2);
        assertThat(limit.acquireDelayMillis()).isZero();
        limit.observe("4", Long.toString(NOW + 5));
        assertThat(limit.acquireDelayMillis()).isZero();
        assertThat(limit.acquireDelayMillis()).isZero();
        assertThat(limit.acquireDelayMillis()).isEqualTo(5_000);
    }

    @Test
    void theWindowSizeIsTheLastWellFormedXRateLimitLimit() {
        IntercomRateLimit limit = new IntercomRateLimit(at(NOW * 1000), 2);
        assertThat(limit.limitPerWindow()).as("not answered yet").isEmpty();
        limit.observeLimit("167");
        assertThat(limit.limitPerWindow()).hasValue(167);
        for (String malformed : new String[] {null, "", "many", "0", "-5"}) {
            limit.observeLimit(malformed);
            assertThat(limit.limitPerWindow()).as(String.valueOf(malformed)).hasValue(167);
        }
        limit.observeLimit(" 1667 ");
        assertThat(limit.limitPerWindow()).hasValue(1667);
    }

    @Test
    void aNewWindowRestoresTheAllowanceAndStaleAnswersAreIgnored() {
        IntercomRateLimit limit = new IntercomRateLimit(at(NOW * 1000), 0);
        limit.observe("0", Long.toString(NOW + 3));
        assertThat(limit.acquireDelayMillis()).isEqualTo(3_000);
        limit.observe("100", Long.toString(NOW + 2));
        assertThat(limit.acquireDelayMillis()).as("an answer from an older window").isEqualTo(3_000);
        limit.observe("100", Long.toString(NOW + 13));
        assertThat(limit.acquireDelayMillis()).isZero();
    }

    @Test
    void aTooManyRequestsAnswerWaitsForItsResetEvenWithoutEarlierHeaders() {
        IntercomRateLimit limit = new IntercomRateLimit(at(NOW * 1000), 0);
        limit.exhausted(Long.toString(NOW + 7));
        assertThat(limit.acquireDelayMillis()).isEqualTo(7_000);
        IntercomRateLimit noHeader = new IntercomRateLimit(at(NOW * 1000), 0);
        noHeader.exhausted(null);
        assertThat(noHeader.acquireDelayMillis()).isEqualTo(1_000);
    }

    @Test
    void pastTheResetTheWindowIsOpenAgain() {
        IntercomRateLimit before = new IntercomRateLimit(at(NOW * 1000), 0);
        before.observe("0", Long.toString(NOW + 1));
        assertThat(before.acquireDelayMillis()).isEqualTo(1_000);
        IntercomRateLimit after = new IntercomRateLimit(at((NOW + 2) * 1000), 0);
        after.observe("0", Long.toString(NOW + 1));
        assertThat(after.acquireDelayMillis()).isZero();
    }

    @Test
    void malformedHeadersChangeNothing() {
        IntercomRateLimit limit = new IntercomRateLimit(at(NOW * 1000), 0);
        limit.observe("lots", "soon");
        limit.observe(null, null);
        assertThat(limit.acquireDelayMillis()).isZero();
    }
}

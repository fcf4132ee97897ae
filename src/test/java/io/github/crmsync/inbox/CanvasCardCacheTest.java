package io.github.crmsync.inbox;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** When a card read before may be served again without a Salesforce call, and as of when it is current. */
class CanvasCardCacheTest {

    private static final Duration TTL = Duration.ofMinutes(10);
    private static final Instant READ = Instant.parse("2026-12-02T10:00:00Z");
    private static final String RECORD = "003000000000001AAA";

    private static CanvasCardCache.Entry linkedCard() {
        return new CanvasCardCache.Entry(Map.of(), READ, RECORD, List.of("Phone"));
    }

    private static CardFreshness.State state(Duration sinceRead, String linked, Instant lastSynced, Instant polledUntil) {
        return new CardFreshness.State(READ.plus(sinceRead), linked, lastSynced, polledUntil);
    }

    @Test
    void aCardIsCurrentAsOfItsReadForTheTtl() {
        assertThat(CanvasCardCache.currentAsOf(linkedCard(), state(Duration.ofMinutes(9), RECORD, null, null), TTL))
                .isEqualTo(READ);
        assertThat(CanvasCardCache.currentAsOf(linkedCard(), state(Duration.ofMinutes(10), RECORD, null, null), TTL))
                .as("ten minutes after its read, with no poll since").isNull();
    }

    @Test
    void aSyncThatWroteOrReadTheRecordAfterTheCardWasReadDropsIt() {
        Instant synced = READ.plusMillis(1);
        assertThat(CanvasCardCache.currentAsOf(linkedCard(), state(Duration.ofSeconds(5), RECORD, synced, null), TTL)).isNull();
        assertThat(CanvasCardCache.currentAsOf(linkedCard(),
                state(Duration.ofSeconds(5), RECORD, READ.minusSeconds(1), null), TTL))
                .as("a sync before the read: the read saw its values").isEqualTo(READ);
    }

    @Test
    void aCompletePollAfterTheReadThatDidNotSeeTheRecordKeepsTheCardCurrentAsOfThePoll() {
        Instant polled = READ.plus(Duration.ofMinutes(25));
        CardFreshness.State later = state(Duration.ofMinutes(30), RECORD, READ.minusSeconds(60), polled);

        assertThat(CanvasCardCache.currentAsOf(linkedCard(), later, TTL)).isEqualTo(polled);
        assertThat(CanvasCardCache.currentAsOf(linkedCard(), state(Duration.ofMinutes(36), RECORD, null, polled), TTL))
                .as("ten minutes after that poll, with none since").isNull();
        assertThat(CanvasCardCache.currentAsOf(linkedCard(),
                state(Duration.ofMinutes(30), RECORD, null, READ.minusSeconds(1)), Duration.ofMinutes(40)))
                .as("a poll that started before the read says nothing more").isEqualTo(READ);
    }

    @Test
    void aCardFoundByEmailIsNotKeptCurrentByPollsAndLinkingDropsIt() {
        CanvasCardCache.Entry byEmail = new CanvasCardCache.Entry(Map.of(), READ, null, List.of("Phone"));
        Instant polled = READ.plus(Duration.ofMinutes(25));

        assertThat(CanvasCardCache.currentAsOf(byEmail, state(Duration.ofMinutes(5), null, null, polled), TTL)).isEqualTo(READ);
        assertThat(CanvasCardCache.currentAsOf(byEmail, state(Duration.ofMinutes(30), null, null, polled), TTL)).isNull();
        assertThat(CanvasCardCache.currentAsOf(byEmail, state(Duration.ofMinutes(1), RECORD, null, null), TTL))
                .as("linked since it was read").isNull();
        assertThat(CanvasCardCache.currentAsOf(linkedCard(), state(Duration.ofMinutes(1), "003000000000002AAA", null, null), TTL))
                .as("linked to another record").isNull();
    }

    @Test
    void aTtlOfZeroServesNoCardAgain() {
        assertThat(CanvasCardCache.currentAsOf(linkedCard(), state(Duration.ZERO, RECORD, null, null), Duration.ZERO)).isNull();
    }

    @Test
    void theLeastRecentlyUsedCardLeavesFirst() {
        CanvasCardCache cache = new CanvasCardCache(2);
        cache.put("a", linkedCard());
        cache.put("b", linkedCard());
        cache.get("a");
        cache.put("c", linkedCard());

        assertThat(cache.get("a")).isNotNull();
        assertThat(cache.get("b")).isNull();
        assertThat(cache.get("c")).isNotNull();
    }
}

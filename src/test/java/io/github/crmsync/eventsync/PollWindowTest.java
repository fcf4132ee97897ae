package io.github.crmsync.eventsync;

import io.github.crmsync.eventsync.Watermarks.State;
import io.github.crmsync.eventsync.Watermarks.Watermark;
import io.github.crmsync.salesforce.Soql;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Where a Salesforce poll starts reading, and the SOQL that follows from it. */
class PollWindowTest {

    private static final Duration FIVE_MINUTES = Duration.ofMinutes(5);
    private static final Instant T = Instant.parse("2026-12-01T10:00:00.000Z");

    @Test
    void aFreshWatermarkReadsTheOverlapBeforeItsStartToo() {
        State started = new State(new Watermark(T, null), T, 0);
        assertThat(PollWindow.readFrom(started, FIVE_MINUTES)).isEqualTo(new Watermark(T.minus(FIVE_MINUTES), null));
    }

    @Test
    void changesSeenByTheLastPollAreReadAgainOnlyWithinTheOverlapBeforeItsStart() {
        // the last complete poll started at T+10min and its last record was stamped T+9min
        State state = new State(new Watermark(T.plusSeconds(540), "003B"), T.plusSeconds(600), 0);
        assertThat(PollWindow.readFrom(state, FIVE_MINUTES))
                .as("a transaction open at T+10min may commit with a stamp down to T+5min")
                .isEqualTo(new Watermark(T.plusSeconds(300), null));
    }

    @Test
    void aBurstIsNotReadAgainOnceAPollHasStartedAnOverlapAfterIt() {
        // a burst stamped at T; the last complete poll started at T+7min: nothing before T+2min can still commit
        State state = new State(new Watermark(T, "003Z"), T.plusSeconds(420), 0);
        assertThat(PollWindow.readFrom(state, FIVE_MINUTES)).isEqualTo(new Watermark(T, "003Z"));
    }

    @Test
    void aPollThatStoppedPartWayGoesOnFromItsWatermark() {
        // pages handled up to T+1min, but the poll that started at T+10min never read to the end
        State state = new State(new Watermark(T.plusSeconds(60), "003C"), T, 2);
        assertThat(PollWindow.readFrom(state, FIVE_MINUTES)).isEqualTo(new Watermark(T.minus(FIVE_MINUTES), null));
        State later = new State(new Watermark(T.plusSeconds(60), "003C"), T.minusSeconds(3600), 2);
        assertThat(PollWindow.readFrom(later, FIVE_MINUTES)).isEqualTo(new Watermark(T.minusSeconds(3900), null));
    }

    @Test
    void noOverlapOrNoCompletePollReadsExactlyAfterTheWatermark() {
        State state = new State(new Watermark(T, "003B"), T.plusSeconds(60), 0);
        assertThat(PollWindow.readFrom(state, Duration.ZERO)).isEqualTo(new Watermark(T, "003B"));
        assertThat(PollWindow.readFrom(new State(new Watermark(T, "003B"), null, 0), FIVE_MINUTES))
                .isEqualTo(new Watermark(T, "003B"));
    }

    @Test
    void theQueryOfAnOverlapReadsEverythingStampedAfterItsStartInStampAndIdOrder() {
        Watermark from = PollWindow.readFrom(new State(new Watermark(T.plusSeconds(540), "003B"), T.plusSeconds(600), 0),
                FIVE_MINUTES);
        assertThat(Soql.changedSince("Contact", List.of("Id", "Email", "SystemModstamp", "Phone"), from.at(), from.lastId()))
                .isEqualTo("SELECT Id, Email, SystemModstamp, Phone FROM Contact WHERE SystemModstamp > 2026-12-01T10:05:00.000Z "
                        + "ORDER BY SystemModstamp, Id");
        Watermark exact = PollWindow.readFrom(new State(new Watermark(T, "003Z"), T.plusSeconds(420), 0), FIVE_MINUTES);
        assertThat(Soql.changedSince("Lead", List.of("Id"), exact.at(), exact.lastId()))
                .isEqualTo("SELECT Id FROM Lead WHERE (SystemModstamp > 2026-12-01T10:00:00.000Z OR "
                        + "(SystemModstamp = 2026-12-01T10:00:00.000Z AND Id > '003Z')) ORDER BY SystemModstamp, Id");
    }
}

package io.github.crmsync.bulksync;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A save that stops the run waits for the run's end, not for a clock: {@link RunEnds}. */
class RunEndsTest {

    private static final Duration HOUR = Duration.ofHours(1);

    @Test
    void theEndOfThisReplicasRunWakesTheWaiterAtOnce() {
        RunEnds ends = new RunEnds();
        AtomicBoolean active = new AtomicBoolean(true);
        AtomicInteger looks = new AtomicInteger();
        CompletableFuture<Boolean> waited = CompletableFuture.supplyAsync(() -> awaitNone(ends, () -> {
            looks.incrementAndGet();
            return active.get();
        }, HOUR, HOUR));
        await().atMost(Duration.ofSeconds(30)).untilAtomic(looks, org.hamcrest.Matchers.equalTo(1));

        active.set(false);
        ends.ended();

        // a recheck interval of an hour: only the end's signal can have woken it
        assertThat(waited).succeedsWithin(Duration.ofSeconds(30)).isEqualTo(true);
        assertThat(looks).hasValue(2);
    }

    @Test
    void anEndSignalledBetweenTheLookAndTheWaitIsNotMissed() {
        RunEnds ends = new RunEnds();
        AtomicInteger looks = new AtomicInteger();
        // the run ends while the first look is made: the waiter must look again rather than wait an hour
        boolean none = awaitNone(ends, () -> {
            if (looks.incrementAndGet() == 1) {
                ends.ended();
                return true;
            }
            return false;
        }, HOUR, HOUR);
        assertThat(none).isTrue();
        assertThat(looks).hasValue(2);
    }

    @Test
    void aRunOfAnotherReplicaIsSeenEndedAtTheNextRecheck() {
        RunEnds ends = new RunEnds();
        AtomicInteger looks = new AtomicInteger();
        assertThat(awaitNone(ends, () -> looks.incrementAndGet() < 3, HOUR, Duration.ofMillis(5))).isTrue();
        assertThat(looks).hasValue(3);
    }

    @Test
    void aRunThatDoesNotEndInTimeIsReportedSo() {
        assertThat(awaitNone(new RunEnds(), () -> true, Duration.ofMillis(50), HOUR)).isFalse();
    }

    @Test
    void noBulkSyncCodeWaitsBySleeping() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("src/main/java/io/github/crmsync/bulksync"))) {
            assertThat(files).isNotEmpty().allSatisfy(file -> assertThat(Files.readString(file)).as(file.toString())
                    .doesNotContain("Thread.sleep("));
        }
    }

    private static boolean awaitNone(RunEnds ends, java.util.function.BooleanSupplier active, Duration within,
                                     Duration recheck) {
        try {
            return ends.awaitNone(active, within, recheck);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}

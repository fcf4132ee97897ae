package io.github.crmsync.cdc;

import io.github.crmsync.database.ThreadTransactions;
import io.github.crmsync.testing.RouteTestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Change events that arrive while the workers are busy are handled together, in one transaction with
 * the replay id of their last; a failed transaction commits none of its events, nor anything after it.
 */
class ChangeEventWorkersTest {

    private static final String TOPIC = "/data/ContactChangeEvent";

    private final DataSource db = RouteTestDatabase.emptied();
    private final ThreadTransactions transactions = new ThreadTransactions(db);
    private final ReplayIds replayIds = new ReplayIds(transactions);
    private final ExecutorService threads = Executors.newFixedThreadPool(1);
    /** The events of each transaction, as the handling was given them. */
    private final List<List<String>> transactionsHandled = new CopyOnWriteArrayList<>();
    private final CountDownLatch firstMayEnd = new CountDownLatch(1);

    ChangeEventWorkersTest() throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("DELETE FROM cdc_replay");
        }
    }

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    /** One worker; the first transaction waits until let go; a transaction holding {@code failing} fails after writing. */
    private ChangeEventWorkers workers(int perTransaction, String failing) {
        return new ChangeEventWorkers(transactions, replayIds, threads, 1, perTransaction, events -> {
            List<String> names = events.stream().map(e -> (String) e.event()).toList();
            transactionsHandled.add(names);
            if (transactionsHandled.size() == 1) {
                firstMayEnd.await(10, TimeUnit.SECONDS);
            }
            for (String name : names) {
                replayIds.handled("/effect/" + name, "AA=="); // what handling writes, in the transaction
            }
            return !names.contains(failing);
        });
    }

    /** e1 alone, then e2 to e4 while e1's transaction is open; returns once r4 is stored. */
    private void submitThreeWhileTheFirstIsHandled(ChangeEventWorkers workers) throws InterruptedException {
        workers.submit("e1", "r1", TOPIC);
        await().atMost(Duration.ofSeconds(10)).until(() -> transactionsHandled.size() == 1);
        workers.submit("e2", "r2", TOPIC);
        workers.submit("e3", "r3", TOPIC);
        workers.submit("e4", "r4", TOPIC);
        firstMayEnd.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> replayIds.get(TOPIC).equals(Optional.of("r4")));
    }

    @Test
    void eventsArrivingWhileTheWorkerIsBusyAreHandledTogetherWithTheReplayIdOfTheirLast() throws Exception {
        ChangeEventWorkers workers = workers(3, null);

        submitThreeWhileTheFirstIsHandled(workers);
        assertThat(transactionsHandled).containsExactly(List.of("e1"), List.of("e2", "e3", "e4"));
        assertThat(replayIds.get("/effect/e4")).isPresent();
        assertThat(workers.failed(TOPIC)).isFalse();
    }

    @Test
    void aTransactionTakesAtMostItsNumberOfEventsInTheirOrder() throws Exception {
        ChangeEventWorkers workers = workers(2, null);

        submitThreeWhileTheFirstIsHandled(workers);
        assertThat(transactionsHandled).containsExactly(List.of("e1"), List.of("e2", "e3"), List.of("e4"));
    }

    @Test
    void aFailedTransactionCommitsNoneOfItsEventsAndNothingAfterItIsHandled() throws Exception {
        ChangeEventWorkers workers = workers(10, "e3");

        workers.submit("e1", "r1", TOPIC);
        await().atMost(Duration.ofSeconds(10)).until(() -> transactionsHandled.size() == 1);
        workers.submit("e2", "r2", TOPIC);
        workers.submit("e3", "r3", TOPIC);
        firstMayEnd.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> workers.failed(TOPIC));
        workers.submit("e4", "r4", TOPIC);

        assertThat(replayIds.get(TOPIC)).contains("r1");
        assertThat(replayIds.get("/effect/e1")).isPresent();
        assertThat(replayIds.get("/effect/e2")).as("rolled back with e3").isEmpty();
        assertThat(transactionsHandled).containsExactly(List.of("e1"), List.of("e2", "e3"));
    }

    @Test
    void afterARestartFromTheStoredReplayIdAsManyEventsAsMayHaveBeenInHandAreReadFromIntercomFirst() throws Exception {
        List<Boolean> maybeApplied = new CopyOnWriteArrayList<>();
        ChangeEventWorkers workers = new ChangeEventWorkers(transactions, replayIds, threads, 1, 2, events -> {
            events.forEach(e -> maybeApplied.add(e.maybeApplied()));
            return true;
        });

        workers.reset(TOPIC, true);
        for (int i = 1; i <= 6; i++) {
            workers.submit("e" + i, "r" + i, TOPIC);
        }

        // one thread, 2 events a transaction: 2 in its transaction and 2 waiting
        await().atMost(Duration.ofSeconds(10)).until(() -> maybeApplied.size() == 6);
        assertThat(maybeApplied).containsExactly(true, true, true, true, false, false);
    }
}

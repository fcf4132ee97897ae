package io.github.crmsync.cdc;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Change events handled at once commit in their order; one record's changes wait for each other; a failure stops what follows. */
class EventOrderTest {

    private final EventOrder order = new EventOrder(3);
    private final List<String> committed = new CopyOnWriteArrayList<>();

    private CompletableFuture<Boolean> commitLater(EventOrder.Ticket ticket, String name) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                boolean ran = order.inTurn(ticket, () -> committed.add(name));
                order.finished(ticket, ran);
                return ran;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void aLaterEventDoneFirstCommitsOnlyAfterTheEarlierOnes() throws Exception {
        EventOrder.Ticket first = order.admit(List.of("a"));
        EventOrder.Ticket second = order.admit(List.of("b"));
        EventOrder.Ticket third = order.admit(List.of("c"));

        CompletableFuture<Boolean> thirdDone = commitLater(third, "third");
        CompletableFuture<Boolean> secondDone = commitLater(second, "second");
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(committed::isEmpty);

        assertThat(commitLater(first, "first").get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(secondDone.get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(thirdDone.get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(committed).containsExactly("first", "second", "third");
    }

    @Test
    void aRecordsNextChangeWaitsUntilItsEarlierOneIsDoneAndSoDoesAFullChannel() throws Exception {
        EventOrder.Ticket first = order.admit(List.of("a"));
        CompletableFuture<EventOrder.Ticket> sameRecord = CompletableFuture.supplyAsync(() -> admit(List.of("x", "a")));
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> !sameRecord.isDone());

        commitLater(first, "first").get(5, TimeUnit.SECONDS);
        EventOrder.Ticket second = sameRecord.get(5, TimeUnit.SECONDS);
        order.admit(List.of("b"));
        order.admit(List.of("c"));
        CompletableFuture<EventOrder.Ticket> fourth = CompletableFuture.supplyAsync(() -> admit(List.of("d")));
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> !fourth.isDone());
        commitLater(second, "second").get(5, TimeUnit.SECONDS);
        assertThat(fourth.get(5, TimeUnit.SECONDS)).isNotNull();
    }

    @Test
    void afterAFailureNothingLaterCommitsOrIsAdmittedUntilTheSubscriptionStartsAgain() throws Exception {
        EventOrder.Ticket first = order.admit(List.of("a"));
        EventOrder.Ticket second = order.admit(List.of("b"));
        EventOrder.Ticket third = order.admit(List.of("c"));
        CompletableFuture<Boolean> thirdDone = commitLater(third, "third");

        assertThat(commitLater(first, "first").get(5, TimeUnit.SECONDS)).isTrue();
        order.finished(second, false);

        assertThat(thirdDone.get(5, TimeUnit.SECONDS)).as("third committed").isFalse();
        assertThat(committed).containsExactly("first");
        assertThat(order.failed()).isTrue();
        assertThat(order.admit(List.of("d"))).as("left for the new subscription").isNull();

        order.reset();
        assertThat(order.failed()).isFalse();
        EventOrder.Ticket again = order.admit(List.of("b"));
        assertThat(commitLater(again, "second again").get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(committed).containsExactly("first", "second again");
    }

    private EventOrder.Ticket admit(List<String> records) {
        try {
            return order.admit(records);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}

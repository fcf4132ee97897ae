package io.github.crmsync.alerts;

import io.github.crmsync.testing.RouteTestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** The quiet period in PostgreSQL: one send per kind within it, whichever replica asks, however many at once. */
class QuietPeriodTest {

    private DataSource dataSource;

    @BeforeEach
    void emptied() throws Exception {
        dataSource = RouteTestDatabase.emptied();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE alert_sent");
        }
    }

    @Test
    void aKindIsSentOnceWithinItsQuietPeriodAndAgainAfter() {
        QuietPeriod replicaA = new QuietPeriod(dataSource);
        QuietPeriod replicaB = new QuietPeriod(dataSource);
        assertThat(replicaA.claim(AlertKind.EVENT_SYNC_LAG, Duration.ofHours(1))).isTrue();
        assertThat(replicaB.claim(AlertKind.EVENT_SYNC_LAG, Duration.ofHours(1))).as("the other replica, within it").isFalse();
        assertThat(replicaA.claim(AlertKind.EVENT_SYNC_LAG, Duration.ofHours(1))).isFalse();
        assertThat(replicaB.claim(AlertKind.TIER_CHANGED, Duration.ofHours(1))).as("another kind").isTrue();
        assertThat(replicaB.claim(AlertKind.EVENT_SYNC_LAG, Duration.ZERO)).as("once the period has passed").isTrue();
    }

    @Test
    void replicasAskingAtOnceSendItOnce() throws Exception {
        ExecutorService replicas = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Boolean>> asks = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                QuietPeriod replica = new QuietPeriod(dataSource);
                asks.add(() -> replica.claim(AlertKind.BULK_RUN_FAILED, Duration.ofHours(1)));
            }
            long sent = 0;
            for (Future<Boolean> answer : replicas.invokeAll(asks)) {
                sent += answer.get() ? 1 : 0;
            }
            assertThat(sent).isEqualTo(1);
        } finally {
            replicas.shutdownNow();
        }
    }
}

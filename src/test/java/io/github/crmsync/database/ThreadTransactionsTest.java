package io.github.crmsync.database;

import io.github.crmsync.testing.RouteTestDatabase;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a thread writes through the pool while in a transaction is committed together, or not at all. */
class ThreadTransactionsTest {

    private final DataSource db = RouteTestDatabase.emptied();
    private final ThreadTransactions transactions = new ThreadTransactions(db);

    ThreadTransactionsTest() throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("DELETE FROM cdc_replay");
        }
    }

    /** A store's write: its own connection, taken and closed (committed, outside a transaction). */
    private void store(String topic) throws SQLException {
        try (Connection c = transactions.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO cdc_replay (topic, replay_id, handled_at) VALUES ('" + topic + "', 'AA==', now())");
            if (!c.getAutoCommit()) {
                c.commit();
            }
        }
    }

    private int rows() throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM cdc_replay")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void writesOfOneThreadCommitTogetherAndOthersDoNotSeeThemBefore() throws Exception {
        try (ThreadTransactions.Transaction transaction = transactions.begin()) {
            store("/data/A");
            store("/data/B");
            assertThat(CompletableFuture.supplyAsync(() -> {
                try {
                    return rows();
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }).get()).as("another thread, before the commit").isZero();
            transaction.commit();
        }
        assertThat(rows()).isEqualTo(2);
    }

    @Test
    void aTransactionClosedWithoutCommitLeavesNothingAndTheThreadWritesOnItsOwnAgain() throws Exception {
        try (ThreadTransactions.Transaction transaction = transactions.begin()) {
            store("/data/A");
        }
        assertThat(rows()).isZero();
        store("/data/C");
        assertThat(rows()).isEqualTo(1);
    }

    @Test
    void aStoreThatRolledBackMakesTheCommitFail() throws Exception {
        try (ThreadTransactions.Transaction transaction = transactions.begin()) {
            store("/data/A");
            try (Connection c = transactions.getConnection()) {
                c.rollback();
            }
            assertThatThrownBy(transaction::commit).isInstanceOf(SQLException.class);
        }
        assertThat(rows()).isZero();
    }
}

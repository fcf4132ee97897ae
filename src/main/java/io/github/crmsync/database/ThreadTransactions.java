package io.github.crmsync.database;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;

/**
 * The service's pool, with transactions that span whatever one thread writes: while a thread holds
 * a {@link Transaction} begun here, every connection it takes from this pool is that transaction's,
 * so stores that each take and close their own connection write into it, and nothing is committed
 * until the transaction is (a change event's effects and its replay id, together). Outside a
 * transaction connections are the pool's own. Inside one, {@code commit}, {@code rollback},
 * {@code setAutoCommit} and {@code close} of a store are left to the transaction; a store's
 * rollback marks it as to be rolled back.
 */
public final class ThreadTransactions implements DataSource {

    private final DataSource pool;
    private final ThreadLocal<Transaction> current = new ThreadLocal<>();

    public ThreadTransactions(DataSource pool) {
        this.pool = pool;
    }

    /** Begins this thread's transaction; closing it without {@link Transaction#commit} rolls it back. */
    public Transaction begin() throws SQLException {
        if (current.get() != null) {
            throw new IllegalStateException("This thread is in a transaction already");
        }
        Connection connection = pool.getConnection();
        try {
            connection.setAutoCommit(false);
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
        Transaction transaction = new Transaction(connection);
        current.set(transaction);
        return transaction;
    }

    /** One thread's transaction. */
    public final class Transaction implements AutoCloseable {

        private final Connection connection;
        private final Connection shared;
        private boolean rollbackOnly;
        private boolean committed;

        private Transaction(Connection connection) {
            this.connection = connection;
            this.shared = (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                    new Class<?>[] {Connection.class}, (proxy, method, args) -> switch (method.getName()) {
                        case "close", "commit", "setAutoCommit" -> null;
                        case "rollback" -> {
                            if (args == null) {
                                rollbackOnly = true;
                                yield null;
                            }
                            yield invoke(method, args);
                        }
                        case "isClosed" -> connection.isClosed();
                        case "getAutoCommit" -> false;
                        default -> invoke(method, args);
                    });
        }

        private Object invoke(java.lang.reflect.Method method, Object[] args) throws Throwable {
            try {
                return method.invoke(connection, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }

        /**
         * Its commit does not wait for the disk: a crash of PostgreSQL may lose it, wholly, never in part
         * (for work that is done again when lost, such as a change event stored with its replay id).
         */
        public void commitWithoutWaitingForDisk() throws SQLException {
            try (var set = connection.createStatement()) {
                set.execute("SET LOCAL synchronous_commit TO OFF");
            }
        }

        /** Commits what the thread wrote; refused when a store rolled back meanwhile. */
        public void commit() throws SQLException {
            if (rollbackOnly) {
                throw new SQLException("A write of this transaction failed and was rolled back; nothing is committed");
            }
            connection.commit();
            committed = true;
        }

        @Override
        public void close() throws SQLException {
            current.remove();
            try {
                if (!committed) {
                    connection.rollback();
                }
                connection.setAutoCommit(true);
            } finally {
                connection.close();
            }
        }
    }

    @Override
    public Connection getConnection() throws SQLException {
        Transaction transaction = current.get();
        return transaction != null ? transaction.shared : pool.getConnection();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        Transaction transaction = current.get();
        return transaction != null ? transaction.shared : pool.getConnection(username, password);
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return pool.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        pool.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        pool.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return pool.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return pool.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        return type.isInstance(this) ? type.cast(this) : pool.unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return type.isInstance(this) || pool.isWrapperFor(type);
    }
}

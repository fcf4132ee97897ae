package io.github.crmsync.history;

import io.github.crmsync.database.Database;
import io.github.crmsync.database.EmbeddedDatabase;
import io.github.crmsync.mapping.Direction;
import io.github.crmsync.mapping.ObjectType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The change history table in a real PostgreSQL: batched writes, the three look-ups, pruning in batches. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChangeHistoryTest {

    private static final String SF = "003000000000001AAA";

    @TempDir
    static Path dataDir;
    private EmbeddedDatabase postgres;
    private Database database;
    private ChangeHistory history;

    @BeforeAll
    void startDatabase() throws Exception {
        postgres = EmbeddedDatabase.start(dataDir, 0);
        database = Database.open(postgres.jdbcUrl(), postgres.user(), "", 4, "history-test");
        history = new ChangeHistory(counting(database.dataSource()));
    }

    @AfterAll
    void stopDatabase() throws Exception {
        database.close();
        postgres.close();
    }

    @BeforeEach
    void empty() throws Exception {
        sql("TRUNCATE change_history, bulk_stage_salesforce, bulk_stage_intercom");
    }

    @Test
    void aBatchIsOneStatementAndEachKeyFindsItsRowsNewestFirst() throws Exception {
        List<FieldChange> batch = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            batch.add(change("EVENT", Direction.INTERCOM_TO_SALESFORCE, String.format("0030000000000%02dAAA", i % 50),
                    "ic-" + (i % 50), "p" + (i % 50) + "@example.com", "Field" + i, "old" + i, "new" + i, null));
        }
        statements.set(0);
        history.record(batch);
        assertThat(statements.get()).as("one INSERT for 500 rows").isEqualTo(1);
        assertThat(count()).isEqualTo(500);

        List<ChangeHistory.Row> bySf = history.page(ChangeHistory.Key.SALESFORCE_ID, "003000000000007AAA", null, 100);
        assertThat(bySf).extracting(ChangeHistory.Row::field).containsExactly(
                "Field457", "Field407", "Field357", "Field307", "Field257", "Field207", "Field157", "Field107", "Field57", "Field7");
        assertThat(history.page(ChangeHistory.Key.INTERCOM_ID, "ic-7", bySf.get(1).id(), 3))
                .extracting(ChangeHistory.Row::field).containsExactly("Field357", "Field307", "Field257");
        assertThat(history.page(ChangeHistory.Key.EMAIL, "P7@Example.com", null, 1))
                .singleElement().satisfies(r -> {
                    assertThat(r.oldValue()).isEqualTo("old457");
                    assertThat(r.newValue()).isEqualTo("new457");
                    assertThat(r.direction()).isEqualTo(Direction.INTERCOM_TO_SALESFORCE);
                    assertThat(r.bulkRunId()).isNull();
                });
    }

    @Test
    void aBulkRowsEmailAndOldValueComeFromTheRunsStagedCopyOfTheTarget() throws Exception {
        sql("INSERT INTO bulk_stage_salesforce VALUES (7, 'CONTACT', '" + SF + "', 'ann@example.com', "
                + "'{\"Seats__c\": 3, \"Phone\": \"+1 555\"}')");
        sql("INSERT INTO bulk_stage_intercom VALUES (7, 'CONTACT', 'ic-1', 'ann@example.com', "
                + "'{\"phone\": \"+1 111\", \"custom_attributes\": {\"plan\": \"free\"}}')");
        history.record(List.of(
                change("BULK", Direction.INTERCOM_TO_SALESFORCE, SF, "ic-1", null, "Seats__c", null, "4", 7L),
                change("BULK", Direction.SALESFORCE_TO_INTERCOM, SF, "ic-1", null, "custom_attributes.plan", null, "pro", 7L),
                change("BULK", Direction.SALESFORCE_TO_INTERCOM, SF, "ic-1", null, "phone", null, "+1 555", 7L),
                change("EVENT", Direction.SALESFORCE_TO_INTERCOM, SF, "ic-1", null, "phone", null, "+1 666", null)));

        assertThat(history.page(ChangeHistory.Key.EMAIL, "ann@example.com", null, 10))
                .extracting(ChangeHistory.Row::field, ChangeHistory.Row::oldValue, ChangeHistory.Row::newValue)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("phone", "+1 111", "+1 555"),
                        org.assertj.core.groups.Tuple.tuple("custom_attributes.plan", "free", "pro"),
                        org.assertj.core.groups.Tuple.tuple("Seats__c", "3", "4"));
        assertThat(history.page(ChangeHistory.Key.SALESFORCE_ID, SF, null, 1)).singleElement()
                .satisfies(r -> assertThat(r.email()).as("not a bulk row: nothing looked up").isNull());
    }

    @Test
    void pruningDeletesOnlyRowsOlderThanTheRetentionInBatches() throws Exception {
        List<FieldChange> batch = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            batch.add(change("EVENT", Direction.SALESFORCE_TO_INTERCOM, SF, "ic-1", null, "f" + i, null, "v", null));
        }
        history.record(batch);
        // 23 rows from 40 days ago, 2 from 29 days ago
        sql("UPDATE change_history SET changed_at = now() - interval '40 days' WHERE field NOT IN ('f23', 'f24')");
        sql("UPDATE change_history SET changed_at = now() - interval '29 days' WHERE field IN ('f23', 'f24')");
        statements.set(0);

        HistoryPruning pruning = new HistoryPruning(history, Duration.ofDays(30), 10, 100,
                Clock.fixed(Instant.now(), ZoneOffset.UTC));
        assertThat(pruning.prune()).isEqualTo(23);
        assertThat(statements.get()).as("batches of 10: 10, 10, 3").isEqualTo(3);
        assertThat(history.page(ChangeHistory.Key.SALESFORCE_ID, SF, null, 100)).extracting(ChangeHistory.Row::field)
                .containsExactly("f24", "f23");

        history.record(batch);
        sql("UPDATE change_history SET changed_at = now() - interval '40 days' WHERE changed_at > now() - interval '1 day'");
        assertThat(new HistoryPruning(history, Duration.ofDays(30), 10, 2, Clock.systemUTC()).prune())
                .as("at most two batches a turn").isEqualTo(20);
        assertThat(count()).isEqualTo(7);
    }

    private static FieldChange change(String syncType, Direction direction, String sf, String ic, String email, String field,
                                      String old, String value, Long run) {
        return new FieldChange(syncType, direction, ObjectType.CONTACT, sf, ic, email, field, null, old, value, run);
    }

    private void sql(String sql) throws Exception {
        try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private long count() throws Exception {
        return number("SELECT count(*) FROM change_history");
    }

    private final AtomicInteger statements = new AtomicInteger();

    /** The data source, counting the statements prepared on its connections. */
    private DataSource counting(DataSource dataSource) {
        return (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    Object result = invoke(method, dataSource, args);
                    if (!method.getName().equals("getConnection")) {
                        return result;
                    }
                    Connection connection = (Connection) result;
                    return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                            (p, m, a) -> {
                                if (m.getName().equals("prepareStatement")) {
                                    statements.incrementAndGet();
                                }
                                return invoke(m, connection, a);
                            });
                });
    }

    private static Object invoke(Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private long number(String sql) throws Exception {
        try (Connection c = database.dataSource().getConnection(); PreparedStatement s = c.prepareStatement(sql);
             ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}

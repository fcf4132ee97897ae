package io.github.crmsync.bulksync;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crmsync.errors.SyncError;
import io.github.crmsync.errors.SyncErrorStore;
import io.github.crmsync.eventsync.SyncedValues;
import io.github.crmsync.eventsync.RecordPair;
import io.github.crmsync.eventsync.RecordSync;
import io.github.crmsync.mapping.Direction;
import io.github.crmsync.mapping.MappingSet;
import io.github.crmsync.mapping.ObjectType;
import io.github.crmsync.matching.EmailMatcher;

import javax.sql.DataSource;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Diff: pairs the staged records in the database (by link; unlinked ones by lower-cased e-mail when
 * exactly one record on each side carries it, which links them; more than one is an
 * {@code AMBIGUOUS_MATCH} error), then streams the pairs through the event sync's own patch code and
 * stores each side's patch for the writers. Pairs already in step are counted as unchanged.
 */
public final class BulkDiff {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    /** Staged records per e-mail (all of them, linked or not) and which of them are not linked yet. */
    private static final String BY_EMAIL = """
            sf AS (SELECT st.object_type, st.email_lower, array_agg(DISTINCT trim(st.salesforce_id)) AS ids,
                          array_remove(array_agg(DISTINCT CASE WHEN l.salesforce_id IS NULL
                                                               THEN trim(st.salesforce_id) END), NULL) AS free
                   FROM bulk_stage_salesforce st LEFT JOIN record_link l ON l.salesforce_id = st.salesforce_id
                   WHERE st.run_id = ? AND st.email_lower <> ''
                   GROUP BY st.object_type, st.email_lower),
            ic AS (SELECT st.object_type, st.email_lower, array_agg(DISTINCT st.intercom_id) AS ids,
                          array_remove(array_agg(DISTINCT CASE WHEN l.intercom_id IS NULL
                                                               THEN st.intercom_id END), NULL) AS free
                   FROM bulk_stage_intercom st LEFT JOIN record_link l ON l.intercom_id = st.intercom_id
                   WHERE st.run_id = ? AND st.email_lower <> ''
                   GROUP BY st.object_type, st.email_lower)
            """;

    /** The linked pairs of a run's staged records. */
    private static final String PAIRS = """
            FROM bulk_stage_salesforce s
            JOIN record_link l ON l.salesforce_id = s.salesforce_id AND l.object_type = s.object_type
            JOIN bulk_stage_intercom i ON i.intercom_id = l.intercom_id AND i.object_type = s.object_type
                                      AND i.run_id = s.run_id
            WHERE s.run_id = ?""";

    /** A preview's pairs: linked, or matched by e-mail as a run would link them (bulk_stage_link). */
    private static final String PREVIEW_PAIRS = """
            FROM bulk_stage_salesforce s
            JOIN (SELECT object_type, salesforce_id, intercom_id FROM record_link
                  UNION ALL
                  SELECT object_type, salesforce_id, intercom_id FROM bulk_stage_link WHERE run_id = ?) l
              ON l.salesforce_id = s.salesforce_id AND l.object_type = s.object_type
            JOIN bulk_stage_intercom i ON i.intercom_id = l.intercom_id AND i.object_type = s.object_type
                                      AND i.run_id = s.run_id
            WHERE s.run_id = ?""";

    private static String pairs(boolean preview) {
        return preview ? PREVIEW_PAIRS : PAIRS;
    }

    /** Sets the pairs query's run ids from parameter {@code first} on. */
    private static void pairsOf(PreparedStatement statement, int first, long runId, boolean preview) throws SQLException {
        statement.setLong(first, runId);
        if (preview) {
            statement.setLong(first + 1, runId);
        }
    }

    private final DataSource dataSource;
    private final RecordSync recordSync;
    private final SyncErrorStore errors;

    public BulkDiff(DataSource dataSource, RecordSync recordSync, SyncErrorStore errors) {
        this.dataSource = dataSource;
        this.recordSync = recordSync;
        this.errors = errors;
    }

    /** Gives the planner the freshly staged tables' statistics (no autovacuum has seen them yet): hash joins, not loops. */
    public void analyze() throws SQLException {
        try (Connection c = dataSource.getConnection(); java.sql.Statement s = c.createStatement()) {
            s.execute("ANALYZE bulk_stage_salesforce, bulk_stage_intercom, record_link");
        }
    }

    /** Records an AMBIGUOUS_MATCH error for every unlinked record whose e-mail more than one record carries. */
    public long reportAmbiguities(long runId) throws SQLException {
        return ambiguities(runId, true);
    }

    /** The unlinked records whose e-mail more than one record carries, counted as {@link #reportAmbiguities} would report them. */
    public long countAmbiguities(long runId) throws SQLException {
        return ambiguities(runId, false);
    }

    private long ambiguities(long runId, boolean record) throws SQLException {
        long reported = 0;
        try (Connection c = hashJoinsOnly(dataSource.getConnection()); PreparedStatement select = c.prepareStatement("WITH " + BY_EMAIL
                + "SELECT sf.object_type, sf.email_lower, sf.ids, ic.ids, sf.free, ic.free FROM sf JOIN ic USING (object_type, email_lower) "
                + "WHERE (cardinality(sf.ids) > 1 OR cardinality(ic.ids) > 1) AND (cardinality(sf.free) > 0 OR cardinality(ic.free) > 0)")) {
            select.setLong(1, runId);
            select.setLong(2, runId);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    ObjectType type = ObjectType.valueOf(rs.getString(1));
                    EmailMatcher.Ambiguity ambiguity = new EmailMatcher.Ambiguity(rs.getString(2), strings(rs.getArray(3)),
                            strings(rs.getArray(4)));
                    if (!record) {
                        reported += strings(rs.getArray(5)).size() + strings(rs.getArray(6)).size();
                        continue;
                    }
                    for (String sfId : strings(rs.getArray(5))) {
                        errors.record(new SyncError("BULK", Direction.SALESFORCE_TO_INTERCOM, type, sfId, "", List.of("email"),
                                "AMBIGUOUS_MATCH", ambiguity.describe(), null));
                        reported++;
                    }
                    for (String icId : strings(rs.getArray(6))) {
                        errors.record(new SyncError("BULK", Direction.INTERCOM_TO_SALESFORCE, type, "", icId, List.of("email"),
                                "AMBIGUOUS_MATCH", ambiguity.describe(), null));
                        reported++;
                    }
                }
            }
            c.commit();
        }
        return reported;
    }

    /** Links the unlinked records whose e-mail exactly one record carries on each side; how many. */
    public int linkUniqueEmailMatches(long runId) throws SQLException {
        return uniqueEmailMatches(runId, false);
    }

    /** A preview's {@link #linkUniqueEmailMatches}: the links it would make, kept in bulk_stage_link; how many. */
    public int stageUniqueEmailMatches(long runId) throws SQLException {
        return uniqueEmailMatches(runId, true);
    }

    private int uniqueEmailMatches(long runId, boolean preview) throws SQLException {
        String into = preview ? "bulk_stage_link (run_id, object_type, salesforce_id, intercom_id)"
                : "record_link (object_type, salesforce_id, intercom_id)";
        try (Connection c = hashJoinsOnly(dataSource.getConnection()); PreparedStatement insert = c.prepareStatement("WITH " + BY_EMAIL
                + "INSERT INTO " + into + " "
                + "SELECT " + (preview ? "?, " : "") + "sf.object_type, sf.free[1], ic.free[1] FROM sf JOIN ic USING (object_type, email_lower) "
                + "WHERE cardinality(sf.ids) = 1 AND cardinality(ic.ids) = 1 AND cardinality(sf.free) = 1 AND cardinality(ic.free) = 1 "
                + "ON CONFLICT DO NOTHING")) {
            insert.setLong(1, runId);
            insert.setLong(2, runId);
            if (preview) {
                insert.setLong(3, runId);
            }
            int linked = insert.executeUpdate();
            c.commit();
            try (java.sql.Statement s = c.createStatement()) {
                s.execute(preview ? "ANALYZE bulk_stage_link" : "ANALYZE record_link");
            }
            return linked;
        }
    }

    /** The linked pairs of staged records that {@link #computePatches} goes through: its progress's total. */
    public long countPairs(long runId) throws SQLException {
        return countPairs(runId, false);
    }

    /** {@code preview}: the pairs of a preview, its e-mail matches included ({@link #stageUniqueEmailMatches}). */
    public long countPairs(long runId, boolean preview) throws SQLException {
        try (Connection c = hashJoinsOnly(dataSource.getConnection()); PreparedStatement count = c.prepareStatement(
                "SELECT count(*) " + pairs(preview))) {
            pairsOf(count, 1, runId, preview);
            try (ResultSet rs = count.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            } finally {
                c.commit();
            }
        }
    }

    /**
     * A transaction in which the planner may not use nested loops: the staging tables were just
     * filled and record_link may have grown by a million rows since its statistics were taken, and
     * a nested loop over estimates of a few rows is what turns a seconds-long join into hours.
     */
    private static Connection hashJoinsOnly(Connection c) throws SQLException {
        c.setAutoCommit(false);
        try (java.sql.Statement s = c.createStatement()) {
            s.execute("SET LOCAL enable_nestloop = off");
        }
        return c;
    }

    /**
     * Streams the linked pairs of the staged records, computes both sides' patches with the event
     * sync's code (conversion problems become BULK sync errors) and stores them; counts into
     * {@code progress}, handing Intercom patches to {@code early} (if given) as they are stored.
     * The route takes it batch by batch ({@link Pass#next}), checking the stop flag between batches.
     */
    public Pass patches(long runId, MappingSet mappings, RunProgress progress, EarlyPatches early) throws SQLException {
        return new Pass(runId, mappings, progress, early, null);
    }

    /**
     * A preview's pass: the same pairs (its e-mail matches included) and patches, counted into
     * {@code tally}; nothing is stored and no sync error recorded.
     */
    public Pass preview(long runId, MappingSet mappings, RunProgress progress, PreviewTally tally) throws SQLException {
        return new Pass(runId, mappings, progress, null, tally);
    }

    /** One pass over the pairs: an open cursor, read batch by batch; close it when done (or not). */
    public final class Pass implements AutoCloseable {
        private final long runId;
        private final MappingSet mappings;
        private final RunProgress progress;
        private final EarlyPatches early;
        private final PreviewTally tally;
        private final Connection c;
        private final StageCopy patches;
        private final PreparedStatement select;
        private final ResultSet rs;
        private long seq;
        private boolean more = true;

        private Pass(long runId, MappingSet mappings, RunProgress progress, EarlyPatches early, PreviewTally tally)
                throws SQLException {
            this.runId = runId;
            this.mappings = mappings;
            this.progress = progress;
            this.early = early;
            this.tally = tally;
            Connection opened = hashJoinsOnly(dataSource.getConnection());
            StageCopy copy = null;
            try {
                if (tally == null) {
                    copy = new StageCopy(dataSource.getConnection(), "bulk_stage_patch",
                            "run_id, target, seq, object_type, salesforce_id, intercom_id, patch, intercom_state");
                }
                select = opened.prepareStatement("SELECT s.object_type, trim(s.salesforce_id), i.intercom_id, "
                        + "s.field_values::text, i.contact::text " + pairs(tally != null));
                select.setFetchSize(1000);
                pairsOf(select, 1, runId, tally != null);
                rs = select.executeQuery();
            } catch (SQLException | RuntimeException e) {
                if (copy != null) {
                    copy.close();
                }
                opened.close();
                throw e;
            }
            this.c = opened;
            this.patches = copy;
        }

        /** Whether pairs are left to compare. */
        public boolean more() {
            return more;
        }

        /** Compares up to {@code pairs} more pairs; whether any are left. */
        public boolean next(int pairs) throws Exception {
            for (int n = 0; n < pairs && more; n++) {
                if (!rs.next()) {
                    more = false;
                    break;
                }
                compare();
            }
            return more;
        }

        private void compare() throws Exception {
            ObjectType type = ObjectType.valueOf(rs.getString(1));
            String sfId = rs.getString(2);
            String icId = rs.getString(3);
            String contact = rs.getString(5);
            RecordPair pair = new RecordPair(type, sfId, icId, JSON.readValue(rs.getString(4), MAP),
                    JSON.readValue(contact, MAP), mappings);
            if (tally != null) {
                count(pair);
                return;
            }
            RecordSync.Outcome toIntercom = recordSync.sync(pair, Direction.SALESFORCE_TO_INTERCOM, "BULK");
            RecordSync.Outcome toSalesforce = recordSync.sync(pair, Direction.INTERCOM_TO_SALESFORCE, "BULK");
            boolean changes = false;
            if (toIntercom.patch() != null) {
                String patch = JSON.writeValueAsString(toIntercom.patch());
                patches.row(runId, "INTERCOM", ++seq, type.name(), sfId, icId, patch, null);
                if (early != null && early.accepting()) { // as the stored patch reads back
                    early.offer(seq, new PatchCursor.Patch(type, sfId, icId, PatchCursor.patch(patch), null));
                }
                changes = true;
            }
            if (toSalesforce.patch() != null) {
                patches.row(runId, "SALESFORCE", ++seq, type.name(), sfId, icId,
                        JSON.writeValueAsString(toSalesforce.patch()),
                        SyncedValues.of(mappings, type, JSON.readTree(contact))); // one pair in ten
                changes = true;
            }
            if (toIntercom.failed() || toSalesforce.failed()) {
                progress.failedInDiff.incrementAndGet();
                progress.failed.incrementAndGet();
                progress.total.incrementAndGet();
            } else if (!changes) {
                progress.unchanged.incrementAndGet();
                progress.total.incrementAndGet();
            }
            int writes = (toIntercom.patch() != null ? 1 : 0) + (toSalesforce.patch() != null ? 1 : 0);
            progress.total.addAndGet(writes);
            progress.writesToDo.addAndGet(writes);
            progress.pairsDiffed.incrementAndGet();
        }

        /** A preview's pair: counted as {@link #compare} counts it, the patches into the tally. */
        private void count(RecordPair pair) {
            RecordSync.Outcome toIntercom = recordSync.check(pair, Direction.SALESFORCE_TO_INTERCOM);
            RecordSync.Outcome toSalesforce = recordSync.check(pair, Direction.INTERCOM_TO_SALESFORCE);
            boolean failed = toIntercom.failed() || toSalesforce.failed();
            tally.pair(pair.objectType(), pair.salesforceId(), pair.intercomId(), mappings, pair.salesforceValues(),
                    pair.intercomContact(), toIntercom.patch(), toSalesforce.patch(), failed);
            // a preview's total is its pairs, each failing, unchanged or to change
            if (failed) {
                progress.failedInDiff.incrementAndGet();
                progress.failed.incrementAndGet();
            } else if (toIntercom.patch() == null && toSalesforce.patch() == null) {
                progress.unchanged.incrementAndGet();
            } else {
                progress.toChange.incrementAndGet();
            }
            progress.total.incrementAndGet();
            progress.pairsDiffed.incrementAndGet();
        }

        /** Ends the pass: the patches stored so far are committed (the writers read them back). */
        @Override
        public void close() throws SQLException {
            try (Connection connection = c; StageCopy copy = patches; PreparedStatement statement = select;
                 ResultSet rows = rs) {
                connection.commit();
            }
        }
    }

    private static List<String> strings(Array array) throws SQLException {
        return array == null ? List.of() : Arrays.asList((String[]) array.getArray());
    }
}

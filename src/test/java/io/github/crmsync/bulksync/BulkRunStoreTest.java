package io.github.crmsync.bulksync;

import io.github.crmsync.database.Database;
import io.github.crmsync.database.EmbeddedDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The run row as the cluster lock, in a real PostgreSQL: one active run, the stop flag, the lease. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BulkRunStoreTest {

    @TempDir
    static Path dataDir;
    private EmbeddedDatabase postgres;
    private Database database;
    private BulkRunStore store;

    @BeforeAll
    void startDatabase() throws Exception {
        postgres = EmbeddedDatabase.start(dataDir, 0);
        database = Database.open(postgres.jdbcUrl(), postgres.user(), "", 4, "bulk-run-test");
        store = new BulkRunStore(database.dataSource());
    }

    @AfterAll
    void stopDatabase() throws Exception {
        database.close();
        postgres.close();
    }

    @BeforeEach
    void noRuns() throws Exception {
        try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE bulk_run");
        }
    }

    @Test
    void onlyOneRunIsActiveAcrossReplicasAndANewOneMayStartOnceItEnded() {
        BulkRun first = store.start("admin", "[]", "replica-a", Duration.ofSeconds(30)).orElseThrow();
        assertThat(first.status()).isEqualTo("STAGING");
        assertThat(store.start("other", "[]", "replica-b", Duration.ofSeconds(30))).isEmpty();
        assertThat(store.active().orElseThrow().id()).isEqualTo(first.id());

        store.finish(first.id(), "COMPLETED", null);
        assertThat(store.active()).isEmpty();
        BulkRun second = store.start("other", "[]", "replica-b", Duration.ofSeconds(30)).orElseThrow();
        assertThat(store.recent(10)).extracting(BulkRun::id).containsExactly(second.id(), first.id());
    }

    @Test
    void theStopFlagReachesTheOwnerThroughItsHeartbeatWithTheFirstReasonKept() {
        BulkRun run = store.start("admin", "[]", "replica-a", Duration.ofSeconds(30)).orElseThrow();
        RunProgress progress = new RunProgress(run.id());
        progress.status("WRITING");
        progress.total.set(10);
        progress.unchanged.set(4);
        assertThat(store.heartbeat(progress, "replica-a", Duration.ofSeconds(30), 5)).isFalse();
        assertThat(store.active().orElseThrow().processed()).isEqualTo(4);

        store.requestStop("SETTINGS_CHANGED");
        store.requestStop("USER");
        assertThat(store.heartbeat(progress, "replica-a", Duration.ofSeconds(30), 5)).isTrue();
        assertThat(store.active().orElseThrow().stopReason()).isEqualTo("SETTINGS_CHANGED");
        assertThat(store.heartbeat(progress, "replica-b", Duration.ofSeconds(30), 5)).as("not the owner: stop").isTrue();
    }

    @Test
    void thePhaseCountsReachEveryReplicaThroughTheRunRowAndAPhaseChangeStartsItsClock() throws Exception {
        BulkRun started = store.start("admin", "[]", "replica-a", Duration.ofSeconds(30)).orElseThrow();
        assertThat(started.progress().phase()).isEqualTo("STAGING");
        assertThat(started.progress().phaseStartedAt()).isNotNull();
        assertThat(started.percent()).isZero();
        RunProgress progress = new RunProgress(started.id());
        progress.salesforceToStage.set(200);
        progress.salesforceStaged.set(100);
        progress.intercomToStage.set(400);
        progress.intercomStaged.set(400);
        store.heartbeat(progress, "replica-a", Duration.ofSeconds(30), 0);
        BulkRun staging = store.active().orElseThrow();
        assertThat(staging.progress()).isEqualTo(new BulkProgress("STAGING", 200L, 100, 400L, 400, 0, null, 0, 0, 0,
                started.progress().phaseStartedAt()));
        assertThat(staging.percent()).as("half of one side, all of the other").isEqualTo(11.2);
        assertThat(staging.asJson()).containsEntry("percent", 11.2).containsEntry("etaSeconds", null);

        progress.salesforceStaged.set(200);
        progress.status("DIFFING");
        progress.matchingSteps.set(BulkProgress.MATCHING_STEPS);
        progress.pairsToDiff.set(300);
        progress.pairsDiffed.set(150);
        store.heartbeat(progress, "replica-a", Duration.ofSeconds(30), 0);
        BulkRun diffing = store.find(started.id()).orElseThrow();
        assertThat(diffing.progress().phaseStartedAt()).as("the new phase's start").isAfter(started.progress().phaseStartedAt());
        assertThat(diffing.asJson()).containsEntry("phase", "DIFFING").containsEntry("percent", 27.0);
        store.heartbeat(progress, "replica-a", Duration.ofSeconds(30), 0);
        assertThat(store.find(started.id()).orElseThrow().progress().phaseStartedAt()).as("same phase, same start")
                .isEqualTo(diffing.progress().phaseStartedAt());

        store.finish(started.id(), "STOPPED", null);
        assertThat(store.find(started.id()).orElseThrow().asJson()).as("where it stopped")
                .containsEntry("percent", 27.0).containsEntry("phase", "STOPPED").containsEntry("etaSeconds", 0L);
    }

    @Test
    void aRunWhoseLeaseRanOutOrWhoseReplicaRestartedIsInterrupted() throws Exception {
        BulkRun live = store.start("admin", "[]", "replica-a", Duration.ofSeconds(30)).orElseThrow();
        assertThat(store.interruptAbandoned("replica-b")).isEmpty();
        assertThat(store.interruptAbandoned("replica-a")).as("replica-a started again").containsExactly(live.id());
        assertThat(store.find(live.id()).orElseThrow().status()).isEqualTo("INTERRUPTED");
        assertThat(store.find(live.id()).orElseThrow().finishedAt()).isNotNull();

        BulkRun stale = store.start("admin", "[]", "replica-c", Duration.ofMillis(1)).orElseThrow();
        Thread.sleep(20);
        assertThat(store.interruptAbandoned("")).containsExactly(stale.id());
        RunProgress progress = new RunProgress(stale.id());
        assertThat(store.heartbeat(progress, "replica-c", Duration.ofSeconds(30), 0)).as("no longer its run").isTrue();
    }
}

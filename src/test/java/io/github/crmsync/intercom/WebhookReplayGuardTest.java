package io.github.crmsync.intercom;

import io.github.crmsync.database.Database;
import io.github.crmsync.database.EmbeddedDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static io.github.crmsync.intercom.WebhookReplayGuard.Verdict.FRESH;
import static io.github.crmsync.intercom.WebhookReplayGuard.Verdict.NO_TIMESTAMP;
import static io.github.crmsync.intercom.WebhookReplayGuard.Verdict.SEEN;
import static io.github.crmsync.intercom.WebhookReplayGuard.Verdict.STALE_CONTACT;
import static io.github.crmsync.intercom.WebhookReplayGuard.Verdict.TOO_OLD;
import static org.assertj.core.api.Assertions.assertThat;

/** The three replay checks of a webhook notification, on a real PostgreSQL. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookReplayGuardTest {

    @TempDir
    static Path dataDir;
    private EmbeddedDatabase postgres;
    private Database database;
    private final Instant now = Instant.parse("2026-11-28T14:00:00Z");
    private WebhookReplayGuard guard;

    @BeforeAll
    void start() throws Exception {
        postgres = EmbeddedDatabase.start(dataDir, 0);
        database = Database.open(postgres.jdbcUrl(), postgres.user(), "", 2, "test");
        guard = new WebhookReplayGuard(database.dataSource(), Duration.ofMinutes(15), Clock.fixed(now, ZoneOffset.UTC));
    }

    @AfterAll
    void stop() throws Exception {
        try {
            database.close();
        } finally {
            postgres.close();
        }
    }

    @Test
    void aNotificationIsTakenOnceWhileFreshAndNeverForAnOlderContactVersion() {
        long t = now.getEpochSecond();
        assertThat(guard.age(t - 60, 0)).isEqualTo(FRESH);
        assertThat(guard.age(0, t - 60)).as("first_sent_at when created_at is missing").isEqualTo(FRESH);
        assertThat(guard.age(t - 16 * 60, t - 16 * 60)).isEqualTo(TOO_OLD);
        assertThat(guard.age(t + 16 * 60, 0)).as("from too far ahead").isEqualTo(TOO_OLD);
        assertThat(guard.age(0, 0)).isEqualTo(NO_TIMESTAMP);

        assertThat(guard.admit("notif_1", "c1", 100)).isEqualTo(FRESH);
        assertThat(guard.admit("notif_1", "c1", 100)).as("the same notification again").isEqualTo(SEEN);
        assertThat(guard.admit("notif_2", "c1", 100)).as("another notification, same version").isEqualTo(FRESH);
        assertThat(guard.admit("notif_3", "c1", 200)).isEqualTo(FRESH);
        assertThat(guard.admit("notif_4", "c1", 150)).as("older than the last accepted").isEqualTo(STALE_CONTACT);
        assertThat(guard.admit("notif_4", "c1", 250)).as("a refused id is not remembered").isEqualTo(FRESH);
        assertThat(guard.admit("notif_5", "c2", 150)).as("another contact").isEqualTo(FRESH);

        guard.forget("notif_5");
        assertThat(guard.admit("notif_5", "c2", 150)).as("forgotten when its change could not be stored").isEqualTo(FRESH);
    }
}

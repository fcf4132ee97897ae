package io.github.crmsync.access;

import io.github.crmsync.database.Database;
import io.github.crmsync.database.EmbeddedDatabase;
import io.github.crmsync.testing.SettableClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** Server-side admin sessions in PostgreSQL: shared by replicas, ended by logout, idleness, age and a new password. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminSessionsTest {

    @TempDir
    static Path dataDir;
    private EmbeddedDatabase postgres;
    private Database database;
    private final SettableClock clock = new SettableClock(Instant.parse("2026-11-28T14:00:00Z"));

    @BeforeAll
    void start() throws Exception {
        postgres = EmbeddedDatabase.start(dataDir, 0);
        database = Database.open(postgres.jdbcUrl(), postgres.user(), "", 2, "test");
    }

    @AfterAll
    void stop() throws Exception {
        try {
            database.close();
        } finally {
            postgres.close();
        }
    }

    private AdminSessions sessions(String password) {
        return new AdminSessions(database.dataSource(), password, Duration.ofHours(8), Duration.ofMinutes(30), clock);
    }

    @Test
    void aSessionIsSharedByReplicasAndEndsAtLogoutIdlenessAgeOrANewPassword() {
        AdminSessions replicaA = sessions("pw-one");
        AdminSessions replicaB = sessions("pw-one");
        String cookie = replicaA.issue("admin");
        assertThat(cookie).doesNotContain("pw-one").doesNotContain("admin");
        assertThat(replicaA.issue("admin")).as("each login its own session").isNotEqualTo(cookie);
        assertThat(replicaB.verify(cookie)).as("another replica with the same password").hasValue("admin");

        String[] parts = cookie.split("\\.");
        assertThat(replicaA.verify(parts[0] + "." + parts[1].substring(1) + "A")).as("a forged signature").isEmpty();
        assertThat(replicaA.verify(cookie + "A")).isEmpty();
        assertThat(replicaA.verify("not a cookie")).isEmpty();
        assertThat(replicaA.verify(null)).isEmpty();

        replicaB.end(cookie);
        assertThat(replicaA.verify(cookie)).as("logged out on the other replica").isEmpty();

        String idle = replicaA.issue("admin");
        clock.advance(Duration.ofMinutes(20));
        assertThat(replicaA.verify(idle)).as("used after 20 minutes").hasValue("admin");
        clock.advance(Duration.ofMinutes(29));
        assertThat(replicaA.verify(idle)).as("used again 29 minutes later").hasValue("admin");
        clock.advance(Duration.ofMinutes(31));
        assertThat(replicaA.verify(idle)).as("31 minutes unused").isEmpty();

        String old = replicaA.issue("admin");
        for (int i = 0; i < 17; i++) {
            clock.advance(Duration.ofMinutes(29));
            replicaA.verify(old);
        }
        assertThat(replicaA.verify(old)).as("in use, but past 8 hours").isEmpty();

        String beforeChange = replicaA.issue("admin");
        AdminSessions changed = sessions("pw-two");
        assertThat(changed.verify(beforeChange)).as("after the password changed").isEmpty();
        assertThat(sessions("pw-two").verify(changed.issue("admin"))).as("a restart with the same password keeps sessions")
                .hasValue("admin");
    }
}

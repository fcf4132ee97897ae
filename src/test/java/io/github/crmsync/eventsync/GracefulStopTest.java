package io.github.crmsync.eventsync;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crmsync.database.Database;
import io.github.crmsync.database.EmbeddedDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** A stopping replica's claims go back to the queue at once, not after the lease. */
class GracefulStopTest {

    @TempDir
    Path dataDir;

    @Test
    void claimsHandedBackAtAStopAreTakenByAnotherReplicaAtOnceAndOnlyThoseOfTheStoppingReplica() throws Exception {
        try (EmbeddedDatabase postgres = EmbeddedDatabase.start(dataDir, 0);
             Database database = Database.open(postgres.jdbcUrl(), postgres.user(), "", 2, "graceful-stop-test")) {
            IntercomChanges changes = new IntercomChanges(database.dataSource(), Duration.ofMinutes(2));
            ObjectMapper json = new ObjectMapper();
            for (int i = 0; i < 5; i++) {
                changes.add(json.createObjectNode().put("id", "ic-" + i).put("role", "user").put("updated_at", 100 + i),
                        "WEBHOOK", "notif-" + i);
            }
            changes.add(json.createObjectNode().put("id", "ic-lead").put("role", "lead").put("updated_at", 100),
                    "WEBHOOK", "notif-lead");
            assertThat(changes.claim("stopping", "user", 400, Duration.ZERO).rowIds()).hasSize(5);
            assertThat(changes.claim("staying", "lead", 400, Duration.ZERO).rowIds()).hasSize(1);
            assertThat(changes.claim("other", "user", 400, Duration.ZERO).isEmpty()).as("held under lease").isTrue();

            new GracefulStop(null, changes, "stopping").close();

            assertThat(changes.claim("other", "user", 400, Duration.ZERO).rowIds()).as("free at once").hasSize(5);
            assertThat(changes.inFlight()).as("the other replica's claims stay").isEqualTo(6);
        }
    }
}

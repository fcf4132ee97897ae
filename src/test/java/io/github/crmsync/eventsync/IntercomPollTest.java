package io.github.crmsync.eventsync;

import io.github.crmsync.database.Database;
import io.github.crmsync.database.EmbeddedDatabase;
import io.github.crmsync.intercom.IntercomClient;
import io.github.crmsync.sandbox.intercom.IntercomSimulator;
import io.github.crmsync.sandbox.intercom.IntercomSimulatorSettings;
import io.github.crmsync.sandbox.seed.SeedData;
import io.github.crmsync.testing.IntercomClientForTests;
import io.github.crmsync.testing.IntercomRoutes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Intercom safety-net poll against the simulator and PostgreSQL: it stores each search page's
 * contacts before it asks for the next page, so the day's changed contacts (which Intercom's
 * day-grained search returns every time) never have to fit in the heap at once.
 */
class IntercomPollTest {

    private static final int CHANGED = 400; // three pages of 150

    @TempDir
    Path dataDir;
    private final SeedData seed = new SeedData(SeedData.DEFAULT_SEED, 600);
    private EmbeddedDatabase postgres;
    private Database database;
    private IntercomSimulator simulator;
    private IntercomRoutes routes;

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {routes, simulator, database, postgres}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @Test
    void eachPageOfChangedContactsIsStoredBeforeTheNextIsRead() throws Exception {
        postgres = EmbeddedDatabase.start(dataDir, 0);
        database = Database.open(postgres.jdbcUrl(), postgres.user(), "", 4, "poll-test");
        simulator = new IntercomSimulator(IntercomSimulatorSettings.defaults().withPort(0), seed);
        simulator.start();
        routes = IntercomRoutes.start(simulator.baseUrl(), 4, Duration.ofSeconds(1));
        IntercomClient intercom = routes.client;

        Instant since = Instant.now().minusSeconds(60);
        IntercomClientForTests anotherClient = new IntercomClientForTests(simulator.baseUrl());
        int changed = 0;
        for (int i = 0; i < seed.people() && changed < CHANGED; i++) {
            var person = seed.person(i);
            if (person.intercom() != null) {
                assertThat(anotherClient.update(person.intercom().id(), Map.of("custom_attributes", Map.of("seats", i)))
                        .status()).isEqualTo(200);
                changed++;
            }
        }
        assertThat(changed).isEqualTo(CHANGED);

        IntercomChanges changes = new IntercomChanges(database.dataSource(), Duration.ofMinutes(2));
        Watermarks watermarks = new Watermarks(database.dataSource());
        watermarks.start(IntercomPoll.WATERMARK, since);
        List<Long> storedWhenAPageWasAskedFor = new CopyOnWriteArrayList<>();
        simulator.onSearch(body -> storedWhenAPageWasAskedFor.add(changes.pending()));

        int stored = new IntercomPoll(intercom, changes, watermarks, Clock.systemUTC()).collect();

        assertThat(stored).isEqualTo(CHANGED);
        assertThat(changes.pending()).isEqualTo(CHANGED);
        assertThat(storedWhenAPageWasAskedFor).as("changes stored when each search page was asked for")
                .hasSizeGreaterThanOrEqualTo(3)
                .startsWith(0L, 150L, 300L);
        assertThat(watermarks.state(IntercomPoll.WATERMARK).orElseThrow().position().at()).isAfter(since);
    }
}

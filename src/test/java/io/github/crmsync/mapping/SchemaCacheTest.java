package io.github.crmsync.mapping;

import io.github.crmsync.testing.SettableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SchemaCacheTest {

    @Test
    void aFailedRefreshKeepsTheSchemasItHadAndTheNextUseTriesAgain() {
        Schemas first = MappingFixtures.SCHEMAS;
        Schemas second = new Schemas(MappingFixtures.LEAD, MappingFixtures.CONTACT, MappingFixtures.INTERCOM);
        Deque<Supplier<Schemas>> answers = new ArrayDeque<>();
        answers.add(() -> first);
        answers.add(() -> {
            throw new IllegalStateException("Intercom answered 503 service_unavailable");
        });
        answers.add(() -> second);
        SettableClock clock = new SettableClock(Instant.parse("2026-12-01T00:00:00Z"));
        SchemaCache cache = new SchemaCache(() -> answers.poll().get(), Duration.ofMinutes(10), clock);

        assertThat(cache.current()).isSameAs(first);
        clock.advance(Duration.ofMinutes(11));
        assertThat(cache.current()).as("the refresh failed: the schemas it had").isSameAs(first);
        assertThat(cache.current()).as("tried again at the next use").isSameAs(second);
    }

    @Test
    void aFirstLoadThatFailsSaysWhy() {
        SchemaCache cache = new SchemaCache(() -> {
            throw new IllegalStateException("Intercom answered 503 service_unavailable");
        }, Duration.ofMinutes(10), new SettableClock(Instant.parse("2026-12-01T00:00:00Z")));
        assertThatThrownBy(cache::current).hasMessageContaining("503");
    }
}

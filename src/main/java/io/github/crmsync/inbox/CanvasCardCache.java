package io.github.crmsync.inbox;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The inbox card of each contact for a short while: a Canvas Kit request replayed (or the same
 * contact opened by several teammates at once) costs no further Salesforce call. Only cards that
 * Salesforce answered are kept (not "out of API calls" or "unavailable"); at most {@code maxEntries},
 * the least recently used leaving first.
 */
final class CanvasCardCache {

    private record Entry(Map<String, Object> card, Instant until) {
    }

    private final Duration ttl;
    private final Clock clock;
    private final Map<String, Entry> cards;

    CanvasCardCache(Duration ttl, int maxEntries, Clock clock) {
        this.ttl = ttl;
        this.clock = clock;
        this.cards = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > maxEntries;
            }
        };
    }

    /** The cached card of this key, else the computed one (kept when {@code keep} says so). */
    Map<String, Object> get(String key, Supplier<Map<String, Object>> compute, java.util.function.Predicate<Map<String, Object>> keep) {
        Instant now = clock.instant();
        synchronized (cards) {
            Entry entry = cards.get(key);
            if (entry != null && now.isBefore(entry.until())) {
                return entry.card();
            }
        }
        Map<String, Object> card = compute.get();
        if (keep.test(card)) {
            synchronized (cards) {
                cards.put(key, new Entry(card, now.plus(ttl)));
            }
        }
        return card;
    }
}

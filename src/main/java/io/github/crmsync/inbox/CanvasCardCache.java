package io.github.crmsync.inbox;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The inbox card of each contact as Salesforce last answered it (per replica, at most
 * {@code maxEntries}, the least recently used leaving first), and the rule of when it may be
 * served again without a Salesforce call. A card is current as of its read; for a linked contact,
 * also as of each later Salesforce poll of its type that read to the end, since that poll would
 * have marked the record had it changed. It is served while it is current as of less than the
 * TTL ago and no sync (on any replica) wrote or read its record since it was read, and its link is
 * the one it was read with.
 */
final class CanvasCardCache {

    /**
     * A card read from Salesforce.
     *
     * @param readAt             the database's clock just before the query was sent
     * @param linkedSalesforceId the contact's link when it was read (null: found by e-mail, or not found)
     * @param fields             the mapped fields it shows
     */
    record Entry(Map<String, Object> card, Instant readAt, String linkedSalesforceId, List<String> fields) {
    }

    private final Map<String, Entry> cards;

    CanvasCardCache(int maxEntries) {
        this.cards = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > maxEntries;
            }
        };
    }

    Entry get(String key) {
        synchronized (cards) {
            return cards.get(key);
        }
    }

    void put(String key, Entry entry) {
        synchronized (cards) {
            cards.put(key, entry);
        }
    }

    /** When the entry is known to be current, or null when it may be out of date and must be read again. */
    static Instant currentAsOf(Entry entry, CardFreshness.State state, Duration ttl) {
        if (!Objects.equals(entry.linkedSalesforceId(), state.linkedSalesforceId())) {
            return null; // linked (or relinked) since: another record's card now
        }
        if (state.lastSynced() != null && state.lastSynced().isAfter(entry.readAt())) {
            return null; // a sync wrote or read the record after the card was read
        }
        Instant asOf = entry.readAt();
        // only a linked record is marked by the polls; an e-mail match is not
        if (entry.linkedSalesforceId() != null && state.polledUntil() != null && state.polledUntil().isAfter(asOf)) {
            asOf = state.polledUntil();
        }
        return state.now().isBefore(asOf.plus(ttl)) ? asOf : null;
    }
}

package io.github.crmsync.sandbox.salesforce;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

/**
 * The org's event bus for Change Data Capture: one channel per object selected for change
 * notifications ({@code /data/ContactChangeEvent}, {@code /data/LeadChangeEvent}), each event kept
 * for the retention period (72 hours, as Salesforce stores change events; settable so that a test
 * can let events expire). Replay ids are opaque bytes (here the event's position on the bus, which
 * is shared by the channels, so that one channel's ids are not contiguous).
 */
final class ChangeEventBus {

    static final Duration DEFAULT_RETENTION = Duration.ofHours(72);

    /** One stored event. */
    record Event(long position, long publishedAt, String id, String topic, byte[] payload) {
        byte[] replayId() {
            return ChangeEventBus.replayId(position);
        }
    }

    /** Why a replay id can't be used. */
    enum ReplayProblem { CORRUPTED, EXPIRED }

    static final class ReplayIdException extends Exception {
        final ReplayProblem problem;

        ReplayIdException(ReplayProblem problem, String message) {
            super(message, null, false, false);
            this.problem = problem;
        }
    }

    private final Map<String, ChangeEventSchema> schemas = new LinkedHashMap<>();
    private final Map<String, List<Event>> stored = new ConcurrentHashMap<>();
    private final Map<String, Long> purgedUpTo = new ConcurrentHashMap<>();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final Set<String> selected = ConcurrentHashMap.newKeySet();
    private final LongSupplier clock;
    private volatile Duration retention = DEFAULT_RETENTION;
    private long position;
    private long commitNumber;

    ChangeEventBus(LongSupplier clock) {
        this.clock = clock;
        for (SObjectSchema object : List.of(SObjectSchema.CONTACT, SObjectSchema.LEAD)) {
            ChangeEventSchema schema = new ChangeEventSchema(object);
            schemas.put(topicOf(object), schema);
            stored.put(topicOf(object), new ArrayList<>());
            purgedUpTo.put(topicOf(object), 0L);
            selected.add(object.name);
        }
    }

    static String topicOf(SObjectSchema object) {
        return "/data/" + object.name + "ChangeEvent";
    }

    static byte[] replayId(long position) {
        return ByteBuffer.allocate(Long.BYTES).putLong(position).array();
    }

    /** The channel's schema, or null when there is no such channel. */
    ChangeEventSchema schemaOfTopic(String topic) {
        return schemas.get(topic);
    }

    ChangeEventSchema schemaById(String schemaId) {
        return schemas.values().stream().filter(s -> s.schemaId.equals(schemaId)).findFirst().orElse(null);
    }

    /** Whether the object is selected for change notifications (Setup → Change Data Capture). */
    boolean selected(SObjectSchema object) {
        return selected.contains(object.name);
    }

    void select(String objectName, boolean enabled) {
        SObjectSchema object = SObjectSchema.forName(objectName);
        if (object == null) {
            throw new IllegalArgumentException("No change events for " + objectName);
        }
        if (enabled) {
            selected.add(object.name);
        } else {
            selected.remove(object.name);
        }
    }

    Duration retention() {
        return retention;
    }

    void retention(Duration newRetention) {
        this.retention = newRetention;
        purge();
    }

    void onPublish(Runnable listener) {
        listeners.add(listener);
    }

    void removeListener(Runnable listener) {
        listeners.remove(listener);
    }

    /** Publishes one record change as its object's change event (nothing when the object is not selected). */
    void publish(SObjectSchema object, String recordId, Map<String, Object> before, Map<String, Object> after,
                 long commitTimestamp, String commitUser, String changeOrigin, String transactionKey, int sequenceNumber) {
        if (!selected(object)) {
            return;
        }
        String topic = topicOf(object);
        ChangeEventSchema schema = schemas.get(topic);
        synchronized (this) {
            long commit = ++commitNumber;
            byte[] payload = schema.encode(new ChangeEventSchema.Header(recordId, "UPDATE", changeOrigin, transactionKey,
                    sequenceNumber, commitTimestamp, commit, commitUser), before, after);
            position += 1 + (commit % 3); // not contiguous, as Salesforce's are not
            stored.get(topic).add(new Event(position, clock.getAsLong(), UUID.randomUUID().toString(), topic, payload));
        }
        listeners.forEach(Runnable::run);
    }

    /** Drops the events older than the retention period. */
    synchronized void purge() {
        long oldest = clock.getAsLong() - retention.toMillis();
        stored.forEach((topic, events) -> {
            int gone = 0;
            while (gone < events.size() && events.get(gone).publishedAt() <= oldest) {
                gone++;
            }
            if (gone > 0) {
                purgedUpTo.put(topic, events.get(gone - 1).position());
                events.subList(0, gone).clear();
            }
        });
    }

    /** The position a subscription from the channel's tip starts after. */
    synchronized long latest() {
        return position;
    }

    /** The position an EARLIEST subscription starts after: just before the oldest retained event. */
    synchronized long earliest(String topic) {
        purge();
        return purgedUpTo.get(topic);
    }

    /** The position a CUSTOM replay id stands for, if it is one of this bus's and no event after it has expired. */
    synchronized long positionOf(String topic, byte[] replayId) throws ReplayIdException {
        if (replayId == null || replayId.length != Long.BYTES) {
            throw new ReplayIdException(ReplayProblem.CORRUPTED, "The Replay ID validation failed.");
        }
        long at = ByteBuffer.wrap(replayId).getLong();
        if (at < 0 || at > position) {
            throw new ReplayIdException(ReplayProblem.CORRUPTED, "The Replay ID validation failed.");
        }
        purge();
        if (at < purgedUpTo.get(topic)) { // events after it are gone: resuming from it would skip them
            throw new ReplayIdException(ReplayProblem.EXPIRED, "The Replay ID is outside the retention window.");
        }
        return at;
    }

    /** Up to {@code max} retained events of the channel after the position, oldest first. */
    synchronized List<Event> after(String topic, long after, int max) {
        List<Event> events = stored.get(topic);
        List<Event> out = new ArrayList<>();
        int low = 0;
        int high = events.size();
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (events.get(mid).position() <= after) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        for (int i = low; i < events.size() && out.size() < max; i++) {
            out.add(events.get(i));
        }
        return out;
    }

    /** Events stored per channel (the sandbox's state). */
    synchronized Map<String, Integer> counts() {
        Map<String, Integer> m = new LinkedHashMap<>();
        stored.forEach((topic, events) -> m.put(topic, events.size()));
        return m;
    }
}

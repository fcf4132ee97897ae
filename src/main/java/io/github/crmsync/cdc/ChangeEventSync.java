package io.github.crmsync.cdc;

import io.github.crmsync.errors.SyncError;
import io.github.crmsync.errors.SyncErrorStore;
import io.github.crmsync.eventsync.RecordPair;
import io.github.crmsync.eventsync.RecordSync;
import io.github.crmsync.eventsync.SalesforceToIntercom;
import io.github.crmsync.mapping.AttributeMapping;
import io.github.crmsync.mapping.Direction;
import io.github.crmsync.mapping.MappingSet;
import io.github.crmsync.mapping.MappingStore;
import io.github.crmsync.mapping.ObjectType;
import io.github.crmsync.matching.RecordLinks;
import org.apache.avro.generic.GenericRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Salesforce → Intercom from change events: each event's records paired with their linked Intercom
 * contacts and their changed mapped values, which then go through the same patch and write as a
 * poll's records ({@code direct:sync-record-to-intercom}). Intercom is not read: the event carries
 * the new values, so each changed mapped value is written (an emptied one as a clear), one Intercom
 * request per record. An event costs nothing (no Salesforce call, no Intercom request) when this
 * service wrote it (its commit user is the service's own integration user: the other direction's
 * write coming back), when none of its changed fields is mapped to Intercom, or when none of its
 * records is linked to an Intercom contact (matching new records by e-mail stays with the poll).
 */
public final class ChangeEventSync {

    private static final Logger LOG = LoggerFactory.getLogger(ChangeEventSync.class);

    private final MappingStore mappings;
    private final RecordLinks links;
    private final SalesforceToIntercom salesforceToIntercom;
    private final RecordSync recordSync;
    private final Supplier<String> ownUserId;
    private final SyncErrorStore errors;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong ignored = new AtomicLong();

    public ChangeEventSync(MappingStore mappings, RecordLinks links, SalesforceToIntercom salesforceToIntercom,
                           RecordSync recordSync, Supplier<String> ownUserId, SyncErrorStore errors) {
        this.recordSync = recordSync;
        this.mappings = mappings;
        this.links = links;
        this.salesforceToIntercom = salesforceToIntercom;
        this.ownUserId = ownUserId;
        this.errors = errors;
    }

    /**
     * The records of the events (one channel's, in their order) to write to Intercom, each with its
     * changed mapped values, read with one look-up of the mappings and one of the links for all of them.
     * An event that costs nothing adds none; one that cannot be read adds none either, and each of its
     * records has that as its sync error, with the replay id, and the stream goes on. An event that may
     * have been written to Intercom before its replay id could be stored (the subscriber stopped in
     * between, {@link ChangeEventWorkers.Received#maybeApplied}) has its contacts read, and only values
     * Intercom does not hold yet are written.
     */
    public List<RecordPair> pairs(List<ChangeEventWorkers.Received> events) {
        MappingSet set = null;
        List<Changed> changed = new ArrayList<>();
        Set<String> ids = new LinkedHashSet<>();
        for (ChangeEventWorkers.Received received : events) {
            this.received.incrementAndGet();
            Object body = received.event();
            ChangeEvent event;
            try {
                if (!(body instanceof GenericRecord record)) {
                    throw new IllegalArgumentException("A change event was expected, not " + (body == null ? "nothing"
                            : body.getClass().getName()));
                }
                event = ChangeEvent.of(record);
            } catch (IllegalArgumentException e) {
                unreadable(body, received.replayId(), e);
                continue;
            }
            if (set == null) {
                set = mappings.current();
            }
            ObjectType type = ObjectType.fromSalesforceObject(event.entityName());
            Map<String, Object> values = mappedChanges(set, event, type);
            if (values.isEmpty() || sameId(event.commitUser(), ownUserId.get())) {
                ignored.incrementAndGet();
                continue;
            }
            changed.add(new Changed(event, type, values, received.maybeApplied()));
            ids.addAll(event.recordIds());
        }
        Map<String, String> linked = ids.isEmpty() ? Map.of() : links.intercomIdsBySalesforceId(ids);
        List<RecordPair> pairs = new ArrayList<>();
        for (Changed c : changed) {
            List<Map<String, Object>> records = new ArrayList<>();
            for (String id : c.event().recordIds()) {
                if (linked.containsKey(id)) {
                    Map<String, Object> record = new LinkedHashMap<>(c.values());
                    record.put("Id", id);
                    records.add(record);
                }
            }
            if (records.isEmpty()) {
                ignored.incrementAndGet();
            } else if (c.maybeApplied()) {
                // read: what Intercom holds already was written by the earlier attempt, and is recorded as such
                salesforceToIntercom.pairs(c.type(), set, records).stream()
                        .filter(pair -> recordSync.intercomPatchOrWrittenBefore(pair) != null).forEach(pairs::add);
            } else {
                // each contact's id alone: not read, so every changed value is written
                for (Map<String, Object> r : records) {
                    String contact = linked.get((String) r.get("Id"));
                    pairs.add(new RecordPair(c.type(), (String) r.get("Id"), contact, r, Map.of("id", contact), set));
                }
            }
        }
        return pairs;
    }

    /** A readable event with changed mapped values, not the service's own. */
    private record Changed(ChangeEvent event, ObjectType type, Map<String, Object> values, boolean maybeApplied) {
    }

    private void unreadable(Object body, String replayId, IllegalArgumentException problem) {
        String details = "Change event with replay id " + replayId;
        List<String> ids = List.of();
        ObjectType type = null;
        if (body instanceof GenericRecord record && record.getSchema().getField("ChangeEventHeader") != null
                && record.get("ChangeEventHeader") instanceof GenericRecord header) {
            try {
                type = ObjectType.fromSalesforceObject(String.valueOf(header.get("entityName")));
            } catch (IllegalArgumentException notSynced) {
                type = null;
            }
            if (header.get("recordIds") instanceof List<?> list) {
                ids = list.stream().map(String::valueOf).toList();
            }
        }
        if (type == null || ids.isEmpty()) {
            LOG.warn("Change events: an event that names no synced record could not be read ({}): {}", details,
                    problem.getMessage());
            return;
        }
        for (String id : ids) {
            errors.record(new SyncError("EVENT", Direction.SALESFORCE_TO_INTERCOM, type, id, "", List.of(),
                    "UNREADABLE_CHANGE_EVENT", problem.getMessage(), details));
        }
    }

    /** Change events received since start, and those that cost nothing. */
    public long received() {
        return received.get();
    }

    public long ignored() {
        return ignored.get();
    }

    /** The changed values of fields a mapping sends to Intercom, by the mappings' field names. */
    private static Map<String, Object> mappedChanges(MappingSet set, ChangeEvent event, ObjectType type) {
        Set<String> mapped = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        for (AttributeMapping m : set.forObject(type, Direction.SALESFORCE_TO_INTERCOM)) {
            mapped.add(m.salesforceField());
        }
        Map<String, Object> values = new LinkedHashMap<>();
        event.changedValues().forEach((field, value) -> {
            if (mapped.contains(field)) {
                values.put(((TreeSet<String>) mapped).ceiling(field), value);
            }
        });
        return values;
    }

    /** Salesforce user ids come as 15 or 18 characters; the first 15 identify the user. */
    static boolean sameId(String a, String b) {
        if (a == null || b == null || a.length() < 15 || b.length() < 15) {
            return false;
        }
        return a.substring(0, 15).equals(b.substring(0, 15));
    }
}

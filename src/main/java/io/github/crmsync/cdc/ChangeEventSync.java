package io.github.crmsync.cdc;

import io.github.crmsync.eventsync.RecordPair;
import io.github.crmsync.eventsync.SalesforceToIntercom;
import io.github.crmsync.mapping.AttributeMapping;
import io.github.crmsync.mapping.Direction;
import io.github.crmsync.mapping.MappingSet;
import io.github.crmsync.mapping.MappingStore;
import io.github.crmsync.mapping.ObjectType;
import io.github.crmsync.matching.RecordLinks;
import org.apache.avro.generic.GenericRecord;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Salesforce → Intercom from change events: each event's records paired with their Intercom contacts
 * and their changed mapped values, which then go through the same patch and write as a poll's
 * records ({@code direct:sync-record-to-intercom}). An event costs nothing (no Salesforce call, no
 * Intercom request) when this service wrote it (its commit user is the service's own integration
 * user: the other direction's write coming back), when none of its changed fields is mapped to
 * Intercom, or when none of its records is linked to an Intercom contact (matching new records by
 * e-mail stays with the poll). Once an event was handled its replay id is stored.
 */
public final class ChangeEventSync {

    private final MappingStore mappings;
    private final RecordLinks links;
    private final SalesforceToIntercom salesforceToIntercom;
    private final ReplayIds replayIds;
    private final Supplier<String> ownUserId;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong ignored = new AtomicLong();

    public ChangeEventSync(MappingStore mappings, RecordLinks links, SalesforceToIntercom salesforceToIntercom,
                           ReplayIds replayIds, Supplier<String> ownUserId) {
        this.mappings = mappings;
        this.links = links;
        this.salesforceToIntercom = salesforceToIntercom;
        this.replayIds = replayIds;
        this.ownUserId = ownUserId;
    }

    /** The event's records to write to Intercom, each with its changed mapped values; empty when it costs nothing. */
    public List<RecordPair> pairs(Object body) {
        received.incrementAndGet();
        if (!(body instanceof GenericRecord record)) {
            throw new IllegalArgumentException("A change event was expected, not " + (body == null ? "nothing"
                    : body.getClass().getName()));
        }
        ChangeEvent event = ChangeEvent.of(record);
        ObjectType type = ObjectType.fromSalesforceObject(event.entityName());
        Map<String, Object> values = mappedChanges(event, type);
        if (values.isEmpty() || sameId(event.commitUser(), ownUserId.get())) {
            ignored.incrementAndGet();
            return List.of();
        }
        Map<String, String> linked = links.intercomIdsBySalesforceId(event.recordIds());
        List<Map<String, Object>> records = new ArrayList<>();
        for (String id : event.recordIds()) {
            if (linked.containsKey(id)) {
                Map<String, Object> r = new LinkedHashMap<>(values);
                r.put("Id", id);
                records.add(r);
            }
        }
        if (records.isEmpty()) {
            ignored.incrementAndGet();
            return List.of();
        }
        return salesforceToIntercom.pairs(type, mappings.current(), records);
    }

    /** The event was handled (written, costless, or its failure recorded): the subscription resumes after it. */
    public void handled(String topic, String replayId) {
        if (replayId != null) {
            replayIds.handled(topic, replayId);
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
    private Map<String, Object> mappedChanges(ChangeEvent event, ObjectType type) {
        MappingSet set = mappings.current();
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

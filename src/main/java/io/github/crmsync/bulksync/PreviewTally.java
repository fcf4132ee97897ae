package io.github.crmsync.bulksync;

import io.github.crmsync.history.Changes;
import io.github.crmsync.history.FieldChange;
import io.github.crmsync.mapping.Direction;
import io.github.crmsync.mapping.MappingSet;
import io.github.crmsync.mapping.ObjectType;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A preview's count of what the diff found, pair by pair: the records each side would update, per
 * target field the records it changes and the first {@value #SAMPLES} as {@code before -> after}
 * (the fields and values as the change history would record them), and the pairs unchanged or
 * failing. One diff pass fills it, on one thread.
 */
public final class PreviewTally {

    static final int SAMPLES = 20;

    private record Key(Direction direction, ObjectType objectType, String field) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int d = direction.compareTo(o.direction);
            int t = d != 0 ? d : objectType.compareTo(o.objectType);
            return t != 0 ? t : field.compareTo(o.field);
        }
    }

    private static final class Field {
        String sourceField;
        long records;
        final List<BulkPreviewFigures.Sample> samples = new ArrayList<>();
    }

    private final Map<Key, Field> fields = new TreeMap<>();
    private final Map<Direction, Long> records = new EnumMap<>(Direction.class);
    private final Map<ObjectType, Long> salesforceByObject = new EnumMap<>(ObjectType.class);
    private long pairs;
    private long unchanged;
    private long failing;

    /**
     * One pair compared: the patch each direction would write (null when none), whether a value
     * failed to convert, and the values both came from.
     */
    public void pair(ObjectType type, String salesforceId, String intercomId, MappingSet mappings,
                     Map<String, Object> salesforceValues, Map<String, Object> intercomContact,
                     Map<String, Object> toIntercom, Map<String, Object> toSalesforce, boolean failed) {
        pairs++;
        if (failed) {
            failing++;
        } else if (toIntercom == null && toSalesforce == null) {
            unchanged++;
        }
        write(Direction.SALESFORCE_TO_INTERCOM, type, salesforceId, intercomId, mappings, salesforceValues, intercomContact,
                toIntercom);
        write(Direction.INTERCOM_TO_SALESFORCE, type, salesforceId, intercomId, mappings, salesforceValues, intercomContact,
                toSalesforce);
        if (toSalesforce != null) {
            salesforceByObject.merge(type, 1L, Long::sum);
        }
    }

    private void write(Direction direction, ObjectType type, String salesforceId, String intercomId, MappingSet mappings,
                       Map<String, Object> salesforceValues, Map<String, Object> intercomContact, Map<String, Object> patch) {
        if (patch == null) {
            return;
        }
        records.merge(direction, 1L, Long::sum);
        for (FieldChange change : Changes.of("BULK", direction, type, salesforceId, intercomId, null, mappings,
                salesforceValues, intercomContact, patch)) {
            Field field = fields.computeIfAbsent(new Key(direction, type, change.field()), k -> new Field());
            field.sourceField = change.sourceField();
            field.records++;
            if (field.samples.size() < SAMPLES) {
                field.samples.add(new BulkPreviewFigures.Sample(salesforceId, intercomId, change.oldValue(), change.newValue()));
            }
        }
    }

    public long pairs() {
        return pairs;
    }

    /** The records to update in Salesforce, per object (the writers' batches are cut from them). */
    public Map<ObjectType, Long> salesforceByObject() {
        return Map.copyOf(salesforceByObject);
    }

    /** The contacts to update in Intercom: one request each. */
    public long intercomWrites() {
        return records.getOrDefault(Direction.SALESFORCE_TO_INTERCOM, 0L);
    }

    public BulkPreviewFigures figures(long ambiguousMatches, BulkEstimate.Cost cost, BulkEstimate.Duration duration) {
        List<BulkPreviewFigures.DirectionFigures> directions = new ArrayList<>();
        for (Direction direction : Direction.values()) {
            List<BulkPreviewFigures.FieldFigures> list = new ArrayList<>();
            fields.forEach((key, field) -> {
                if (key.direction() == direction) {
                    list.add(new BulkPreviewFigures.FieldFigures(key.objectType().name(), key.field(), field.sourceField,
                            field.records, List.copyOf(field.samples)));
                }
            });
            directions.add(new BulkPreviewFigures.DirectionFigures(direction.name(), records.getOrDefault(direction, 0L), list));
        }
        return new BulkPreviewFigures(pairs, ambiguousMatches, unchanged, failing, directions, cost, duration);
    }
}

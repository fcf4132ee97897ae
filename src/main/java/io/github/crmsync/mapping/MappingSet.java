package io.github.crmsync.mapping;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** An immutable, ordered set of attribute mappings with the lookups the sync needs. */
public final class MappingSet {

    private static final MappingSet EMPTY = new MappingSet(List.of());

    private final List<AttributeMapping> mappings;

    private MappingSet(List<AttributeMapping> mappings) {
        this.mappings = List.copyOf(mappings);
    }

    public static MappingSet of(Collection<AttributeMapping> mappings) {
        return new MappingSet(new ArrayList<>(mappings));
    }

    public static MappingSet of(AttributeMapping... mappings) {
        return new MappingSet(List.of(mappings));
    }

    public static MappingSet empty() {
        return EMPTY;
    }

    public List<AttributeMapping> all() {
        return mappings;
    }

    public boolean isEmpty() {
        return mappings.isEmpty();
    }

    public List<AttributeMapping> forObject(ObjectType objectType) {
        return mappings.stream().filter(m -> m.objectType() == objectType).toList();
    }

    public List<AttributeMapping> forObject(ObjectType objectType, Direction direction) {
        return mappings.stream().filter(m -> m.objectType() == objectType && m.direction() == direction).toList();
    }

    /**
     * The mapped Salesforce fields of an object type in both directions (a sync reads the target
     * side too, to write only what differs), once each, ignoring case as Salesforce does.
     */
    public List<String> salesforceFields(ObjectType objectType) {
        return distinctIgnoringCase(forObject(objectType).stream().map(AttributeMapping::salesforceField).toList());
    }

    /** What a SOQL query for the object type selects: {@code Id}, {@code Email} (the match key) and the mapped fields. */
    public List<String> salesforceFieldsToQuery(ObjectType objectType) {
        List<String> fields = new ArrayList<>(List.of("Id", "Email"));
        fields.addAll(salesforceFields(objectType));
        return distinctIgnoringCase(fields);
    }

    /** The mapped Intercom attributes of an object type in both directions, full names, once each. */
    public List<String> intercomAttributes(ObjectType objectType) {
        return forObject(objectType).stream().map(AttributeMapping::intercomAttribute).distinct().toList();
    }

    private static List<String> distinctIgnoringCase(List<String> names) {
        Map<String, String> byKey = new LinkedHashMap<>();
        names.forEach(n -> byKey.putIfAbsent(n.toLowerCase(Locale.ROOT), n));
        return List.copyOf(byKey.values());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MappingSet other && mappings.equals(other.mappings);
    }

    @Override
    public int hashCode() {
        return mappings.hashCode();
    }

    @Override
    public String toString() {
        return "MappingSet" + mappings;
    }
}

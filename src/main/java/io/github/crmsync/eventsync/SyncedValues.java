package io.github.crmsync.eventsync;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.crmsync.mapping.AttributeMapping;
import io.github.crmsync.mapping.Direction;
import io.github.crmsync.mapping.MappingSet;
import io.github.crmsync.mapping.ObjectType;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A contact's Intercom values of the attributes mapped to Salesforce, as last synced: stored per
 * link ({@code record_link.intercom_state}) as JSON, {@code {"attribute": {"SalesforceField": value}}}.
 * With them a change needs no Salesforce read: an attribute is written when its Intercom value
 * differs from the one last synced, and a notification that changes none of them (the echo of a
 * write) costs nothing. A value the contact did not carry (a standard attribute left out, no
 * {@code custom_attributes} object) is unknown and keeps the value stored before; values that do
 * not cover every mapping in force (a mapping added since) mean Salesforce is read instead.
 */
public final class SyncedValues {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CUSTOM = "custom_attributes";

    /** attribute → {field: value} */
    private final ObjectNode values;

    private SyncedValues(ObjectNode values) {
        this.values = values;
    }

    /** The values of a contact as they would be stored (a first sync: nothing stored before). */
    public static String of(MappingSet mappings, ObjectType type, JsonNode contact) {
        return after(mappings, type, contact, null);
    }

    /**
     * The values to store once this contact is synced: its own for every mapped attribute it
     * carries, the stored ones for those it does not; attributes no longer mapped are dropped.
     */
    public static String after(MappingSet mappings, ObjectType type, JsonNode contact, String stored) {
        SyncedValues before = parse(stored);
        ObjectNode values = JSON.createObjectNode();
        List<AttributeMapping> sent = mappings.forObject(type, Direction.INTERCOM_TO_SALESFORCE).stream()
                .sorted(Comparator.comparing(AttributeMapping::intercomAttribute)).toList();
        for (AttributeMapping mapping : sent) {
            JsonNode value = valueIn(mapping, contact);
            if (value == null && before != null && before.covers(mapping)) {
                value = before.values.path(mapping.intercomAttribute()).elements().next();
            }
            if (value != null) {
                values.putObject(mapping.intercomAttribute()).set(mapping.salesforceField(), value);
            }
        }
        return values.toString();
    }

    /** Stored values, or null when there are none (nothing stored, or a digest stored before values were). */
    public static SyncedValues parse(String stored) {
        if (stored == null || !stored.startsWith("{")) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(stored);
            return node instanceof ObjectNode object ? new SyncedValues(object) : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /** Whether a value is stored for each of these mappings (attribute and Salesforce field alike). */
    public boolean covers(List<AttributeMapping> mappings) {
        return mappings.stream().allMatch(this::covers);
    }

    private boolean covers(AttributeMapping mapping) {
        JsonNode byField = values.get(mapping.intercomAttribute());
        if (byField == null || byField.size() != 1) {
            return false;
        }
        return byField.fieldNames().next().equalsIgnoreCase(mapping.salesforceField());
    }

    /** The mappings whose value the contact carries and that differs from the stored one (all must be covered). */
    public List<AttributeMapping> changed(List<AttributeMapping> mappings, JsonNode contact) {
        List<AttributeMapping> changed = new ArrayList<>();
        for (AttributeMapping mapping : mappings) {
            JsonNode now = valueIn(mapping, contact);
            if (now != null && !now.equals(stored(mapping))) {
                changed.add(mapping);
            }
        }
        return changed;
    }

    /** The stored values of these mappings as a contact (standard attributes at the top, custom ones under custom_attributes). */
    public Map<String, Object> asContact(List<AttributeMapping> mappings) {
        Map<String, Object> contact = new LinkedHashMap<>();
        for (AttributeMapping mapping : mappings) {
            Object value = JSON.convertValue(stored(mapping), Object.class);
            if (mapping.isCustomIntercomAttribute()) {
                nested(contact, CUSTOM).put(mapping.intercomKey(), value);
            } else {
                String[] path = mapping.intercomKey().split("\\.");
                Map<String, Object> at = contact;
                for (int i = 0; i < path.length - 1; i++) {
                    at = nested(at, path[i]);
                }
                at.put(path[path.length - 1], value);
            }
        }
        return contact;
    }

    private JsonNode stored(AttributeMapping mapping) {
        JsonNode byField = values.path(mapping.intercomAttribute());
        return byField.size() == 1 ? byField.elements().next() : null;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> nested(Map<String, Object> at, String key) {
        return (Map<String, Object>) at.computeIfAbsent(key, k -> new LinkedHashMap<>());
    }

    /**
     * The contact's value of the mapping's attribute, as the patch calculation reads it: null when
     * unknown (a standard attribute left out, no custom_attributes object); a custom attribute left
     * out of a present custom_attributes object is empty (Intercom may omit unset ones).
     */
    static JsonNode valueIn(AttributeMapping mapping, JsonNode contact) {
        if (contact == null) {
            return null;
        }
        if (mapping.isCustomIntercomAttribute()) {
            JsonNode custom = contact.get(CUSTOM);
            if (custom == null || !custom.isObject()) {
                return null;
            }
            return Objects.requireNonNullElse(custom.get(mapping.intercomKey()), JSON.nullNode());
        }
        return standard(contact, mapping.intercomKey());
    }

    private static JsonNode standard(JsonNode object, String name) {
        if (object.has(name)) {
            return object.get(name);
        }
        int dot = name.indexOf('.');
        if (dot > 0 && object.get(name.substring(0, dot)) instanceof ObjectNode nested) {
            return standard(nested, name.substring(dot + 1));
        }
        return null;
    }

    @Override
    public String toString() {
        return values.toString();
    }
}

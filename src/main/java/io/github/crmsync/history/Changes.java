package io.github.crmsync.history;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crmsync.mapping.AttributeMapping;
import io.github.crmsync.mapping.Direction;
import io.github.crmsync.mapping.MappingSet;
import io.github.crmsync.mapping.ObjectType;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The history rows of one record's write: one per field of the patch, the source field from the
 * mappings, the old value from the target's values the patch was computed from (null when they do
 * not hold the field: not known), and the person's e-mail from either side's values.
 */
public final class Changes {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CUSTOM = "custom_attributes";

    private Changes() {
    }

    /** One write's rows. {@code salesforceValues}/{@code intercomContact} may be empty (values not known). */
    public static List<FieldChange> of(String syncType, Direction direction, ObjectType objectType, String salesforceId,
                                       String intercomId, Long bulkRunId, MappingSet mappings,
                                       Map<String, Object> salesforceValues, Map<String, Object> intercomContact,
                                       Map<String, Object> patch) {
        salesforceValues = salesforceValues == null ? Map.of() : salesforceValues;
        intercomContact = intercomContact == null ? Map.of() : intercomContact;
        String email = email(salesforceValues, intercomContact);
        List<FieldChange> rows = new ArrayList<>();
        boolean toSalesforce = direction == Direction.INTERCOM_TO_SALESFORCE;
        for (Map.Entry<String, Object> e : flatten(patch, toSalesforce).entrySet()) {
            String field = e.getKey();
            String source = null;
            for (AttributeMapping m : mappings.forObject(objectType, direction)) {
                if (toSalesforce ? m.salesforceField().equalsIgnoreCase(field) : m.intercomAttribute().equals(field)) {
                    source = toSalesforce ? m.intercomAttribute() : m.salesforceField();
                    break;
                }
            }
            String old = toSalesforce ? text(ignoringCase(salesforceValues, field)) : text(attribute(intercomContact, field));
            rows.add(new FieldChange(syncType, direction, objectType, salesforceId, intercomId, email, field, source, old,
                    text(e.getValue()), bulkRunId));
        }
        return rows;
    }

    /** An Intercom patch's custom attributes as {@code custom_attributes.name}, as mappings name them. */
    static Map<String, Object> flatten(Map<String, Object> patch, boolean salesforce) {
        Map<String, Object> fields = new java.util.LinkedHashMap<>();
        patch.forEach((key, value) -> {
            if (!salesforce && key.equals(CUSTOM) && value instanceof Map<?, ?> custom) {
                custom.forEach((k, v) -> fields.put(CUSTOM + "." + k, v));
            } else {
                fields.put(key, value);
            }
        });
        return fields;
    }

    /** A value as the history shows it: text as is, numbers in plain notation, lists and objects as JSON. */
    static String text(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof BigDecimal d) {
            return d.toPlainString();
        }
        if (value instanceof Map<?, ?> || value instanceof List<?>) {
            try {
                return JSON.writeValueAsString(value);
            } catch (JsonProcessingException e) {
                return String.valueOf(value);
            }
        }
        return value.toString();
    }

    private static String email(Map<String, Object> salesforceValues, Map<String, Object> intercomContact) {
        Object email = intercomContact.get("email");
        if (!(email instanceof String s) || s.isBlank()) {
            email = ignoringCase(salesforceValues, "Email");
        }
        return email instanceof String s && !s.isBlank() ? s.trim().toLowerCase(Locale.ROOT) : null;
    }

    private static Object ignoringCase(Map<String, Object> values, String field) {
        for (Map.Entry<String, Object> e : values.entrySet()) {
            if (e.getKey().equalsIgnoreCase(field)) {
                return e.getValue();
            }
        }
        return null;
    }

    private static Object attribute(Map<String, Object> contact, String attribute) {
        if (attribute.startsWith(CUSTOM + ".")) {
            return contact.get(CUSTOM) instanceof Map<?, ?> custom ? custom.get(attribute.substring(CUSTOM.length() + 1)) : null;
        }
        return contact.get(attribute);
    }
}

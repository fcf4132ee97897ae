package io.github.crmsync.mapping;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** An Intercom contact as JSON maps: standard attributes at the top, custom ones under {@code custom_attributes}. */
final class IntercomContact {

    static final String CUSTOM_ATTRIBUTES = "custom_attributes";

    private final Map<String, Object> contact;

    IntercomContact(Map<String, Object> contact) {
        this.contact = contact == null ? Map.of() : contact;
    }

    /**
     * Empty if the value was not read. A custom attribute left out of a present
     * {@code custom_attributes} object is empty: Intercom may omit unset attributes.
     */
    Optional<ReadValue> value(AttributeMapping mapping) {
        if (!mapping.isCustomIntercomAttribute()) {
            return standard(contact, mapping.intercomKey());
        }
        if (!(contact.get(CUSTOM_ATTRIBUTES) instanceof Map<?, ?> custom)) {
            return Optional.empty();
        }
        return Optional.of(new ReadValue(custom.get(mapping.intercomKey())));
    }

    /** A top-level value, or a nested one for a dotted name such as {@code location.city}. */
    private static Optional<ReadValue> standard(Map<?, ?> object, String name) {
        if (object.containsKey(name)) {
            return Optional.of(new ReadValue(object.get(name)));
        }
        int dot = name.indexOf('.');
        if (dot > 0 && object.get(name.substring(0, dot)) instanceof Map<?, ?> nested) {
            return standard(nested, name.substring(dot + 1));
        }
        return Optional.empty();
    }

    /** The {@code PUT /contacts/{id}} body for values keyed by full attribute name. */
    static Map<String, Object> putBody(Map<String, Object> byFullName) {
        Map<String, Object> body = new LinkedHashMap<>();
        Map<String, Object> custom = new LinkedHashMap<>();
        byFullName.forEach((name, value) -> {
            if (name.startsWith(AttributeMapping.CUSTOM_PREFIX)) {
                custom.put(name.substring(AttributeMapping.CUSTOM_PREFIX.length()), value);
            } else {
                body.put(name, value);
            }
        });
        if (!custom.isEmpty()) {
            body.put(CUSTOM_ATTRIBUTES, Collections.unmodifiableMap(custom));
        }
        return Collections.unmodifiableMap(body);
    }
}

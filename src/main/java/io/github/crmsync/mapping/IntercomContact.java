package io.github.crmsync.mapping;

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
     * Empty if the value was not read. A
     * custom attribute left out of a present {@code custom_attributes} object is empty: Intercom
     * may omit unset attributes.
     */
    Optional<ReadValue> value(AttributeMapping mapping) {
        if (!mapping.isCustomIntercomAttribute()) {
            return contact.containsKey(mapping.intercomKey())
                    ? Optional.of(new ReadValue(contact.get(mapping.intercomKey()))) : Optional.empty();
        }
        if (!(contact.get(CUSTOM_ATTRIBUTES) instanceof Map<?, ?> custom)) {
            return Optional.empty();
        }
        return Optional.of(new ReadValue(custom.get(mapping.intercomKey())));
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
            body.put(CUSTOM_ATTRIBUTES, custom);
        }
        return body;
    }
}

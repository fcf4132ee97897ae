package io.github.crmsync.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The contact data attributes of an Intercom workspace, by full name. */
public final class IntercomSchema {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, IntercomAttribute> byFullName;

    public IntercomSchema(Collection<IntercomAttribute> attributes) {
        Map<String, IntercomAttribute> map = new LinkedHashMap<>();
        attributes.forEach(a -> map.put(a.fullName(), a));
        this.byFullName = Collections.unmodifiableMap(map);
    }

    /**
     * Reads {@code GET /data_attributes?model=contact}. Archived attributes and other models are
     * left out (they cannot be written). Custom attributes are keyed {@code custom_attributes.<name>}
     * whether the API gave {@code full_name} as {@code plan} or {@code custom_attributes.plan}.
     */
    public static IntercomSchema fromDataAttributes(JsonNode response) {
        List<IntercomAttribute> attributes = new ArrayList<>();
        for (JsonNode a : response.path("data")) {
            if (a.path("archived").asBoolean(false) || !"contact".equals(a.path("model").asText("contact"))) {
                continue;
            }
            String fullName = a.hasNonNull("full_name") ? a.get("full_name").asText() : a.path("name").asText();
            if (fullName.isEmpty()) {
                continue;
            }
            if (a.path("custom").asBoolean(false) && !fullName.startsWith(AttributeMapping.CUSTOM_PREFIX)) {
                fullName = AttributeMapping.CUSTOM_PREFIX + fullName;
            }
            List<String> options = new ArrayList<>();
            a.path("options").forEach(o -> options.add(o.isObject() ? o.path("value").asText() : o.asText()));
            attributes.add(new IntercomAttribute(fullName, IntercomDataType.fromApi(a.path("data_type").asText(null)),
                    a.path("api_writable").asBoolean(false), options));
        }
        return new IntercomSchema(attributes);
    }

    /** Same as {@link #fromDataAttributes(JsonNode)} for a response already read into maps and lists. */
    public static IntercomSchema fromDataAttributes(Map<String, ?> response) {
        return fromDataAttributes(JSON.<JsonNode>valueToTree(response));
    }

    public Optional<IntercomAttribute> attribute(String fullName) {
        return fullName == null ? Optional.empty() : Optional.ofNullable(byFullName.get(fullName));
    }

    public Collection<IntercomAttribute> attributes() {
        return byFullName.values();
    }
}

package io.github.crmsync.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The fields of one Salesforce sObject, looked up by API name ignoring case (as Salesforce does). */
public final class SalesforceSchema {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String objectName;
    private final Map<String, SalesforceField> fieldsByLowerName;

    public SalesforceSchema(String objectName, Collection<SalesforceField> fields) {
        this.objectName = objectName;
        Map<String, SalesforceField> byName = new LinkedHashMap<>();
        fields.forEach(f -> byName.put(key(f.name()), f));
        this.fieldsByLowerName = Collections.unmodifiableMap(byName);
    }

    /** Reads {@code GET /sobjects/{Type}/describe} as parsed by Jackson. */
    public static SalesforceSchema fromDescribe(JsonNode describe) {
        List<SalesforceField> fields = new ArrayList<>();
        for (JsonNode f : describe.path("fields")) {
            SalesforceFieldType type = SalesforceFieldType.fromDescribe(f.path("type").asText(null));
            int precision = f.path("precision").asInt(0);
            if (precision == 0 && type.kind() == SalesforceFieldType.Kind.NUMBER) {
                precision = f.path("digits").asInt(0); // int fields state their size in digits
            }
            List<String> picklist = new ArrayList<>();
            for (JsonNode v : f.path("picklistValues")) {
                if (v.path("active").asBoolean(true) && v.hasNonNull("value")) {
                    picklist.add(v.get("value").asText());
                }
            }
            fields.add(new SalesforceField(f.path("name").asText(), f.path("label").asText(null), type,
                    f.path("length").asInt(0), precision, f.path("scale").asInt(0),
                    f.path("updateable").asBoolean(false), f.path("nillable").asBoolean(false),
                    f.path("restrictedPicklist").asBoolean(false), picklist));
        }
        return new SalesforceSchema(describe.path("name").asText(null), fields);
    }

    /** Same as {@link #fromDescribe(JsonNode)} for a describe already read into maps and lists. */
    public static SalesforceSchema fromDescribe(Map<String, ?> describe) {
        return fromDescribe(JSON.<JsonNode>valueToTree(describe));
    }

    public String objectName() {
        return objectName;
    }

    public Optional<SalesforceField> field(String name) {
        return name == null ? Optional.empty() : Optional.ofNullable(fieldsByLowerName.get(key(name)));
    }

    public Collection<SalesforceField> fields() {
        return fieldsByLowerName.values();
    }

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}

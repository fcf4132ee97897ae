package io.github.crmsync.mapping;

import java.util.List;
import java.util.Objects;

/**
 * What the sync needs to know about one Salesforce field, from its describe entry.
 *
 * @param length          max characters for text-like types (0 = no limit known)
 * @param precision       total digits for numbers; for {@code int} the describe {@code digits} (0 = no limit known)
 * @param scale           digits after the point for numbers
 * @param picklistValues  the active picklist values, in describe order
 */
public record SalesforceField(String name, String label, SalesforceFieldType type, int length, int precision, int scale,
                              boolean updateable, boolean nillable, boolean restrictedPicklist,
                              List<String> picklistValues) {

    public SalesforceField {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        label = label == null ? name : label;
        picklistValues = picklistValues == null ? List.of() : List.copyOf(picklistValues);
    }

    public SalesforceFieldType.Kind kind() {
        return type.kind();
    }
}

package io.github.crmsync.mapping;

import java.util.List;
import java.util.Objects;

/**
 * One Intercom contact data attribute.
 *
 * @param fullName standard attributes by name ({@code phone}), custom ones always as
 *                 {@code custom_attributes.<name>}, whatever form the API listed them in
 * @param options  predefined values of a list attribute (empty if free)
 */
public record IntercomAttribute(String fullName, IntercomDataType dataType, boolean apiWritable, List<String> options) {

    public IntercomAttribute {
        Objects.requireNonNull(fullName, "fullName");
        Objects.requireNonNull(dataType, "dataType");
        options = options == null ? List.of() : List.copyOf(options);
    }

    public boolean isCustom() {
        return fullName.startsWith(AttributeMapping.CUSTOM_PREFIX);
    }
}

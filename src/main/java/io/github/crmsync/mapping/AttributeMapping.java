package io.github.crmsync.mapping;

import java.util.Objects;

/**
 * One operator-configured rule: for records of {@code objectType}, the Intercom attribute and the
 * Salesforce field hold the same value, and {@code direction} says which side is the source.
 *
 * @param id                null until the mapping is saved
 * @param intercomAttribute a standard attribute ({@code phone}) or a custom one written in full
 *                          ({@code custom_attributes.plan}), as Intercom's {@code full_name}
 * @param salesforceField   the Salesforce field API name ({@code Plan__c})
 */
public record AttributeMapping(Long id, ObjectType objectType, String intercomAttribute, String salesforceField,
                               Direction direction) {

    /** The prefix Intercom uses in {@code full_name} for attributes stored under {@code custom_attributes}. */
    public static final String CUSTOM_PREFIX = "custom_attributes.";

    public AttributeMapping {
        Objects.requireNonNull(objectType, "objectType");
        Objects.requireNonNull(intercomAttribute, "intercomAttribute");
        Objects.requireNonNull(salesforceField, "salesforceField");
        Objects.requireNonNull(direction, "direction");
        intercomAttribute = intercomAttribute.trim();
        salesforceField = salesforceField.trim();
    }

    public static AttributeMapping of(ObjectType objectType, String intercomAttribute, String salesforceField,
                                      Direction direction) {
        return new AttributeMapping(null, objectType, intercomAttribute, salesforceField, direction);
    }

    public AttributeMapping withId(Long newId) {
        return new AttributeMapping(newId, objectType, intercomAttribute, salesforceField, direction);
    }

    /** The same mapping naming the Salesforce field as the schema spells it. */
    AttributeMapping withSalesforceField(String name) {
        return name.equals(salesforceField) ? this : new AttributeMapping(id, objectType, intercomAttribute, name, direction);
    }

    /** Whether the Intercom value lives under the contact's {@code custom_attributes}. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isCustomIntercomAttribute() {
        return intercomAttribute.startsWith(CUSTOM_PREFIX);
    }

    /** The key inside the contact JSON: {@code phone} at the top level or {@code plan} inside {@code custom_attributes}. */
    public String intercomKey() {
        return isCustomIntercomAttribute() ? intercomAttribute.substring(CUSTOM_PREFIX.length()) : intercomAttribute;
    }

    public boolean writesSalesforce() {
        return direction == Direction.INTERCOM_TO_SALESFORCE;
    }

    /** How an operator would read the mapping, e.g. {@code lead: Salesforce Plan__c → Intercom custom_attributes.plan}. */
    public String describe() {
        return writesSalesforce()
                ? objectType + ": Intercom " + intercomAttribute + " → Salesforce " + salesforceField
                : objectType + ": Salesforce " + salesforceField + " → Intercom " + intercomAttribute;
    }
}

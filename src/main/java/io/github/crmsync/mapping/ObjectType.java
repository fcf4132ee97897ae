package io.github.crmsync.mapping;

import java.util.Locale;

/**
 * The kind of record a mapping applies to. Each value pairs one Intercom contact role with one
 * Salesforce sObject: an Intercom lead is kept in step with a Salesforce Lead, an Intercom user
 * with a Salesforce Contact.
 */
public enum ObjectType {
    LEAD("Lead", "lead"),
    CONTACT("Contact", "user");

    private final String salesforceObject;
    private final String intercomRole;

    ObjectType(String salesforceObject, String intercomRole) {
        this.salesforceObject = salesforceObject;
        this.intercomRole = intercomRole;
    }

    /** The Salesforce sObject API name, e.g. {@code Lead}. */
    public String salesforceObject() {
        return salesforceObject;
    }

    /** The Intercom contact {@code role}, e.g. {@code user}. */
    public String intercomRole() {
        return intercomRole;
    }

    public static ObjectType fromIntercomRole(String role) {
        for (ObjectType type : values()) {
            if (type.intercomRole.equalsIgnoreCase(role)) {
                return type;
            }
        }
        throw new IllegalArgumentException("Not an Intercom contact role: " + role);
    }

    public static ObjectType fromSalesforceObject(String sObject) {
        for (ObjectType type : values()) {
            if (type.salesforceObject.equalsIgnoreCase(sObject)) {
                return type;
            }
        }
        throw new IllegalArgumentException("Not a synced Salesforce object: " + sObject);
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}

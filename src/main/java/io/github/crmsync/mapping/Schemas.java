package io.github.crmsync.mapping;

import java.util.Objects;

/** The live schemas a mapping is checked and converted against: Salesforce Lead, Contact, and Intercom contacts. */
public record Schemas(SalesforceSchema lead, SalesforceSchema contact, IntercomSchema intercom) {

    public Schemas {
        Objects.requireNonNull(lead, "lead");
        Objects.requireNonNull(contact, "contact");
        Objects.requireNonNull(intercom, "intercom");
    }

    public SalesforceSchema salesforce(ObjectType objectType) {
        return objectType == ObjectType.LEAD ? lead : contact;
    }
}

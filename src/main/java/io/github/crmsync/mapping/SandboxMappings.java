package io.github.crmsync.mapping;

import java.util.ArrayList;
import java.util.List;

import static io.github.crmsync.mapping.Direction.INTERCOM_TO_SALESFORCE;
import static io.github.crmsync.mapping.Direction.SALESFORCE_TO_INTERCOM;

/**
 * The mapping set the sandbox starts with, so that the sync has something to do out of the box:
 * contact details owned by Salesforce, product usage owned by Intercom.
 */
public final class SandboxMappings {

    private SandboxMappings() {
    }

    public static MappingSet defaults() {
        List<AttributeMapping> mappings = new ArrayList<>();
        for (ObjectType type : ObjectType.values()) {
            mappings.add(AttributeMapping.of(type, "phone", "Phone", SALESFORCE_TO_INTERCOM));
            mappings.add(AttributeMapping.of(type, "custom_attributes.job_title", "Title", SALESFORCE_TO_INTERCOM));
            mappings.add(AttributeMapping.of(type, "custom_attributes.lead_source", "LeadSource", SALESFORCE_TO_INTERCOM));
            mappings.add(AttributeMapping.of(type, "custom_attributes.renewal_date", "Renewal_Date__c", SALESFORCE_TO_INTERCOM));
            mappings.add(AttributeMapping.of(type, "custom_attributes.plan", "Plan__c", INTERCOM_TO_SALESFORCE));
            mappings.add(AttributeMapping.of(type, "custom_attributes.seats", "Seats__c", INTERCOM_TO_SALESFORCE));
            mappings.add(AttributeMapping.of(type, "custom_attributes.newsletter", "Newsletter__c", INTERCOM_TO_SALESFORCE));
            mappings.add(AttributeMapping.of(type, "custom_attributes.nickname", "Nickname__c", INTERCOM_TO_SALESFORCE));
        }
        return MappingSet.of(mappings);
    }
}

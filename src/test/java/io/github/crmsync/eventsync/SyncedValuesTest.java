package io.github.crmsync.eventsync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crmsync.mapping.AttributeMapping;
import io.github.crmsync.mapping.Direction;
import io.github.crmsync.mapping.MappingSet;
import io.github.crmsync.mapping.ObjectType;
import io.github.crmsync.mapping.SandboxMappings;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SyncedValuesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final MappingSet MAPPINGS = SandboxMappings.defaults();
    private static final List<AttributeMapping> SENT = MAPPINGS.forObject(ObjectType.CONTACT, Direction.INTERCOM_TO_SALESFORCE);

    private static JsonNode contact(Map<String, Object> contact) {
        return JSON.valueToTree(contact);
    }

    private static List<String> changed(SyncedValues synced, Map<String, Object> contact) {
        return synced.changed(SENT, contact(contact)).stream().map(AttributeMapping::intercomAttribute).toList();
    }

    @Test
    void storesTheValuesSentToSalesforceAndNamesWhatChangedSince() {
        String stored = SyncedValues.of(MAPPINGS, ObjectType.CONTACT, contact(Map.of("phone", "+1 1",
                "custom_attributes", Map.of("plan", "Pro", "seats", 3, "newsletter", true, "job_title", "CTO"))));
        assertThat(stored).isEqualTo("{\"custom_attributes.newsletter\":{\"Newsletter__c\":true},"
                + "\"custom_attributes.nickname\":{\"Nickname__c\":null},\"custom_attributes.plan\":{\"Plan__c\":\"Pro\"},"
                + "\"custom_attributes.seats\":{\"Seats__c\":3}}");
        SyncedValues synced = SyncedValues.parse(stored);
        assertThat(synced.covers(SENT)).isTrue();

        assertThat(changed(synced, Map.of("phone", "+1 2", "custom_attributes",
                Map.of("plan", "Pro", "seats", 3, "newsletter", true, "job_title", "CEO"))))
                .as("phone and job title go from Salesforce to Intercom: the echo of such a write changes nothing").isEmpty();
        assertThat(changed(synced, Map.of("custom_attributes", Map.of("plan", "Team", "seats", 3, "newsletter", true))))
                .containsExactly("custom_attributes.plan");
        assertThat(changed(synced, Map.of("custom_attributes", Map.of("plan", "Pro", "newsletter", true))))
                .as("a custom attribute left out of custom_attributes is cleared").containsExactly("custom_attributes.seats");
        assertThat(changed(synced, Map.of("phone", "+1 1")))
                .as("without custom_attributes their values are unknown, not changed").isEmpty();

        assertThat(synced.asContact(synced.changed(SENT, contact(Map.of("custom_attributes", Map.of("seats", 4))))))
                .isEqualTo(Map.of("custom_attributes", Map.of("plan", "Pro", "seats", 3, "newsletter", true)));
    }

    @Test
    void unknownValuesKeepTheStoredOnes() {
        String stored = SyncedValues.of(MAPPINGS, ObjectType.CONTACT, contact(Map.of("custom_attributes",
                Map.of("plan", "Pro", "seats", 3))));
        String after = SyncedValues.after(MAPPINGS, ObjectType.CONTACT, contact(Map.of("phone", "+1 1")), stored);
        assertThat(after).isEqualTo(stored);
        assertThat(SyncedValues.after(MAPPINGS, ObjectType.CONTACT, contact(Map.of("custom_attributes", Map.of("seats", 5))),
                stored)).contains("\"Seats__c\":5").contains("\"Plan__c\":null");
    }

    @Test
    void valuesThatDoNotCoverTheMappingsInForceMeanAReadOfSalesforce() {
        String stored = SyncedValues.of(MAPPINGS, ObjectType.CONTACT, contact(Map.of("custom_attributes", Map.of("plan", "Pro"))));
        List<AttributeMapping> more = new ArrayList<>(SENT);
        more.add(AttributeMapping.of(ObjectType.CONTACT, "custom_attributes.tier", "Tier__c", Direction.INTERCOM_TO_SALESFORCE));
        assertThat(SyncedValues.parse(stored).covers(more)).as("a mapping added since").isFalse();
        List<AttributeMapping> moved = new ArrayList<>(SENT);
        moved.replaceAll(m -> m.intercomAttribute().equals("custom_attributes.plan")
                ? AttributeMapping.of(ObjectType.CONTACT, "custom_attributes.plan", "Plan_Name__c", Direction.INTERCOM_TO_SALESFORCE) : m);
        assertThat(SyncedValues.parse(stored).covers(moved)).as("an attribute mapped to another field since").isFalse();
        assertThat(SyncedValues.parse(SyncedValues.of(MAPPINGS, ObjectType.CONTACT, contact(Map.of("phone", "+1")))).covers(SENT))
                .as("a contact without custom_attributes: their values unknown").isFalse();
        assertThat(SyncedValues.parse("3f2a9c0d1e4b5a6c7d8e9f01")).as("a digest stored before values were").isNull();
        assertThat(SyncedValues.parse(null)).isNull();
    }
}

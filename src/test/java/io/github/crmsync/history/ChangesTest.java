package io.github.crmsync.history;

import io.github.crmsync.mapping.AttributeMapping;
import io.github.crmsync.mapping.Direction;
import io.github.crmsync.mapping.MappingSet;
import io.github.crmsync.mapping.ObjectType;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** One write's history rows: a row per field, the source field from the mappings, the old value as known. */
class ChangesTest {

    private static final MappingSet MAPPINGS = MappingSet.of(
            AttributeMapping.of(ObjectType.CONTACT, "phone", "Phone", Direction.SALESFORCE_TO_INTERCOM),
            AttributeMapping.of(ObjectType.CONTACT, "custom_attributes.plan", "Plan__c", Direction.SALESFORCE_TO_INTERCOM),
            AttributeMapping.of(ObjectType.CONTACT, "custom_attributes.seats", "Seats__c", Direction.INTERCOM_TO_SALESFORCE));

    @Test
    void anIntercomWriteGivesOneRowPerAttributeWithTheContactsValuesAsTheOldOnes() {
        Map<String, Object> contact = Map.of("email", "Ann@Example.com", "phone", "+1 555",
                "custom_attributes", Map.of("plan", "free"));
        Map<String, Object> patch = new LinkedHashMap<>();
        patch.put("phone", "+1 666");
        patch.put("custom_attributes", Map.of("plan", "pro"));

        List<FieldChange> rows = Changes.of("EVENT", Direction.SALESFORCE_TO_INTERCOM, ObjectType.CONTACT,
                "003000000000001AAA", "ic-1", null, MAPPINGS, Map.of("Phone", "+1 666"), contact, patch);

        assertThat(rows).extracting(FieldChange::field, FieldChange::sourceField, FieldChange::oldValue, FieldChange::newValue,
                FieldChange::email).containsExactly(
                org.assertj.core.groups.Tuple.tuple("phone", "Phone", "+1 555", "+1 666", "ann@example.com"),
                org.assertj.core.groups.Tuple.tuple("custom_attributes.plan", "Plan__c", "free", "pro", "ann@example.com"));
    }

    @Test
    void aSalesforceWriteTakesTheRecordsValuesAsOldOnesAndNullWhereTheyAreNotKnown() {
        Map<String, Object> patch = new LinkedHashMap<>();
        patch.put("Seats__c", new BigDecimal("12.50"));
        patch.put("Other__c", null);

        List<FieldChange> rows = Changes.of("BULK", Direction.INTERCOM_TO_SALESFORCE, ObjectType.CONTACT,
                "003000000000001AAA", "ic-1", 7L, MAPPINGS, Map.of(), Map.of(), patch);

        assertThat(rows).extracting(FieldChange::field, FieldChange::sourceField, FieldChange::oldValue, FieldChange::newValue,
                FieldChange::bulkRunId).containsExactly(
                org.assertj.core.groups.Tuple.tuple("Seats__c", "custom_attributes.seats", null, "12.50", 7L),
                org.assertj.core.groups.Tuple.tuple("Other__c", null, null, null, 7L));
        assertThat(rows.get(0).email()).isNull();

        assertThat(Changes.of("EVENT", Direction.INTERCOM_TO_SALESFORCE, ObjectType.CONTACT, "003000000000001AAA", "ic-1",
                null, MAPPINGS, Map.of("seats__c", 3, "Email", "b@example.com"), Map.of(), Map.of("Seats__c", 4)))
                .singleElement().satisfies(r -> {
                    assertThat(r.oldValue()).as("the record's value, its field named in any case").isEqualTo("3");
                    assertThat(r.email()).isEqualTo("b@example.com");
                });
    }
}

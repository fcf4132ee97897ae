package io.github.crmsync.mapping;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static io.github.crmsync.mapping.Direction.INTERCOM_TO_SALESFORCE;
import static io.github.crmsync.mapping.Direction.SALESFORCE_TO_INTERCOM;
import static io.github.crmsync.mapping.ObjectType.CONTACT;
import static io.github.crmsync.mapping.ObjectType.LEAD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MappingSetTest {

    private static final AttributeMapping PHONE = AttributeMapping.of(CONTACT, "phone", "Phone", INTERCOM_TO_SALESFORCE);
    private static final AttributeMapping PLAN = AttributeMapping.of(CONTACT, "custom_attributes.plan", "Plan__c", SALESFORCE_TO_INTERCOM);
    private static final AttributeMapping EMAIL_COPY = AttributeMapping.of(CONTACT, "custom_attributes.support_email", "email", SALESFORCE_TO_INTERCOM);
    private static final AttributeMapping LEAD_PLAN = AttributeMapping.of(LEAD, "custom_attributes.plan", "Plan__c", SALESFORCE_TO_INTERCOM);
    private static final MappingSet SET = MappingSet.of(List.of(PHONE, PLAN, EMAIL_COPY, LEAD_PLAN));

    @Test
    void lookupsByObjectTypeAndDirection() {
        assertThat(SET.forObject(CONTACT)).containsExactly(PHONE, PLAN, EMAIL_COPY);
        assertThat(SET.forObject(CONTACT, SALESFORCE_TO_INTERCOM)).containsExactly(PLAN, EMAIL_COPY);
        assertThat(SET.forObject(LEAD, INTERCOM_TO_SALESFORCE)).isEmpty();
        assertThat(SET.forObject(LEAD)).containsExactly(LEAD_PLAN);
    }

    @Test
    void fieldsAndAttributesASyncNeeds() {
        assertThat(SET.salesforceFields(CONTACT)).containsExactly("Phone", "Plan__c", "email");
        assertThat(SET.salesforceFieldsToQuery(CONTACT)).containsExactly("Id", "Email", "Phone", "Plan__c");
        assertThat(SET.salesforceFieldsToQuery(LEAD)).containsExactly("Id", "Email", "Plan__c");
        assertThat(SET.intercomAttributes(CONTACT))
                .containsExactly("phone", "custom_attributes.plan", "custom_attributes.support_email");
    }

    @Test
    void isImmutableAndComparesByContent() {
        assertThatThrownBy(() -> SET.all().add(PHONE)).isInstanceOf(UnsupportedOperationException.class);
        assertThat(MappingSet.of(PHONE, PLAN, EMAIL_COPY, LEAD_PLAN)).isEqualTo(SET).hasSameHashCodeAs(SET);
        assertThat(MappingSet.empty().isEmpty()).isTrue();
    }

    @ParameterizedTest
    @CsvSource({
            "phone,                  false, phone",
            "custom_attributes.plan, true,  plan",
            "' custom_attributes.notes ', true, notes",
    })
    void intercomKeyInTheContactJson(String attribute, boolean custom, String key) {
        AttributeMapping mapping = AttributeMapping.of(CONTACT, attribute, "Notes__c", INTERCOM_TO_SALESFORCE);
        assertThat(mapping.isCustomIntercomAttribute()).isEqualTo(custom);
        assertThat(mapping.intercomKey()).isEqualTo(key);
    }

    @Test
    void describesItselfAsAnOperatorReadsIt() {
        assertThat(PHONE.describe()).isEqualTo("contact: Intercom phone → Salesforce Phone");
        assertThat(LEAD_PLAN.withId(7L).describe()).isEqualTo("lead: Salesforce Plan__c → Intercom custom_attributes.plan");
        assertThat(LEAD_PLAN.withId(7L).id()).isEqualTo(7L);
    }

    @ParameterizedTest
    @CsvSource({"LEAD, Lead, lead", "CONTACT, Contact, user"})
    void objectTypesPairAnSObjectWithAnIntercomRole(ObjectType type, String sObject, String role) {
        assertThat(type.salesforceObject()).isEqualTo(sObject);
        assertThat(type.intercomRole()).isEqualTo(role);
        assertThat(ObjectType.fromSalesforceObject(sObject.toUpperCase())).isEqualTo(type);
        assertThat(ObjectType.fromIntercomRole(role)).isEqualTo(type);
    }

    @Test
    void unknownRoleOrObjectIsRefused() {
        assertThatThrownBy(() -> ObjectType.fromIntercomRole("visitor")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ObjectType.fromSalesforceObject("Account")).isInstanceOf(IllegalArgumentException.class);
    }
}

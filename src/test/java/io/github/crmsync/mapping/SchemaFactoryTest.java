package io.github.crmsync.mapping;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;

import static io.github.crmsync.mapping.MappingFixtures.CONTACT;
import static io.github.crmsync.mapping.MappingFixtures.INTERCOM;
import static io.github.crmsync.mapping.MappingFixtures.LEAD;
import static org.assertj.core.api.Assertions.assertThat;

class SchemaFactoryTest {

    @ParameterizedTest(name = "{0}: {1} length={2} precision={3} scale={4} updateable={5} nillable={6}")
    @CsvSource({
            "Id,               ID,       18,  0, 0, false, false",
            "LastName,         STRING,   80,  0, 0, true,  false",
            "Email,            EMAIL,    80,  0, 0, true,  true",
            "Plan__c,          PICKLIST, 255, 0, 0, true,  true",
            "Newsletter__c,    BOOLEAN,  0,   0, 0, true,  false",
            "Renewal_Date__c,  DATE,     0,   0, 0, true,  true",
            "Last_Login__c,    DATETIME, 0,   0, 0, true,  true",
            "Seats__c,         DOUBLE,   0,  18, 0, true,  true",
            "ARR__c,           CURRENCY, 0,  18, 2, true,  true",
            "Health_Score__c,  PERCENT,  0,   5, 2, true,  true",
            "Logins__c,        INT,      0,   9, 0, true,  true",
            "Notes__c,         TEXTAREA, 255, 0, 0, true,  true",
            "SystemModstamp,   DATETIME, 0,   0, 0, false, false",
            "MailingAddress,   ADDRESS,  0,   0, 0, false, true",
    })
    void describeFieldsAreRead(String name, SalesforceFieldType type, int length, int precision, int scale,
                               boolean updateable, boolean nillable) {
        SalesforceField field = CONTACT.field(name).orElseThrow();
        assertThat(field.type()).isEqualTo(type);
        assertThat(field.length()).isEqualTo(length);
        assertThat(field.precision()).isEqualTo(precision);
        assertThat(field.scale()).isEqualTo(scale);
        assertThat(field.updateable()).isEqualTo(updateable);
        assertThat(field.nillable()).isEqualTo(nillable);
    }

    @Test
    void picklistKeepsOnlyActiveValuesAndTheRestriction() {
        SalesforceField plan = CONTACT.field("Plan__c").orElseThrow();
        assertThat(plan.restrictedPicklist()).isTrue();
        assertThat(plan.picklistValues()).containsExactly("Free", "Pro", "Team", "Enterprise");
        assertThat(CONTACT.field("LeadSource").orElseThrow().restrictedPicklist()).isFalse();
    }

    @ParameterizedTest
    @CsvSource({"plan__c", "PLAN__C", "Plan__c", " Plan__c"})
    void fieldLookupIgnoresCase(String name) {
        assertThat(CONTACT.field(name.trim())).map(SalesforceField::name).contains("Plan__c");
    }

    @Test
    void schemaKnowsItsObjectAndUnknownFieldsAreEmpty() {
        assertThat(CONTACT.objectName()).isEqualTo("Contact");
        assertThat(LEAD.objectName()).isEqualTo("Lead");
        assertThat(LEAD.field("Company")).isPresent();
        assertThat(CONTACT.field("Company")).isEmpty();
        assertThat(CONTACT.field(null)).isEmpty();
    }

    @Test
    void unknownDescribeTypeIsKeptAsUnknown() {
        SalesforceSchema schema = SalesforceSchema.fromDescribe(Map.of("name", "Contact", "fields",
                List.of(Map.of("name", "Geo__c", "type", "somethingNew", "updateable", true))));
        assertThat(schema.field("Geo__c")).map(SalesforceField::type).contains(SalesforceFieldType.UNKNOWN);
    }

    @ParameterizedTest(name = "{0}: {1} api_writable={2}")
    @CsvSource({
            "email,                          STRING,  true",
            "phone,                          STRING,  true",
            "role,                           STRING,  false",
            "signed_up_at,                   DATE,    true",
            "custom_attributes.plan,         STRING,  true",
            "custom_attributes.newsletter,   BOOLEAN, true",
            "custom_attributes.seats,        INTEGER, true",
            "custom_attributes.arr,          FLOAT,   true",
            "custom_attributes.renewal_date, DATE,    true",
            "custom_attributes.computed_score, FLOAT, false",
            // listed with a plain full_name ("nickname"), keyed in full all the same
            "custom_attributes.nickname,     STRING,  true",
            "custom_attributes.support_email, STRING, true",
    })
    void dataAttributesAreRead(String fullName, IntercomDataType type, boolean apiWritable) {
        IntercomAttribute attribute = INTERCOM.attribute(fullName).orElseThrow();
        assertThat(attribute.dataType()).isEqualTo(type);
        assertThat(attribute.apiWritable()).isEqualTo(apiWritable);
        assertThat(attribute.isCustom()).isEqualTo(fullName.startsWith("custom_attributes."));
    }

    @ParameterizedTest
    @CsvSource({"nickname", "plan", "custom_attributes.old_score", "custom_attributes.unknown"})
    void plainCustomNamesArchivedAndUnknownAttributesAreNotFound(String fullName) {
        assertThat(INTERCOM.attribute(fullName)).isEmpty();
    }

    @Test
    void listOptionsAndOtherModelsAreHandled() {
        assertThat(INTERCOM.attribute("custom_attributes.plan").orElseThrow().options())
                .containsExactly("free", "pro", "team", "enterprise");
        // the company attribute "plan" must not replace the contact one
        assertThat(INTERCOM.attributes()).filteredOn(a -> a.fullName().equals("custom_attributes.plan")).hasSize(1);
    }

    @Test
    void dataAttributesFromMaps() {
        IntercomSchema schema = IntercomSchema.fromDataAttributes(Map.of("type", "list", "data", List.of(
                Map.of("name", "tier", "full_name", "tier", "data_type", "string", "api_writable", true, "custom", true))));
        assertThat(schema.attribute("custom_attributes.tier")).isPresent();
    }
}

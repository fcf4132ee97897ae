package io.github.crmsync.mapping;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static io.github.crmsync.mapping.Direction.INTERCOM_TO_SALESFORCE;
import static io.github.crmsync.mapping.Direction.SALESFORCE_TO_INTERCOM;
import static io.github.crmsync.mapping.MappingFixtures.SCHEMAS;
import static io.github.crmsync.mapping.MappingProblem.Kind.DUPLICATE_INTERCOM_ATTRIBUTE;
import static io.github.crmsync.mapping.MappingProblem.Kind.DUPLICATE_SALESFORCE_FIELD;
import static io.github.crmsync.mapping.MappingProblem.Kind.INCOMPATIBLE_TYPES;
import static io.github.crmsync.mapping.MappingProblem.Kind.INTERCOM_ATTRIBUTE_NOT_WRITABLE;
import static io.github.crmsync.mapping.MappingProblem.Kind.MATCH_KEY_NOT_WRITABLE;
import static io.github.crmsync.mapping.MappingProblem.Kind.PROTECTED_FIELD;
import static io.github.crmsync.mapping.MappingProblem.Kind.SALESFORCE_FIELD_NOT_UPDATEABLE;
import static io.github.crmsync.mapping.MappingProblem.Kind.UNKNOWN_INTERCOM_ATTRIBUTE;
import static io.github.crmsync.mapping.MappingProblem.Kind.UNKNOWN_SALESFORCE_FIELD;
import static io.github.crmsync.mapping.ObjectType.CONTACT;
import static io.github.crmsync.mapping.ObjectType.LEAD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class MappingValidatorTest {

    private final MappingValidator validator = new MappingValidator();

    /** The mappings the sandbox is meant to run with: all valid. */
    static final List<AttributeMapping> SANDBOX = List.of(
            AttributeMapping.of(CONTACT, "phone", "Phone", INTERCOM_TO_SALESFORCE),
            AttributeMapping.of(CONTACT, "name", "LastName", SALESFORCE_TO_INTERCOM),
            AttributeMapping.of(CONTACT, "custom_attributes.job_title", "Title", SALESFORCE_TO_INTERCOM),
            AttributeMapping.of(CONTACT, "custom_attributes.lead_source", "LeadSource", INTERCOM_TO_SALESFORCE),
            AttributeMapping.of(CONTACT, "custom_attributes.plan", "Plan__c", SALESFORCE_TO_INTERCOM),
            AttributeMapping.of(CONTACT, "custom_attributes.newsletter", "Newsletter__c", INTERCOM_TO_SALESFORCE),
            AttributeMapping.of(CONTACT, "custom_attributes.renewal_date", "Renewal_Date__c", SALESFORCE_TO_INTERCOM),
            AttributeMapping.of(CONTACT, "custom_attributes.last_login", "Last_Login__c", INTERCOM_TO_SALESFORCE),
            AttributeMapping.of(CONTACT, "custom_attributes.seats", "Seats__c", SALESFORCE_TO_INTERCOM),
            AttributeMapping.of(CONTACT, "custom_attributes.arr", "ARR__c", SALESFORCE_TO_INTERCOM),
            AttributeMapping.of(CONTACT, "custom_attributes.health_score", "Health_Score__c", INTERCOM_TO_SALESFORCE),
            AttributeMapping.of(CONTACT, "custom_attributes.support_email", "Support_Email__c", INTERCOM_TO_SALESFORCE),
            AttributeMapping.of(CONTACT, "custom_attributes.nickname", "Nickname__c", INTERCOM_TO_SALESFORCE),
            AttributeMapping.of(CONTACT, "custom_attributes.notes", "Notes__c", INTERCOM_TO_SALESFORCE),
            // the same attributes again for leads: duplicates only count within one object type
            AttributeMapping.of(LEAD, "phone", "Phone", INTERCOM_TO_SALESFORCE),
            AttributeMapping.of(LEAD, "custom_attributes.plan", "Plan__c", SALESFORCE_TO_INTERCOM),
            AttributeMapping.of(LEAD, "custom_attributes.job_title", "Company", SALESFORCE_TO_INTERCOM),
            // reading the match key, and every kind rendered as text, is fine
            AttributeMapping.of(LEAD, "custom_attributes.support_email", "Email", SALESFORCE_TO_INTERCOM),
            AttributeMapping.of(LEAD, "custom_attributes.notes", "Last_Login__c", SALESFORCE_TO_INTERCOM),
            AttributeMapping.of(LEAD, "email", "Support_Email__c", INTERCOM_TO_SALESFORCE),
            AttributeMapping.of(LEAD, "custom_attributes.nickname", "OwnerId", SALESFORCE_TO_INTERCOM),
            AttributeMapping.of(LEAD, "custom_attributes.computed_score", "Health_Score__c", INTERCOM_TO_SALESFORCE),
            AttributeMapping.of(LEAD, "custom_attributes.seats", "ARR__c", INTERCOM_TO_SALESFORCE),
            AttributeMapping.of(LEAD, "custom_attributes.arr", "Logins__c", SALESFORCE_TO_INTERCOM),
            AttributeMapping.of(LEAD, "signed_up_at", "Renewal_Date__c", INTERCOM_TO_SALESFORCE));

    @Test
    void validSetHasNoProblems() {
        assertThat(validator.validate(MappingSet.of(SANDBOX), SCHEMAS)).isEmpty();
    }

    static Stream<Arguments> singleProblems() {
        return Stream.of(
                arguments(CONTACT, "phone", "Fax__c", INTERCOM_TO_SALESFORCE, UNKNOWN_SALESFORCE_FIELD, "no field Fax__c"),
                arguments(CONTACT, "phone", "Company", INTERCOM_TO_SALESFORCE, UNKNOWN_SALESFORCE_FIELD, "Contact has no field Company"),
                arguments(CONTACT, "custom_attributes.tier", "Plan__c", SALESFORCE_TO_INTERCOM, UNKNOWN_INTERCOM_ATTRIBUTE, "no data attribute custom_attributes.tier"),
                arguments(CONTACT, "plan", "Plan__c", SALESFORCE_TO_INTERCOM, UNKNOWN_INTERCOM_ATTRIBUTE, "did you mean custom_attributes.plan?"),
                arguments(CONTACT, "custom_attributes.old_score", "Seats__c", SALESFORCE_TO_INTERCOM, UNKNOWN_INTERCOM_ATTRIBUTE, "archived"),
                arguments(CONTACT, "custom_attributes.arr", "Score_Formula__c", INTERCOM_TO_SALESFORCE, SALESFORCE_FIELD_NOT_UPDATEABLE, "Score (formula) (Score_Formula__c) cannot be updated"),
                arguments(LEAD, "custom_attributes.newsletter", "IsConverted", INTERCOM_TO_SALESFORCE, PROTECTED_FIELD, "IsConverted is a system field"),
                arguments(CONTACT, "custom_attributes.computed_score", "ARR__c", SALESFORCE_TO_INTERCOM, INTERCOM_ATTRIBUTE_NOT_WRITABLE, "cannot be written through the API"),
                arguments(CONTACT, "custom_attributes.newsletter", "IsDeleted", INTERCOM_TO_SALESFORCE, PROTECTED_FIELD, "Salesforce IsDeleted is a system field"),
                arguments(LEAD, "updated_at", "SystemModstamp", INTERCOM_TO_SALESFORCE, PROTECTED_FIELD, "SystemModstamp is a system field"),
                arguments(CONTACT, "role", "Title", SALESFORCE_TO_INTERCOM, PROTECTED_FIELD, "Intercom role identifies the contact"),
                arguments(CONTACT, "email", "Email", INTERCOM_TO_SALESFORCE, MATCH_KEY_NOT_WRITABLE, "Salesforce Email is how records are matched"),
                arguments(CONTACT, "email", "Email", SALESFORCE_TO_INTERCOM, MATCH_KEY_NOT_WRITABLE, "Intercom email is how records are matched"),
                arguments(CONTACT, "custom_attributes.support_email", "email", INTERCOM_TO_SALESFORCE, MATCH_KEY_NOT_WRITABLE, "never writes it"),
                arguments(CONTACT, "custom_attributes.newsletter", "Nickname__c", SALESFORCE_TO_INTERCOM, INCOMPATIBLE_TYPES, "a string and Intercom custom_attributes.newsletter is a boolean"),
                arguments(CONTACT, "custom_attributes.seats", "ARR__c", SALESFORCE_TO_INTERCOM, INCOMPATIBLE_TYPES, "2 decimal places"),
                arguments(CONTACT, "custom_attributes.renewal_date", "Seats__c", INTERCOM_TO_SALESFORCE, INCOMPATIBLE_TYPES, "cannot hold each other's values"),
                arguments(CONTACT, "custom_attributes.notes", "Renewal_Date__c", INTERCOM_TO_SALESFORCE, INCOMPATIBLE_TYPES, "only go Salesforce → Intercom"),
                arguments(CONTACT, "custom_attributes.notes", "OwnerId", INTERCOM_TO_SALESFORCE, INCOMPATIBLE_TYPES, "only go Salesforce → Intercom"),
                arguments(CONTACT, "custom_attributes.notes", "MailingAddress", SALESFORCE_TO_INTERCOM, INCOMPATIBLE_TYPES, "an address"));
    }

    @ParameterizedTest(name = "[{index}] {0} {1} / {2} {3}: {4}")
    @MethodSource
    void singleProblems(ObjectType type, String intercom, String salesforce, Direction direction,
                        MappingProblem.Kind kind, String saying) {
        AttributeMapping mapping = AttributeMapping.of(type, intercom, salesforce, direction);
        List<MappingProblem> problems = validator.validate(MappingSet.of(mapping), SCHEMAS);
        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(kind);
            assertThat(p.mapping()).isEqualTo(mapping);
            assertThat(p.message()).contains(saying);
            assertThat(p.describe()).startsWith(mapping.describe());
        });
    }

    @Test
    void duplicatesAreReportedOnTheLaterMappingsPerObjectType() {
        AttributeMapping plan = AttributeMapping.of(CONTACT, "custom_attributes.plan", "Plan__c", SALESFORCE_TO_INTERCOM);
        AttributeMapping planBack = AttributeMapping.of(CONTACT, "custom_attributes.plan", "LeadSource", INTERCOM_TO_SALESFORCE);
        AttributeMapping planTwice = AttributeMapping.of(CONTACT, "custom_attributes.job_title", "plan__C", SALESFORCE_TO_INTERCOM);
        AttributeMapping leadPlan = AttributeMapping.of(LEAD, "custom_attributes.plan", "Plan__c", SALESFORCE_TO_INTERCOM);

        List<MappingProblem> problems = validator.validate(MappingSet.of(plan, planBack, planTwice, leadPlan), SCHEMAS);

        assertThat(problems).extracting(MappingProblem::mapping, MappingProblem::kind).containsExactly(
                org.assertj.core.groups.Tuple.tuple(planBack, DUPLICATE_INTERCOM_ATTRIBUTE),
                org.assertj.core.groups.Tuple.tuple(planTwice, DUPLICATE_SALESFORCE_FIELD));
        assertThat(problems.get(0).message()).contains("already mapped for contact").contains("Plan__c");
    }

    @Test
    void allProblemsAreReportedAtOnce() {
        AttributeMapping good = AttributeMapping.of(CONTACT, "phone", "Phone", INTERCOM_TO_SALESFORCE);
        AttributeMapping unknownBoth = AttributeMapping.of(CONTACT, "custom_attributes.nope", "Nope__c", INTERCOM_TO_SALESFORCE);
        AttributeMapping readOnlyAndWrongType = AttributeMapping.of(LEAD, "custom_attributes.newsletter", "IsConverted", INTERCOM_TO_SALESFORCE);
        AttributeMapping incompatible = AttributeMapping.of(LEAD, "custom_attributes.seats", "Website", SALESFORCE_TO_INTERCOM);
        AttributeMapping duplicate = AttributeMapping.of(CONTACT, "phone", "MobilePhone", INTERCOM_TO_SALESFORCE);

        List<MappingProblem> problems = validator.validate(
                MappingSet.of(good, unknownBoth, readOnlyAndWrongType, incompatible, duplicate), SCHEMAS);

        assertThat(problems).extracting(MappingProblem::kind).containsExactly(
                UNKNOWN_SALESFORCE_FIELD, UNKNOWN_INTERCOM_ATTRIBUTE,
                PROTECTED_FIELD,
                INCOMPATIBLE_TYPES,
                DUPLICATE_INTERCOM_ATTRIBUTE);
    }

    @Test
    void aReadOnlyTargetOfTheWrongTypeIsTwoProblems() {
        AttributeMapping id = AttributeMapping.of(CONTACT, "custom_attributes.notes", "Id", INTERCOM_TO_SALESFORCE);
        assertThat(validator.validate(MappingSet.of(id), SCHEMAS)).extracting(MappingProblem::kind)
                .containsExactly(PROTECTED_FIELD, INCOMPATIBLE_TYPES);
    }

    @Test
    void validatesAgainstTheSchemasGivenOneByOne() {
        AttributeMapping company = AttributeMapping.of(LEAD, "custom_attributes.job_title", "Company", SALESFORCE_TO_INTERCOM);
        assertThat(validator.validate(MappingSet.of(company), MappingFixtures.LEAD, MappingFixtures.CONTACT,
                MappingFixtures.INTERCOM)).isEmpty();
        assertThat(validator.validate(MappingSet.of(company), MappingFixtures.CONTACT, MappingFixtures.CONTACT,
                MappingFixtures.INTERCOM)).extracting(MappingProblem::kind).containsExactly(UNKNOWN_SALESFORCE_FIELD);
    }
}

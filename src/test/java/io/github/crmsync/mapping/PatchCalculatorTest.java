package io.github.crmsync.mapping;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static io.github.crmsync.mapping.Direction.INTERCOM_TO_SALESFORCE;
import static io.github.crmsync.mapping.Direction.SALESFORCE_TO_INTERCOM;
import static io.github.crmsync.mapping.ObjectType.CONTACT;
import static io.github.crmsync.mapping.ObjectType.LEAD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Each row starts from a Salesforce Contact and an Intercom user that are in step under the
 * sandbox mappings, changes one or both, and states the patches and errors expected.
 */
class PatchCalculatorTest {

    private static final MappingSet MAPPINGS = MappingSet.of(MappingValidatorTest.SANDBOX);
    private static final String NEW_PHONE = "+1 415 555 0100";

    private final PatchCalculator calculator = new PatchCalculator(MappingFixtures.SCHEMAS, new ValueConverter());

    static Map<String, Object> salesforceInStep() {
        return map("attributes", Map.of("type", "Contact"), "Id", "003000000000001AAA", "Email", "ada@example.com",
                "Phone", "+44 20 7946 0000", "LastName", "Lovelace", "Title", "CTO", "LeadSource", "Web",
                "Plan__c", "Pro", "Newsletter__c", true, "Renewal_Date__c", "2026-01-01",
                "Last_Login__c", "2026-11-28T10:00:00.000+0000", "Seats__c", 12.0, "ARR__c", 1234.5,
                "Health_Score__c", 85.5, "Support_Email__c", "help@acme.example", "Nickname__c", "Ace",
                "Notes__c", "Likes tea");
    }

    static Map<String, Object> intercomInStep() {
        return map("type", "contact", "id", "6762f0d01bb69f9f2193bb7d", "role", "user", "email", "ada@example.com",
                "phone", "+44 20 7946 0000", "name", "Lovelace", "custom_attributes", map(
                        "job_title", "CTO", "lead_source", "Web", "plan", "Pro", "newsletter", true,
                        "renewal_date", 1767225600L, "last_login", 1795860000L, "seats", 12L, "arr", 1234.5,
                        "health_score", 85.5, "support_email", "help@acme.example", "nickname", "Ace",
                        "notes", "Likes tea"));
    }

    static Stream<Arguments> patches() {
        return Stream.of(
                row("in step: nothing to do", sf -> { }, ic -> { }, map(), map()),
                row("equal once normalised: no write", sf -> {
                    sf.put("ARR__c", new BigDecimal("1234.50"));
                    sf.put("Seats__c", 12);
                    sf.put("Last_Login__c", "2026-11-28T10:00:00.789+0000");
                    sf.put("Health_Score__c", "85.50");
                    sf.put("Nickname__c", null);
                }, ic -> {
                    custom(ic).put("renewal_date", 1767225600L + 7200);
                    custom(ic).put("health_score", 85.50000000000001);
                    custom(ic).put("arr", 1234.5000000000002);
                    custom(ic).put("nickname", "");
                    custom(ic).put("plan", "Pro");
                }, map(), map()),
                row("Intercom phone changed", sf -> { }, ic -> ic.put("phone", NEW_PHONE),
                        map("Phone", NEW_PHONE), map()),
                row("Salesforce plan changed", sf -> sf.put("Plan__c", "Team"), ic -> { },
                        map(), map("custom_attributes", map("plan", "Team"))),
                row("standard attribute goes at the top level", sf -> sf.put("LastName", "Hopper"), ic -> { },
                        map(), map("name", "Hopper")),
                row("both sides changed", sf -> {
                    sf.put("LastName", "Hopper");
                    sf.put("Seats__c", 15.0);
                }, ic -> {
                    ic.put("phone", NEW_PHONE);
                    custom(ic).put("health_score", 90.125);
                }, map("Phone", NEW_PHONE, "Health_Score__c", new BigDecimal("90.13")),
                        map("name", "Hopper", "custom_attributes", map("seats", 15L))),
                row("cleared in Intercom clears Salesforce", sf -> { }, ic -> custom(ic).put("nickname", null),
                        map("Nickname__c", null), map()),
                row("blank in Intercom clears Salesforce", sf -> { }, ic -> custom(ic).put("nickname", "  "),
                        map("Nickname__c", null), map()),
                row("unset custom attribute clears Salesforce", sf -> { }, ic -> custom(ic).remove("nickname"),
                        map("Nickname__c", null), map()),
                row("cleared in Salesforce clears Intercom", sf -> sf.put("Title", null), ic -> { },
                        map(), map("custom_attributes", map("job_title", null))),
                row("already empty on both sides", sf -> sf.put("Title", ""), ic -> custom(ic).put("job_title", null),
                        map(), map()),
                row("unset checkbox means false", sf -> { }, ic -> custom(ic).put("newsletter", null),
                        map("Newsletter__c", false), map()),
                row("unset checkbox equals an unticked one", sf -> sf.put("Newsletter__c", false),
                        ic -> custom(ic).put("newsletter", null), map(), map()),
                row("date changed in Salesforce", sf -> sf.put("Renewal_Date__c", "2026-02-01"), ic -> { },
                        map(), map("custom_attributes", map("renewal_date", 1769904000L))),
                row("datetime changed in Intercom", sf -> { }, ic -> custom(ic).put("last_login", 1795860001L),
                        map("Last_Login__c", "2026-11-28T10:00:01.000+0000"), map()),
                row("picklist value in another case is the same value", sf -> { },
                        ic -> custom(ic).put("lead_source", "Web"), map(), map()),
                row("a source not read is never written over", sf -> sf.remove("Title"), ic -> ic.remove("phone"),
                        map(), map()),
                row("no custom_attributes read: nothing read from them, all mapped into them written", sf -> { },
                        ic -> ic.remove("custom_attributes"), map(), map("custom_attributes", map("job_title", "CTO",
                                "plan", "Pro", "renewal_date", 1767225600L, "seats", 12L, "arr", 1234.5))),
                row("Salesforce field names match ignoring case", sf -> sf.put("plan__c", sf.remove("Plan__c")),
                        ic -> { }, map(), map()));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource
    void patches(String description, Consumer<Map<String, Object>> changeSalesforce,
                 Consumer<Map<String, Object>> changeIntercom, Map<String, Object> salesforcePatch,
                 Map<String, Object> intercomPatch) {
        Map<String, Object> sf = salesforceInStep();
        Map<String, Object> ic = intercomInStep();
        changeSalesforce.accept(sf);
        changeIntercom.accept(ic);

        SyncPatch patch = calculator.compute(MAPPINGS, CONTACT, sf, ic);

        assertThat(patch.errors()).isEmpty();
        assertThat(patch.salesforcePatch()).containsExactlyEntriesOf(salesforcePatch);
        assertThat(patch.intercomPatch()).isEqualTo(intercomPatch);
        assertThat(patch.isEmpty()).isEqualTo(salesforcePatch.isEmpty() && intercomPatch.isEmpty());
    }

    static Stream<Arguments> errorsWithholdTheirSide() {
        return Stream.of(
                row("too long for Salesforce: Salesforce side withheld, Intercom side written", sf -> sf.put("Plan__c", "Team"),
                        ic -> {
                            ic.put("phone", NEW_PHONE);
                            custom(ic).put("notes", "n".repeat(256));
                        }, map(), map("custom_attributes", map("plan", "Team")), List.of("STRING_TOO_LONG")),
                row("every error of the side is reported", sf -> { }, ic -> {
                    custom(ic).put("support_email", "help at acme");
                    custom(ic).put("notes", "n".repeat(300));
                    custom(ic).put("health_score", 12345.0);
                }, map(), map(), List.of("NUMBER_TOO_LARGE", "INVALID_EMAIL", "STRING_TOO_LONG")),
                row("not an integer for Intercom: Intercom side withheld, Salesforce side written", sf -> {
                    sf.put("Seats__c", 12.5);
                    sf.put("Plan__c", "Team");
                }, ic -> ic.put("phone", NEW_PHONE), map("Phone", NEW_PHONE), map(), List.of("NOT_AN_INTEGER")),
                row("garbage in the source is an error, not a clear", sf -> sf.put("Renewal_Date__c", "soon"),
                        ic -> custom(ic).put("last_login", "yesterday"), map(), map(), List.of("NOT_A_DATE", "NOT_A_DATE")));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource
    void errorsWithholdTheirSide(String description, Consumer<Map<String, Object>> changeSalesforce,
                                 Consumer<Map<String, Object>> changeIntercom, Map<String, Object> salesforcePatch,
                                 Map<String, Object> intercomPatch, List<String> codes) {
        Map<String, Object> sf = salesforceInStep();
        Map<String, Object> ic = intercomInStep();
        changeSalesforce.accept(sf);
        changeIntercom.accept(ic);

        SyncPatch patch = calculator.compute(MAPPINGS, CONTACT, sf, ic);

        assertThat(patch.errors()).extracting(AttributeError::code).containsExactlyElementsOf(codes);
        assertThat(patch.errors()).allSatisfy(e -> assertThat(e.error().message()).isNotBlank());
        assertThat(patch.salesforcePatch()).isEqualTo(salesforcePatch);
        assertThat(patch.intercomPatch()).isEqualTo(intercomPatch);
        assertThat(patch.hasErrors()).isTrue();
        assertThat(patch.isEmpty()).isFalse();
    }

    @Test
    void tooLongErrorNamesFieldLengthAndMaximum() {
        Map<String, Object> ic = intercomInStep();
        custom(ic).put("notes", "n".repeat(256));

        AttributeError error = calculator.compute(MAPPINGS, CONTACT, salesforceInStep(), ic).errors().get(0);

        assertThat(error.mapping().salesforceField()).isEqualTo("Notes__c");
        assertThat(error.direction()).isEqualTo(INTERCOM_TO_SALESFORCE);
        assertThat(error.error().field()).isEqualTo("Notes__c");
        assertThat(error.error().message()).contains("Notes (Notes__c)").contains("256").contains("255");
    }

    @Test
    void oneDirectionOnlyLeavesTheOtherAlone() {
        Map<String, Object> sf = salesforceInStep();
        Map<String, Object> ic = intercomInStep();
        sf.put("Plan__c", "Team");
        custom(ic).put("notes", "n".repeat(256));

        SyncPatch toIntercom = calculator.compute(MAPPINGS, CONTACT, SALESFORCE_TO_INTERCOM, sf, ic);

        assertThat(toIntercom.errors()).isEmpty();
        assertThat(toIntercom.salesforcePatch()).isEmpty();
        assertThat(toIntercom.intercomPatch()).isEqualTo(map("custom_attributes", map("plan", "Team")));
        assertThat(calculator.compute(MAPPINGS, CONTACT, INTERCOM_TO_SALESFORCE, sf, ic).errors(INTERCOM_TO_SALESFORCE))
                .extracting(AttributeError::code).containsExactly("STRING_TOO_LONG");
    }

    @Test
    void withTheTargetUnreadEveryChangedValueIsWrittenAndAnEmptyOneClears() {
        Map<String, Object> changed = map("Id", "003000000000001AAA", "Title", null, "Plan__c", "Team",
                "LastName", "Lovelace");

        SyncPatch patch = calculator.computeTargetUnread(MAPPINGS, CONTACT, SALESFORCE_TO_INTERCOM, changed,
                map("id", "6762f0d01bb69f9f2193bb7d"));

        assertThat(patch.errors()).isEmpty();
        assertThat(patch.intercomPatch()).isEqualTo(map("name", "Lovelace",
                "custom_attributes", map("job_title", null, "plan", "Team")));
    }

    @Test
    void intercomChangesAreAlsoGivenByFullNameToRememberWhatWasWritten() {
        Map<String, Object> sf = salesforceInStep();
        sf.put("LastName", "Hopper");
        sf.put("Plan__c", null);

        SyncPatch patch = calculator.compute(MAPPINGS, CONTACT, sf, intercomInStep());

        assertThat(patch.intercomChanges()).isEqualTo(map("name", "Hopper", "custom_attributes.plan", null));
        assertThat(patch.hasIntercomChanges()).isTrue();
        assertThat(patch.hasSalesforceChanges()).isFalse();
    }

    @Test
    void writesAreGivenPerMappingToRememberWhatWasWritten() {
        Map<String, Object> sf = salesforceInStep();
        sf.put("Plan__c", "Team");
        Map<String, Object> ic = intercomInStep();
        ic.put("phone", null);

        SyncPatch patch = calculator.compute(MAPPINGS, CONTACT, sf, ic);

        assertThat(patch.writes()).containsExactlyEntriesOf(map(
                AttributeMapping.of(CONTACT, "phone", "Phone", INTERCOM_TO_SALESFORCE), null,
                AttributeMapping.of(CONTACT, "custom_attributes.plan", "Plan__c", SALESFORCE_TO_INTERCOM), "Team"));
    }

    @Test
    void nestedStandardAttributesAreRead() {
        MappingSet city = MappingSet.of(AttributeMapping.of(CONTACT, "location.city", "Nickname__c", INTERCOM_TO_SALESFORCE));
        Map<String, Object> ic = intercomInStep();
        ic.put("location", map("type", "location", "city", "Dublin"));

        assertThat(calculator.compute(city, CONTACT, salesforceInStep(), ic).salesforcePatch())
                .isEqualTo(map("Nickname__c", "Dublin"));
    }

    @Test
    void leadsUseTheLeadSchemaAndMappings() {
        Map<String, Object> lead = map("Id", "00Q000000000001AAA", "Company", "Acme Corp", "Plan__c", "Team",
                "Phone", "+44 20 7946 0000", "Email", "ada@example.com");
        Map<String, Object> intercom = map("role", "lead", "phone", NEW_PHONE, "email", "other@example.com",
                "custom_attributes", map("plan", "Team"));

        SyncPatch patch = calculator.compute(MAPPINGS, LEAD, lead, intercom);

        assertThat(patch.salesforcePatch()).isEqualTo(map("Phone", NEW_PHONE, "Support_Email__c", "other@example.com"));
        assertThat(patch.intercomPatch()).isEqualTo(map("custom_attributes",
                map("job_title", "Acme Corp", "support_email", "ada@example.com")));
    }

    @Test
    void aMappingTheSchemaNoLongerKnowsIsAnErrorForItsSide() {
        MappingSet stale = MappingSet.of(
                AttributeMapping.of(CONTACT, "phone", "Phone", INTERCOM_TO_SALESFORCE),
                AttributeMapping.of(CONTACT, "custom_attributes.gone", "Gone__c", INTERCOM_TO_SALESFORCE),
                AttributeMapping.of(CONTACT, "custom_attributes.plan", "Plan__c", SALESFORCE_TO_INTERCOM));
        Map<String, Object> sf = salesforceInStep();
        sf.put("Plan__c", "Team");
        Map<String, Object> ic = intercomInStep();
        ic.put("phone", NEW_PHONE);

        SyncPatch patch = calculator.compute(stale, CONTACT, sf, ic);

        assertThat(patch.errors()).extracting(AttributeError::code).containsExactly("UNKNOWN_FIELD");
        assertThat(patch.salesforcePatch()).isEmpty();
        assertThat(patch.intercomPatch()).isEqualTo(map("custom_attributes", map("plan", "Team")));
    }

    @Test
    void patchesCannotBeChangedByTheCaller() {
        Map<String, Object> sf = salesforceInStep();
        sf.put("Plan__c", "Team");
        SyncPatch patch = calculator.compute(MAPPINGS, CONTACT, sf, intercomInStep());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> patch.intercomPatch().clear())
                .isInstanceOf(UnsupportedOperationException.class);
    }

    private static Arguments row(String description, Consumer<Map<String, Object>> sf, Consumer<Map<String, Object>> ic,
                                 Map<String, Object> salesforcePatch, Map<String, Object> intercomPatch) {
        return arguments(description, sf, ic, salesforcePatch, intercomPatch);
    }

    private static Arguments row(String description, Consumer<Map<String, Object>> sf, Consumer<Map<String, Object>> ic,
                                 Map<String, Object> salesforcePatch, Map<String, Object> intercomPatch, List<String> codes) {
        return arguments(description, sf, ic, salesforcePatch, intercomPatch, codes);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> custom(Map<String, Object> intercom) {
        return (Map<String, Object>) intercom.get("custom_attributes");
    }

    /** A mutable ordered map that, unlike Map.of, takes null values. */
    @SuppressWarnings("unchecked")
    static <K> Map<K, Object> map(Object... keysAndValues) {
        Map<K, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((K) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}

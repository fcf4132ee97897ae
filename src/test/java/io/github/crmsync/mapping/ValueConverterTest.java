package io.github.crmsync.mapping;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.math.BigDecimal;
import java.util.stream.Stream;

import static io.github.crmsync.mapping.ConversionErrorCode.INVALID_EMAIL;
import static io.github.crmsync.mapping.ConversionErrorCode.INVALID_PICKLIST_VALUE;
import static io.github.crmsync.mapping.ConversionErrorCode.NOT_AN_INTEGER;
import static io.github.crmsync.mapping.ConversionErrorCode.NOT_A_BOOLEAN;
import static io.github.crmsync.mapping.ConversionErrorCode.NOT_A_DATE;
import static io.github.crmsync.mapping.ConversionErrorCode.NOT_A_NUMBER;
import static io.github.crmsync.mapping.ConversionErrorCode.NUMBER_TOO_LARGE;
import static io.github.crmsync.mapping.ConversionErrorCode.REQUIRED_VALUE_MISSING;
import static io.github.crmsync.mapping.ConversionErrorCode.STRING_TOO_LONG;
import static io.github.crmsync.mapping.ConversionErrorCode.TYPE_MISMATCH;
import static io.github.crmsync.mapping.MappingFixtures.attribute;
import static io.github.crmsync.mapping.MappingFixtures.ic;
import static io.github.crmsync.mapping.MappingFixtures.sf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Each row: Salesforce field, Intercom attribute, the value in, and the value out or the error
 * code expected. Fields and attributes are the sandbox's (see {@link MappingFixtures}).
 */
class ValueConverterTest {

    private static final long JAN_1_2026 = 1767225600L;
    private static final long NOV_28_2026_10H = 1795860000L;
    private static final IntercomAttribute INTERCOM_INTEGER = attribute("logins", IntercomDataType.INTEGER);

    private final ValueConverter converter = new ValueConverter();

    static Stream<Arguments> intercomToSalesforce() {
        return Stream.of(
                // text, blank = null, length boundary
                arguments("Nickname__c", "nickname", "Ace", "Ace"),
                arguments("Nickname__c", "nickname", "", null),
                arguments("Nickname__c", "nickname", "   ", null),
                arguments("Nickname__c", "nickname", null, null),
                arguments("Nickname__c", "nickname", "x".repeat(39), "x".repeat(39)),
                arguments("Nickname__c", "nickname", "x".repeat(40), "x".repeat(40)),
                arguments("Nickname__c", "nickname", "x".repeat(41), STRING_TOO_LONG),
                arguments("Notes__c", "notes", "n".repeat(255), "n".repeat(255)),
                arguments("Notes__c", "notes", "n".repeat(256), STRING_TOO_LONG),
                arguments("Nickname__c", "nickname", " Ace ", " Ace "),
                // a required field is never cleared
                arguments("LastName", "name", "Lovelace", "Lovelace"),
                arguments("LastName", "name", "", REQUIRED_VALUE_MISSING),
                // restricted picklist: active values only, written in the picklist's spelling
                arguments("Plan__c", "plan", "Pro", "Pro"),
                arguments("Plan__c", "plan", "pro", "Pro"),
                arguments("Plan__c", "plan", "Legacy", INVALID_PICKLIST_VALUE),
                arguments("Plan__c", "plan", "Gold", INVALID_PICKLIST_VALUE),
                arguments("Plan__c", "plan", null, null),
                // unrestricted picklist: anything goes
                arguments("LeadSource", "lead_source", "Trade Show", "Trade Show"),
                // e-mail and phone
                arguments("Support_Email__c", "support_email", "help@acme.example", "help@acme.example"),
                arguments("Support_Email__c", "support_email", "first.last+tag@example.co.uk", "first.last+tag@example.co.uk"),
                arguments("Support_Email__c", "support_email", "not-an-email", INVALID_EMAIL),
                arguments("Support_Email__c", "support_email", "ada@example", INVALID_EMAIL),
                arguments("Support_Email__c", "support_email", "ada @example.com", INVALID_EMAIL),
                arguments("Support_Email__c", "support_email", "", null),
                arguments("Phone", "phone", "+44 20 7946 0000", "+44 20 7946 0000"),
                arguments("Phone", "phone", "1".repeat(41), STRING_TOO_LONG),
                // checkbox: never null
                arguments("Newsletter__c", "newsletter", true, true),
                arguments("Newsletter__c", "newsletter", false, false),
                arguments("Newsletter__c", "newsletter", null, false),
                arguments("Newsletter__c", "newsletter", "TRUE", true),
                arguments("Newsletter__c", "newsletter", "yes", NOT_A_BOOLEAN),
                // numbers: scale respected by rounding half-up, float noise gone, whole part must fit
                arguments("Seats__c", "seats", 12L, new BigDecimal("12")),
                arguments("Seats__c", "seats", 12, new BigDecimal("12")),
                arguments("Seats__c", "seats", null, null),
                arguments("ARR__c", "arr", 12.3, new BigDecimal("12.30")),
                arguments("ARR__c", "arr", 0.1 + 0.2, new BigDecimal("0.30")),
                arguments("ARR__c", "arr", 12.345, new BigDecimal("12.35")),
                arguments("ARR__c", "arr", 12.344, new BigDecimal("12.34")),
                arguments("ARR__c", "arr", -0.005, new BigDecimal("-0.01")),
                arguments("ARR__c", "arr", 1e15, new BigDecimal("1000000000000000.00")),
                arguments("ARR__c", "arr", 1e16, NUMBER_TOO_LARGE),
                arguments("ARR__c", "arr", "12.30", new BigDecimal("12.30")),
                arguments("ARR__c", "arr", "twelve", NOT_A_NUMBER),
                arguments("ARR__c", "arr", true, NOT_A_NUMBER),
                arguments("ARR__c", "arr", Double.NaN, NOT_A_NUMBER),
                arguments("Health_Score__c", "health_score", 85.5, new BigDecimal("85.50")),
                arguments("Health_Score__c", "health_score", 999.994, new BigDecimal("999.99")),
                arguments("Health_Score__c", "health_score", 999.995, NUMBER_TOO_LARGE),
                arguments("Health_Score__c", "health_score", 1000.0, NUMBER_TOO_LARGE),
                arguments("Logins__c", "seats", 42L, 42L),
                arguments("Logins__c", "arr", 41.5, 42L),
                arguments("Logins__c", "seats", 1_000_000_000L, NUMBER_TOO_LARGE),
                // dates: the UTC day of the seconds
                arguments("Renewal_Date__c", "renewal_date", JAN_1_2026, "2026-01-01"),
                arguments("Renewal_Date__c", "renewal_date", JAN_1_2026 + 86_399, "2026-01-01"),
                arguments("Renewal_Date__c", "renewal_date", JAN_1_2026 - 1, "2025-12-31"),
                arguments("Renewal_Date__c", "renewal_date", (int) JAN_1_2026, "2026-01-01"),
                arguments("Renewal_Date__c", "renewal_date", "1767225600", "2026-01-01"),
                arguments("Renewal_Date__c", "renewal_date", null, null),
                arguments("Renewal_Date__c", "renewal_date", "", null),
                arguments("Renewal_Date__c", "renewal_date", "2026-01-01", NOT_A_DATE),
                arguments("Renewal_Date__c", "renewal_date", 1767225600.5, NOT_A_DATE),
                arguments("Renewal_Date__c", "renewal_date", JAN_1_2026 * 1000, NOT_A_DATE),
                arguments("Renewal_Date__c", "renewal_date", 64_092_211_199L, "4000-12-31"),
                arguments("Renewal_Date__c", "renewal_date", -8_520_336_000L, "1700-01-01"),
                arguments("Renewal_Date__c", "renewal_date", -8_520_336_001L, NOT_A_DATE),
                // datetimes: whole seconds, written with .000 and +0000
                arguments("Last_Login__c", "last_login", NOV_28_2026_10H, "2026-11-28T10:00:00.000+0000"),
                arguments("Last_Login__c", "last_login", 0L, "1970-01-01T00:00:00.000+0000"),
                arguments("Last_Login__c", "last_login", null, null),
                arguments("Last_Login__c", "last_login", true, NOT_A_DATE),
                arguments("Last_Login__c", "last_login", NOV_28_2026_10H * 1000, NOT_A_DATE),
                // pairs that cannot be converted
                arguments("Newsletter__c", "nickname", "true", TYPE_MISMATCH),
                arguments("Seats__c", "nickname", "12", TYPE_MISMATCH),
                arguments("Renewal_Date__c", "nickname", "2026-01-01", TYPE_MISMATCH),
                arguments("OwnerId", "nickname", "005000000000001", TYPE_MISMATCH),
                arguments("Nickname__c", "seats", 3L, TYPE_MISMATCH));
    }

    @ParameterizedTest(name = "[{index}] Intercom {1}={2} → Salesforce {0}: {3}")
    @MethodSource
    void intercomToSalesforce(String field, String attribute, Object in, Object expected) {
        assertConverted(converter.toSalesforce(sf(field), ic(attribute), in), expected);
    }

    static Stream<Arguments> salesforceToIntercom() {
        return Stream.of(
                // text passes as is; blank = null
                arguments("Nickname__c", "nickname", "Ace", "Ace"),
                arguments("Nickname__c", "nickname", "", null),
                arguments("Nickname__c", "nickname", " \t", null),
                arguments("Nickname__c", "nickname", null, null),
                arguments("Notes__c", "notes", "n".repeat(300), "n".repeat(300)),
                arguments("Plan__c", "plan", "Pro", "Pro"),
                arguments("Support_Email__c", "support_email", "help@acme.example", "help@acme.example"),
                arguments("Phone", "phone", "+1 415 555 0100", "+1 415 555 0100"),
                // checkbox
                arguments("Newsletter__c", "newsletter", true, true),
                arguments("Newsletter__c", "newsletter", false, false),
                arguments("Newsletter__c", "newsletter", null, false),
                arguments("Newsletter__c", "newsletter", "false", false),
                arguments("Newsletter__c", "newsletter", 1, NOT_A_BOOLEAN),
                // numbers
                arguments("Seats__c", "seats", 12.0, 12L),
                arguments("Seats__c", "seats", new BigDecimal("12.00"), 12L),
                arguments("Seats__c", "seats", 12, 12L),
                arguments("Seats__c", "seats", "12", 12L),
                arguments("Seats__c", "seats", null, null),
                arguments("Seats__c", "seats", 12.5, NOT_AN_INTEGER),
                arguments("ARR__c", "arr", new BigDecimal("12.30"), 12.3),
                arguments("ARR__c", "arr", 0.1 + 0.2, 0.3),
                arguments("ARR__c", "arr", "1234.50", 1234.5),
                arguments("ARR__c", "arr", "n/a", NOT_A_NUMBER),
                arguments("Logins__c", "arr", 7, 7.0),
                arguments("Health_Score__c", "health_score", 85.5, 85.5),
                arguments("ARR__c", INTERCOM_INTEGER.fullName(), 12.3, TYPE_MISMATCH),
                // dates: UTC midnight
                arguments("Renewal_Date__c", "renewal_date", "2026-01-01", JAN_1_2026),
                arguments("Renewal_Date__c", "renewal_date", "", null),
                arguments("Renewal_Date__c", "renewal_date", null, null),
                arguments("Renewal_Date__c", "renewal_date", "2026-13-01", NOT_A_DATE),
                arguments("Renewal_Date__c", "renewal_date", "01/01/2026", NOT_A_DATE),
                // datetimes: every Salesforce spelling of the same second gives the same seconds
                arguments("Last_Login__c", "last_login", "2026-11-28T10:00:00.000+0000", NOV_28_2026_10H),
                arguments("Last_Login__c", "last_login", "2026-11-28T10:00:00.999+0000", NOV_28_2026_10H),
                arguments("Last_Login__c", "last_login", "2026-11-28T11:00:00.000+0100", NOV_28_2026_10H),
                arguments("Last_Login__c", "last_login", "2026-11-28T02:00:00-08:00", NOV_28_2026_10H),
                arguments("Last_Login__c", "last_login", "2026-11-28T10:00:00Z", NOV_28_2026_10H),
                arguments("Last_Login__c", "last_login", "2026-11-28T10:00:00", NOV_28_2026_10H),
                arguments("Last_Login__c", "last_login", "1969-12-31T23:59:59.500+0000", -1L),
                arguments("Last_Login__c", "last_login", "yesterday", NOT_A_DATE),
                // anything as text for an Intercom string
                arguments("Newsletter__c", "job_title", true, "true"),
                arguments("Newsletter__c", "job_title", null, "false"),
                arguments("ARR__c", "job_title", new BigDecimal("12.30"), "12.3"),
                arguments("Seats__c", "job_title", 100.0, "100"),
                arguments("Renewal_Date__c", "job_title", "2026-01-01", "2026-01-01"),
                arguments("Last_Login__c", "job_title", "2026-11-28T10:00:00.000+0000", "2026-11-28T10:00:00Z"),
                arguments("OwnerId", "job_title", "005000000000001AAA", "005000000000001AAA"),
                // pairs that cannot be converted
                arguments("Nickname__c", "newsletter", "true", TYPE_MISMATCH),
                arguments("Nickname__c", "seats", "12", TYPE_MISMATCH),
                arguments("Newsletter__c", "renewal_date", true, TYPE_MISMATCH),
                arguments("MailingAddress", "job_title", "1 Main St", TYPE_MISMATCH));
    }

    @ParameterizedTest(name = "[{index}] Salesforce {0}={2} → Intercom {1}: {3}")
    @MethodSource
    void salesforceToIntercom(String field, String attribute, Object in, Object expected) {
        IntercomAttribute target = attribute.equals(INTERCOM_INTEGER.fullName()) ? INTERCOM_INTEGER : ic(attribute);
        assertConverted(converter.toIntercom(sf(field), target, in), expected);
    }

    static Stream<Arguments> sameValues() {
        return Stream.of(
                arguments("ARR__c", "arr", new BigDecimal("12.30"), 12.3, true),
                arguments("ARR__c", "arr", "12.30", new BigDecimal("12.3"), true),
                arguments("ARR__c", "arr", 0.1 + 0.2, 0.3, true),
                arguments("ARR__c", "arr", 12.3, 12.31, false),
                arguments("ARR__c", "arr", 0, null, false),
                arguments("Seats__c", "seats", 12L, 12.0, true),
                arguments("Nickname__c", "nickname", "", null, true),
                arguments("Nickname__c", "nickname", "  ", null, true),
                arguments("Nickname__c", "nickname", "Ace", "ace", false),
                arguments("Newsletter__c", "newsletter", null, false, true),
                arguments("Newsletter__c", "newsletter", true, false, false),
                arguments("Last_Login__c", "last_login", "2026-11-28T10:00:00.000+0000", "2026-11-28T10:00:00.456+0000", true),
                arguments("Last_Login__c", "last_login", "2026-11-28T10:00:00.000+0000", "2026-11-28T10:00:01.000+0000", false),
                arguments("Renewal_Date__c", "renewal_date", "2026-01-01", "2026-01-01", true),
                arguments("Renewal_Date__c", "renewal_date", "2026-01-01", "2026-01-02", false),
                arguments("Renewal_Date__c", "renewal_date", "garbage", "garbage", true),
                arguments("Renewal_Date__c", "renewal_date", "garbage", "2026-01-01", false));
    }

    @ParameterizedTest(name = "[{index}] Salesforce {0}: {2} same as {3}? {4}")
    @MethodSource
    void sameValues(String field, String attribute, Object a, Object b, boolean same) {
        assertThat(converter.sameInSalesforce(sf(field), ic(attribute), a, b)).isEqualTo(same);
        assertThat(converter.sameInSalesforce(sf(field), ic(attribute), b, a)).isEqualTo(same);
    }

    static Stream<Arguments> sameIntercomValues() {
        return Stream.of(
                arguments("ARR__c", "arr", 12.3, 12.300000000000001, true),
                arguments("ARR__c", "arr", 12.3, 12.4, false),
                arguments("Seats__c", "seats", 12, 12L, true),
                arguments("Renewal_Date__c", "renewal_date", JAN_1_2026, JAN_1_2026 + 3600, true),
                arguments("Renewal_Date__c", "renewal_date", JAN_1_2026, JAN_1_2026 - 1, false),
                arguments("Last_Login__c", "last_login", 100L, 101L, false),
                arguments("Last_Login__c", "last_login", 100, 100L, true),
                arguments("Nickname__c", "nickname", "", null, true),
                arguments("Newsletter__c", "newsletter", null, false, true));
    }

    @ParameterizedTest(name = "[{index}] Intercom {1}: {2} same as {3}? {4}")
    @MethodSource
    void sameIntercomValues(String field, String attribute, Object a, Object b, boolean same) {
        assertThat(converter.sameInIntercom(sf(field), ic(attribute), a, b)).isEqualTo(same);
    }

    @ParameterizedTest(name = "[{index}] {0} {1} → {2}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
            "ARR__c          | arr          | toSalesforce | twelve      | ARR__c                         | Intercom custom_attributes.arr has \"twelve\", which is not a number",
            "Renewal_Date__c | renewal_date | toIntercom   | soon        | custom_attributes.renewal_date | Salesforce Renewal Date (Renewal_Date__c) has \"soon\", which is not a date",
            "Notes__c        | notes        | toSalesforce | 256         | Notes__c                       | Intercom custom_attributes.notes has 256 characters; Salesforce Notes (Notes__c) allows at most 255",
            "Plan__c         | plan         | toSalesforce | Gold        | Plan__c                        | not a value of the Salesforce picklist Plan (Plan__c) [Free, Pro, Team, Enterprise]",
    })
    void errorsAreFiledUnderTheTargetAndSayWhatIsWrong(String field, String attribute, String direction, String in,
                                                       String filedUnder, String saying) {
        Object value = in.equals("256") ? "n".repeat(256) : in;
        ConversionResult result = direction.equals("toSalesforce")
                ? converter.toSalesforce(sf(field), ic(attribute), value)
                : converter.toIntercom(sf(field), ic(attribute), value);
        ConversionError error = result.error().orElseThrow();
        assertThat(error.field()).isEqualTo(filedUnder);
        assertThat(error.message()).contains(saying);
    }

    static void assertConverted(ConversionResult result, Object expected) {
        if (expected instanceof ConversionErrorCode code) {
            assertThat(result.isOk()).as("expected %s but got %s", code, result).isFalse();
            ConversionError error = result.error().orElseThrow();
            assertThat(error.code()).isEqualTo(code);
            assertThat(error.message()).isNotBlank();
        } else {
            assertThat(result.isOk()).as("expected %s but got %s", expected, result).isTrue();
            assertThat(result.value()).isEqualTo(expected);
        }
    }
}

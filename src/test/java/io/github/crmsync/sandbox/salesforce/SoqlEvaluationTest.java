package io.github.crmsync.sandbox.salesforce;

import io.github.crmsync.sandbox.seed.SalesforceSeed;
import io.github.crmsync.sandbox.seed.SeedData;
import io.github.crmsync.sandbox.seed.SeedPerson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** SOQL evaluated without HTTP: each query against the same rule written in Java over the seed. */
class SoqlEvaluationTest {

    private static final SeedData SEED = new SeedData(SeedData.DEFAULT_SEED, 300);
    private static final SalesforceRecords RECORDS = new SalesforceRecords(SEED);
    private static final QueryEngine ENGINE = new QueryEngine(RECORDS);

    private static SeedPerson first(Predicate<SeedPerson> p) {
        return IntStream.range(0, SEED.people()).mapToObj(SEED::person).filter(p).findFirst().orElseThrow();
    }

    private static final SeedPerson A_CONTACT = first(p -> p.salesforce() != null && !p.lead());
    private static final SeedPerson A_LEAD = first(p -> p.salesforce() != null && p.lead());
    private static final String CONTACT_EMAIL = (String) A_CONTACT.salesforce().fields().get("Email");

    static Stream<Arguments> queries() {
        Instant t = Instant.parse("2026-06-01T00:00:00Z");
        return Stream.of(
                Arguments.of("SELECT Id FROM Contact", "Contact", (Predicate<Map<String, Object>>) f -> true),
                Arguments.of("select id from lead", "Lead", (Predicate<Map<String, Object>>) f -> true),
                Arguments.of("SELECT Id FROM Contact WHERE Email = '" + CONTACT_EMAIL.toUpperCase() + "'", "Contact",
                        (Predicate<Map<String, Object>>) f -> CONTACT_EMAIL.equalsIgnoreCase((String) f.get("Email"))),
                Arguments.of("SELECT Id FROM Contact WHERE Plan__c IN ('Pro', 'Team') AND Newsletter__c = true", "Contact",
                        (Predicate<Map<String, Object>>) f -> List.of("Pro", "Team").contains(f.get("Plan__c"))
                                && Boolean.TRUE.equals(f.get("Newsletter__c"))),
                Arguments.of("SELECT Id FROM Contact WHERE Plan__c NOT IN ('Pro') OR (Seats__c >= 100 AND Seats__c < 150)",
                        "Contact", (Predicate<Map<String, Object>>) f -> !"Pro".equals(f.get("Plan__c"))
                                || ((BigDecimal) f.get("Seats__c")).intValue() >= 100 && ((BigDecimal) f.get("Seats__c")).intValue() < 150),
                Arguments.of("SELECT Id FROM Lead WHERE Nickname__c != null", "Lead",
                        (Predicate<Map<String, Object>>) f -> f.get("Nickname__c") != null),
                Arguments.of("SELECT Id FROM Lead WHERE Nickname__c = null", "Lead",
                        (Predicate<Map<String, Object>>) f -> f.get("Nickname__c") == null),
                Arguments.of("SELECT Id FROM Contact WHERE Nickname__c <> 'Ace'", "Contact",
                        (Predicate<Map<String, Object>>) f -> !"Ace".equals(f.get("Nickname__c"))),
                Arguments.of("SELECT Id FROM Contact WHERE SystemModstamp > 2026-06-01T00:00:00Z", "Contact",
                        (Predicate<Map<String, Object>>) f -> ((Instant) f.get("SystemModstamp")).isAfter(t)),
                Arguments.of("SELECT Id FROM Contact WHERE SystemModstamp > 2026-06-01T02:00:00+02:00", "Contact",
                        (Predicate<Map<String, Object>>) f -> ((Instant) f.get("SystemModstamp")).isAfter(t)),
                Arguments.of("SELECT Id FROM Contact WHERE Renewal_Date__c <= 2027-03-01", "Contact",
                        (Predicate<Map<String, Object>>) f -> !((LocalDate) f.get("Renewal_Date__c")).isAfter(LocalDate.parse("2027-03-01"))),
                Arguments.of("SELECT Id FROM Contact WHERE LastName LIKE 'o\\'n%'", "Contact",
                        (Predicate<Map<String, Object>>) f -> ((String) f.get("LastName")).toLowerCase().startsWith("o'n")),
                Arguments.of("SELECT Id FROM Contact WHERE Email LIKE '%.1_@%'", "Contact",
                        (Predicate<Map<String, Object>>) f -> ((String) f.get("Email")).matches("(?s).*\\.1.@.*")),
                Arguments.of("SELECT Id FROM Lead WHERE NOT Status = 'Closed - Converted'", "Lead",
                        (Predicate<Map<String, Object>>) f -> !"Closed - Converted".equals(f.get("Status"))),
                Arguments.of("SELECT Id FROM Contact WHERE CreatedDate < LAST_N_DAYS:200", "Contact",
                        (Predicate<Map<String, Object>>) f -> ((Instant) f.get("CreatedDate")).atZone(java.time.ZoneOffset.UTC)
                                .toLocalDate().isBefore(LocalDate.now(java.time.ZoneOffset.UTC).minusDays(200))),
                Arguments.of("SELECT Id FROM Lead WHERE Renewal_Date__c != TODAY", "Lead",
                        (Predicate<Map<String, Object>>) f -> !f.get("Renewal_Date__c").equals(LocalDate.now(java.time.ZoneOffset.UTC))),
                Arguments.of("SELECT Id FROM Contact WHERE ARR__c > 25000.5", "Contact",
                        (Predicate<Map<String, Object>>) f -> ((BigDecimal) f.get("ARR__c")).compareTo(new BigDecimal("25000.5")) > 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("queries")
    void queryMatchesTheSameRuleOverTheSeed(String soql, String type, Predicate<Map<String, Object>> rule) {
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < SEED.people(); i++) {
            SalesforceSeed sf = SEED.person(i).salesforce();
            if (sf != null && sf.type().equals(type) && rule.test(sf.fields())) {
                expected.add(i);
            }
        }
        int[] rows = ENGINE.execute(Soql.parse(soql));
        assertThat(Arrays.stream(rows).boxed().toList()).isEqualTo(expected);
        assertThat(expected).isNotEmpty();
    }

    @Test
    void countLimitAndIdLookup() {
        assertThat(ENGINE.execute(Soql.parse("SELECT COUNT() FROM Contact WHERE Plan__c = 'Free' LIMIT 5"))).hasSize(5);
        int[] all = ENGINE.execute(Soql.parse("SELECT Id FROM Contact ORDER BY Id"));
        assertThat(ENGINE.execute(Soql.parse("SELECT Id FROM Contact ORDER BY Id LIMIT 3 OFFSET 2")))
                .containsExactly(all[2], all[3], all[4]);
        String id = A_LEAD.salesforce().id();
        assertThat(ENGINE.execute(Soql.parse("SELECT Id, Email FROM Lead WHERE Id = '" + id.substring(0, 15) + "'")))
                .containsExactly(A_LEAD.index());
        assertThat(ENGINE.execute(Soql.parse("SELECT Id FROM Lead WHERE Id IN ('" + id + "', '00Q5e0000000zzzAAA')")))
                .containsExactly(A_LEAD.index());
        assertThat(ENGINE.execute(Soql.parse("SELECT Id FROM Contact WHERE Id = '" + id + "'"))).isEmpty();
    }

    @Test
    void orderByModstampThenIdAndByTextWithNulls() {
        int[] rows = ENGINE.execute(Soql.parse("SELECT Id FROM Contact ORDER BY SystemModstamp DESC, Id LIMIT 50"));
        List<Instant> stamps = Arrays.stream(rows).mapToObj(i -> (Instant) SEED.person(i).salesforce().fields()
                .get("SystemModstamp")).toList();
        assertThat(stamps).isSortedAccordingTo(Comparator.reverseOrder()).hasSize(50);
        int[] byNick = ENGINE.execute(Soql.parse("SELECT Id FROM Contact ORDER BY Nickname__c ASC NULLS LAST, Id"));
        List<String> nicks = Arrays.stream(byNick).mapToObj(i -> (String) SEED.person(i).salesforce().fields()
                .get("Nickname__c")).toList();
        assertThat(nicks).isSortedAccordingTo(Comparator.nullsLast(String.CASE_INSENSITIVE_ORDER));
        assertThat(nicks.get(0)).isNotNull();
        assertThat(nicks.get(nicks.size() - 1)).isNull();
    }

    @Test
    void errorsHaveTheOrgsShape() {
        assertThatThrownBy(() -> Soql.parse("SELECT Id,Invalid__x FROM Contact LIMIT 1"))
                .isInstanceOfSatisfying(Soql.SoqlException.class, e -> {
                    assertThat(e.errorCode).isEqualTo("INVALID_FIELD");
                    assertThat(e.getMessage()).isEqualTo("\nSELECT Id,Invalid__x FROM Contact LIMIT 1\n          ^\n"
                            + "ERROR at Row:1:Column:11\nNo such column 'Invalid__x' on entity 'Contact'. If you are "
                            + "attempting to use a custom field, be sure to append the '__c' after the custom field name. "
                            + "Please reference your WSDL or the describe call for the appropriate names.");
                });
        assertThatThrownBy(() -> Soql.parse("SELECT Id FROM Foo"))
                .isInstanceOfSatisfying(Soql.SoqlException.class, e -> {
                    assertThat(e.errorCode).isEqualTo("INVALID_TYPE");
                    assertThat(e.getMessage()).startsWith("\nSELECT Id FROM Foo\n               ^\nERROR at Row:1:Column:16\n"
                            + "sObject type 'Foo' is not supported.");
                });
        assertThatThrownBy(() -> Soql.parse("SELECT Id FROM Contact WHERE"))
                .isInstanceOfSatisfying(Soql.SoqlException.class, e -> {
                    assertThat(e.errorCode).isEqualTo("MALFORMED_QUERY");
                    assertThat(e.getMessage()).contains("ERROR at Row:1:Column:").contains("unexpected token:");
                });
        assertThatThrownBy(() -> Soql.parse("SELECT Id FROM Contact WHERE SystemModstamp > 2026-06-01"))
                .isInstanceOfSatisfying(Soql.SoqlException.class, e -> assertThat(e.getMessage())
                        .endsWith("value of filter criterion for field 'SystemModstamp' must be of type dateTime and should "
                                + "not be enclosed in quotes"));
        assertThatThrownBy(() -> Soql.parse("SELECT Id FROM Contact WHERE Email = 5"))
                .isInstanceOf(Soql.SoqlException.class);
        assertThatThrownBy(() -> Soql.parse("SELECT Id FROM Contact WHERE Email = 'a\\qb'"))
                .isInstanceOfSatisfying(Soql.SoqlException.class, e -> assertThat(e.errorCode).isEqualTo("MALFORMED_QUERY"));
        assertThatThrownBy(() -> Soql.parse("SELECT Id, Email, email FROM Contact"))
                .isInstanceOfSatisfying(Soql.SoqlException.class, e -> {
                    assertThat(e.errorCode).isEqualTo("INVALID_FIELD");
                    assertThat(e.getMessage()).isEqualTo("duplicate field selected: email");
                });
        assertThat(Objects.requireNonNull(Soql.parse("SELECT EMAIL, lastname FROM contact").fields())
                .stream().map(SObjectSchema.Field::name)).containsExactly("Email", "LastName");
    }
}

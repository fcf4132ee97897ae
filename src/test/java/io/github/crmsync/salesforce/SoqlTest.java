package io.github.crmsync.salesforce;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SoqlTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "ada@example.com|'ada@example.com'",
            "o'neil@example.com|'o\\'neil@example.com'",
            "back\\slash|'back\\\\slash'",
            "x' OR Name != '|'x\\' OR Name != \\''",
    })
    void quotesEscapeEverythingThatCouldEndTheLiteral(String value, String expected) {
        assertThat(Soql.quote(value)).isEqualTo(expected);
    }

    @Test
    void controlCharactersAreEscaped() {
        assertThat(Soql.quote("a\nb\tc\"")).isEqualTo("'a\\nb\\tc\\\"'");
    }

    @Test
    void changedSinceResumesExactlyAfterTheLastHandledRecord() {
        Instant wm = Instant.parse("2026-11-28T10:00:00.123Z");
        assertThat(Soql.changedSince("Contact", List.of("Id", "Email", "Phone"), wm, null))
                .isEqualTo("SELECT Id, Email, Phone FROM Contact WHERE SystemModstamp > 2026-11-28T10:00:00.123Z ORDER BY SystemModstamp, Id");
        assertThat(Soql.changedSince("Lead", List.of("Id", "Id", "Email"), wm, "00Q5e0000000001AAA"))
                .isEqualTo("SELECT Id, Email FROM Lead WHERE (SystemModstamp > 2026-11-28T10:00:00.123Z OR "
                        + "(SystemModstamp = 2026-11-28T10:00:00.123Z AND Id > '00Q5e0000000001AAA')) ORDER BY SystemModstamp, Id");
    }

    @Test
    void lookupByIdsOrEmails() {
        assertThat(Soql.byIdsOrEmails("Contact", List.of("Id", "Email"), List.of("0035e0000000001AAA"), List.of("a@x.com", "o'b@x.com")))
                .isEqualTo("SELECT Id, Email FROM Contact WHERE Id IN ('0035e0000000001AAA') OR Email IN ('a@x.com', 'o\\'b@x.com')");
    }

    @Test
    void fieldNamesThatAreNotApiNamesAreRefused() {
        assertThatThrownBy(() -> Soql.select(List.of("Id", "Email FROM User --")))
                .hasMessageContaining("Not a Salesforce field name");
    }

    @Test
    void longLookUpsAreSplitIntoQueriesThatFitTheUrlAndLoseNoValue() {
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 700; i++) {
            ids.add(String.format("0035e%013d", i));
        }
        List<String> emails = List.of("a@x.com", "b@x.com");
        List<String> queries = Soql.byIdsOrEmailsWithin("Contact", List.of("Id", "Email"), ids, emails, 14_000);
        assertThat(queries).hasSizeGreaterThan(1).allSatisfy(q -> assertThat(
                java.net.URLEncoder.encode(q, java.nio.charset.StandardCharsets.UTF_8).length()).isLessThanOrEqualTo(14_000));
        String all = String.join(" ", queries);
        ids.forEach(id -> assertThat(all).contains("'" + id + "'"));
        assertThat(all).contains("Email IN ('a@x.com', 'b@x.com')");
        assertThat(Soql.byIdsOrEmailsWithin("Contact", List.of("Id"), List.of("003A"), List.of(), 14_000)).hasSize(1);
        assertThat(Soql.byIdsOrEmailsWithin("Contact", List.of("Id"), List.of(), List.of(), 14_000)).isEmpty();
    }
}

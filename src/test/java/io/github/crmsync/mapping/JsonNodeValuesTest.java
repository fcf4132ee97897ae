package io.github.crmsync.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.math.BigDecimal;

import static io.github.crmsync.mapping.MappingFixtures.ic;
import static io.github.crmsync.mapping.MappingFixtures.sf;
import static org.assertj.core.api.Assertions.assertThat;

/** Values taken straight from a Jackson tree convert like the same values read into a map. */
class JsonNodeValuesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ValueConverter converter = new ValueConverter();

    @ParameterizedTest(name = "[{index}] Salesforce {0}={1} → Intercom {2}")
    @CsvSource(delimiter = '|', value = {
            "ARR__c          | 12.30                          | arr",
            "Seats__c        | 12                             | seats",
            "Newsletter__c   | true                           | newsletter",
            "Newsletter__c   | null                           | newsletter",
            "Nickname__c     | \"Ace\"                        | nickname",
            "Nickname__c     | \"\"                           | nickname",
            "Renewal_Date__c | \"2026-01-01\"                 | renewal_date",
            "Last_Login__c   | \"2026-11-28T10:00:00.000+0000\" | last_login",
    })
    void treeValuesConvertLikeMapValues(String field, String json, String attribute) throws Exception {
        JsonNode node = JSON.readTree(json);
        Object mapValue = JSON.readValue(json, Object.class);

        assertThat(converter.toIntercom(sf(field), ic(attribute), node))
                .isEqualTo(converter.toIntercom(sf(field), ic(attribute), mapValue));
        assertThat(converter.sameInSalesforce(sf(field), ic(attribute), node, mapValue)).isTrue();
    }

    @ParameterizedTest
    @CsvSource({"12.3, 12.30", "1234.5, 1234.50"})
    void treeNumbersKeepTheirValue(String intercom, BigDecimal expected) throws Exception {
        assertThat(converter.toSalesforce(sf("ARR__c"), ic("arr"), JSON.readTree(intercom)).value()).isEqualTo(expected);
    }
}

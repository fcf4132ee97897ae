package io.github.crmsync.inbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crmsync.mapping.ObjectType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The inbox app's cards, built without Camel, each checked against Intercom's Canvas Kit schemas. */
class CanvasCardsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode valid(Map<String, Object> card) throws Exception {
        String body = JSON.writeValueAsString(card);
        CanvasKitSpec.assertValidInitializeResponse(body);
        return JSON.readTree(body);
    }

    private static Map<String, Object> contactRecord() {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("Id", "003000000000001AAA");
        record.put("Name", "Ada Lovelace");
        record.put("Email", "ada@example.com");
        record.put("Phone", "+44 20 7946 0000");
        record.put("Title", "");
        record.put("Seats__c", 12.0);
        record.put("Newsletter__c", true);
        record.put("Renewal_Date__c", null);
        return record;
    }

    @Test
    void aRecordCardShowsNameTypeMappedFieldsByLabelAndALinkToTheRecord() throws Exception {
        Map<String, String> labels = Map.of("Phone", "Business Phone", "Seats__c", "Seats");
        JsonNode card = valid(CanvasCards.record(ObjectType.CONTACT, contactRecord(),
                List.of("Phone", "Title", "Seats__c", "Newsletter__c", "Renewal_Date__c", "Missing__c"),
                labels::get, "https://acme.my.salesforce.com/"));

        JsonNode components = card.path("canvas").path("content").path("components");
        assertThat(components.get(0).path("type").asText()).isEqualTo("text");
        assertThat(components.get(0).path("style").asText()).isEqualTo("header");
        assertThat(components.get(0).path("text").asText()).isEqualTo("**Salesforce Contact**");
        assertThat(components.toString()).contains("Ada Lovelace");

        JsonNode table = first(components, "data-table");
        assertThat(table.path("items")).hasSize(6).allSatisfy(item -> assertThat(item.path("type").asText()).isEqualTo("field-value"));
        assertThat(fieldValues(table)).containsExactly(
                Map.entry("Business Phone", "+44 20 7946 0000"), Map.entry("Title", "—"), Map.entry("Seats", "12"),
                Map.entry("Newsletter__c", "true"), Map.entry("Renewal_Date__c", "—"), Map.entry("Missing__c", "—"));

        JsonNode button = first(components, "button");
        assertThat(button.path("action").path("type").asText()).isEqualTo("url");
        assertThat(button.path("action").path("url").asText()).isEqualTo("https://acme.my.salesforce.com/003000000000001AAA");
        assertThat(card.path("canvas").path("stored_data").path("salesforce_id").asText()).isEqualTo("003000000000001AAA");
    }

    @Test
    void aLeadCardSaysLeadAndANameWithMarkdownShowsAsTyped() throws Exception {
        Map<String, Object> lead = new LinkedHashMap<>(Map.of("Id", "00Q000000000001AAA", "Name", "*Bold* [link]"));
        JsonNode card = valid(CanvasCards.record(ObjectType.LEAD, lead, List.of(), f -> null, "https://x.example"));
        JsonNode components = card.path("canvas").path("content").path("components");
        assertThat(components.get(0).path("text").asText()).isEqualTo("**Salesforce Lead**");
        assertThat(components.toString()).contains("\\\\*Bold\\\\* \\\\[link\\\\]");
        assertThat(first(components, "data-table")).as("no mapped fields, no table").isNull();
    }

    @Test
    void noMatchAmbiguousOutOfCallsNotSyncedAndUnavailableAreCardsOfTheirOwn() throws Exception {
        assertThat(valid(CanvasCards.noMatch(ObjectType.CONTACT, "nobody@example.com")).toString())
                .contains("No Salesforce Contact found").contains("nobody@example.com");
        assertThat(valid(CanvasCards.noMatch(ObjectType.LEAD, null)).toString()).contains("no e-mail address");
        assertThat(valid(CanvasCards.linkedRecordMissing(ObjectType.CONTACT, "003X")).toString())
                .contains("The linked Salesforce Contact 003X no longer exists");
        JsonNode ambiguous = valid(CanvasCards.ambiguous(ObjectType.LEAD, "twin@example.com", 3));
        assertThat(ambiguous.toString()).contains("3 Salesforce Leads match").contains("twin@example.com");
        assertThat(ambiguous.path("canvas").path("stored_data").path("candidates").asInt()).isEqualTo(3);
        assertThat(valid(CanvasCards.outOfApiCalls()).toString()).contains("out of API calls");
        assertThat(valid(CanvasCards.notSynced("visitor")).toString()).contains("visitor");
        assertThat(valid(CanvasCards.unavailable()).toString()).contains("could not be read");
    }

    @Test
    void aCardSaysAsOfWhenItIsCurrentAboveItsButtonAndInItsStoredData() throws Exception {
        Instant asOf = Instant.parse("2026-12-02T14:03:20Z");
        JsonNode card = valid(CanvasCards.withFreshness(CanvasCards.record(ObjectType.CONTACT, contactRecord(),
                List.of("Phone"), f -> null, "https://x.example"), asOf, asOf.plusSeconds(185)));

        JsonNode components = card.path("canvas").path("content").path("components");
        List<String> types = new java.util.ArrayList<>();
        components.forEach(c -> types.add(c.path("type").asText() + ":" + c.path("id").asText()));
        assertThat(types).containsExactly("text:title", "text:record-name", "data-table:", "text:as-of", "spacer:",
                "button:open-salesforce");
        JsonNode asOfLine = components.get(3);
        assertThat(asOfLine.path("text").asText()).isEqualTo("As of 3 minutes ago (14:03 UTC)");
        assertThat(asOfLine.path("style").asText()).isEqualTo("muted");
        assertThat(card.path("canvas").path("stored_data").path("as_of").asText()).isEqualTo("2026-12-02T14:03:20Z");
        assertThat(card.path("canvas").path("stored_data").path("salesforce_id").asText()).isEqualTo("003000000000001AAA");

        JsonNode noMatch = valid(CanvasCards.withFreshness(CanvasCards.noMatch(ObjectType.LEAD, "a@example.com"), asOf, asOf));
        JsonNode last = noMatch.path("canvas").path("content").path("components").get(2);
        assertThat(last.path("text").asText()).as("a card without a button: at its end").isEqualTo("As of just now (14:03 UTC)");
    }

    @Test
    void aCardSaysWhenTheRecordLastSyncedUnderItsAsOfLine() throws Exception {
        Instant now = Instant.parse("2026-12-02T14:03:20Z");
        JsonNode card = valid(CanvasCards.withFreshness(CanvasCards.record(ObjectType.CONTACT, contactRecord(),
                List.of("Phone"), f -> null, "https://x.example"), now, now, now.minusSeconds(300)));
        JsonNode components = card.path("canvas").path("content").path("components");
        assertThat(components.get(3).path("id").asText()).isEqualTo("as-of");
        assertThat(components.get(4).path("id").asText()).isEqualTo("last-synced");
        assertThat(components.get(4).path("text").asText()).isEqualTo("Last synced 5 minutes ago (13:58 UTC)");
        assertThat(components.get(4).path("style").asText()).isEqualTo("muted");

        JsonNode never = valid(CanvasCards.withFreshness(CanvasCards.record(ObjectType.CONTACT, contactRecord(),
                List.of("Phone"), f -> null, "https://x.example"), now, now, null));
        assertThat(never.path("canvas").path("content").path("components").get(4).path("text").asText())
                .isEqualTo("Not synced yet");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"0 | just now (14:03 UTC)", "59 | just now (14:03 UTC)",
            "60 | 1 minute ago (14:03 UTC)", "3599 | 59 minutes ago (14:03 UTC)", "3600 | 1 hour ago (14:03 UTC)",
            "18000 | 5 hours ago (14:03 UTC)", "36000 | 10 hours ago (2 Dec 2026, 14:03 UTC)",
            "172800 | 2 days ago (2 Dec 2026, 14:03 UTC)"})
    void freshnessIsSaidInWordsAndAsAUtcTime(long secondsLater, String said) {
        Instant asOf = Instant.parse("2026-12-02T14:03:20Z");
        assertThat(CanvasCards.freshness(asOf, asOf.plusSeconds(secondsLater))).isEqualTo(said);
    }

    @ParameterizedTest
    @CsvSource(nullValues = "NULL", value = {
            "https://acme.my.salesforce.com,  https://acme.my.salesforce.com/001X",
            "https://acme.my.salesforce.com/, https://acme.my.salesforce.com/001X",
            "http://127.0.0.1:8091//,         http://127.0.0.1:8091/001X"})
    void theRecordUrlIsTheInstanceAndTheId(String instance, String url) {
        assertThat(CanvasCards.recordUrl(instance, "001X")).isEqualTo(url);
    }

    @ParameterizedTest
    @CsvSource(nullValues = "NULL", value = {"NULL, —", "'', —", "'  ', —", "text, text", "12.0, 12", "12.50, 12.5"})
    void valuesAreShownAsText(String value, String shown) {
        Object typed = value != null && value.matches("[0-9.]+") ? (Object) Double.valueOf(value) : value;
        assertThat(CanvasCards.text(typed)).isEqualTo(shown);
    }

    @Test
    void theSpecCheckRejectsAButtonWithoutAction() {
        String body = "{\"canvas\":{\"content\":{\"components\":[{\"type\":\"button\",\"id\":\"b\",\"label\":\"x\"}]}}}";
        assertThatThrownBy(() -> CanvasKitSpec.assertValidInitializeResponse(body)).isInstanceOf(AssertionError.class);
    }

    private static JsonNode first(JsonNode components, String type) {
        for (JsonNode c : components) {
            if (type.equals(c.path("type").asText())) {
                return c;
            }
        }
        return null;
    }

    private static List<Map.Entry<String, String>> fieldValues(JsonNode table) {
        return java.util.stream.StreamSupport.stream(table.path("items").spliterator(), false)
                .map(i -> Map.entry(i.path("field").asText(), i.path("value").asText())).toList();
    }
}

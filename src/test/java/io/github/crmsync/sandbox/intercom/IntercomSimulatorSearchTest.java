package io.github.crmsync.sandbox.intercom;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.crmsync.sandbox.seed.IntercomSeed;
import io.github.crmsync.sandbox.seed.SeedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class IntercomSimulatorSearchTest {

    private static final SeedData SEED = new SeedData(SeedData.DEFAULT_SEED, 5_000);
    private static final long DAY = 86_400;
    private static final List<IntercomSeed> CONTACTS = IntStream.range(0, SEED.people()).mapToObj(SEED::person)
            .map(p -> p.intercom()).filter(Objects::nonNull).toList();
    @RegisterExtension
    static final RunningIntercomSimulator intercom = RunningIntercomSimulator.over(SEED);

    @Test
    void updatedAtGreaterThanMatchesFromTheNextDayInUtcAndPagesThroughAllMatches() {
        long median = CONTACTS.stream().mapToLong(IntercomSeed::updatedAt).sorted().skip(CONTACTS.size() / 2).findFirst().orElseThrow();
        long value = median + 3_600; // inside a day: matches start at the next UTC midnight
        long nextMidnight = Math.floorDiv(value, DAY) * DAY + DAY;
        List<String> expected = CONTACTS.stream().filter(c -> c.updatedAt() >= nextMidnight).map(IntercomSeed::id).toList();
        assertThat(expected).isNotEmpty().hasSizeLessThan(CONTACTS.size());

        List<String> found = searchAll(Map.of("field", "updated_at", "operator", ">", "value", value), 50, expected.size());

        assertThat(found).containsExactlyElementsOf(expected);
    }

    @Test
    void dateEqualsMatchesTheWholeDayAndLessThanEndsAtThatDaysMidnight() {
        long createdAt = CONTACTS.get(17).createdAt();
        long dayStart = Math.floorDiv(createdAt, DAY) * DAY;
        List<String> sameDay = CONTACTS.stream().filter(c -> Math.floorDiv(c.createdAt(), DAY) * DAY == dayStart)
                .map(IntercomSeed::id).toList();
        assertThat(searchAll(Map.of("field", "created_at", "operator", "=", "value", String.valueOf(createdAt)), 150, sameDay.size()))
                .containsExactlyElementsOf(sameDay);
        List<String> before = CONTACTS.stream().filter(c -> c.createdAt() < dayStart).map(IntercomSeed::id).toList();
        assertThat(searchAll(Map.of("field", "created_at", "operator", "<", "value", createdAt), 150, before.size()))
                .containsExactlyElementsOf(before);
    }

    @Test
    void emailMatchesIgnoringCase() {
        IntercomSeed capitalised = CONTACTS.stream().filter(c -> Character.isUpperCase(c.email().charAt(0))).findFirst().orElseThrow();
        JsonNode list = search(Map.of("field", "email", "operator", "=", "value", capitalised.email().toLowerCase()), null, null);
        assertThat(list.path("total_count").asInt()).isEqualTo(1);
        assertThat(list.path("data").path(0).path("id").asText()).isEqualTo(capitalised.id());
        assertThat(list.path("data").path(0).path("email").asText()).isEqualTo(capitalised.email());
        assertThat(list.path("pages").path("next").isMissingNode()).isTrue();
    }

    @Test
    void nestedGroupsCombineStandardAndCustomAttributeFilters() {
        Map<String, Object> query = Map.of("operator", "AND", "value", List.of(
                Map.of("field", "role", "operator", "=", "value", "lead"),
                Map.of("operator", "OR", "value", List.of(
                        Map.of("field", "custom_attributes.plan", "operator", "IN", "value", List.of("Pro", "Team")),
                        Map.of("field", "custom_attributes.seats", "operator", ">=", "value", 240))),
                Map.of("field", "name", "operator", "^", "value", "A")));
        List<String> expected = CONTACTS.stream().filter(c -> c.role().equals("lead")
                        && (List.of("Pro", "Team").contains(c.customAttributes().get("plan"))
                        || (Long) c.customAttributes().get("seats") >= 240)
                        && c.name().startsWith("A"))
                .map(IntercomSeed::id).toList();
        assertThat(expected).isNotEmpty();
        assertThat(searchAll(query, 7, expected.size())).containsExactlyElementsOf(expected);
    }

    @Test
    void idInAndStringOperatorsFollowTheDocumentedSemantics() {
        List<String> ids = List.of(CONTACTS.get(3).id(), CONTACTS.get(9).id(), "6762f0d0ffffffffffffffff");
        assertThat(searchAll(Map.of("field", "id", "operator", "IN", "value", ids), 50, 2))
                .containsExactly(CONTACTS.get(3).id(), CONTACTS.get(9).id());
        List<String> noExampleCom = CONTACTS.stream().filter(c -> !c.email().toLowerCase().contains("@example.com"))
                .map(IntercomSeed::id).toList();
        assertThat(searchAll(Map.of("field", "email", "operator", "!~", "value", "@example.com"), 150, noExampleCom.size()))
                .containsExactlyElementsOf(noExampleCom);
    }

    @Test
    void queriesBreakingTheDocumentedLimitsAreRefused() {
        List<Map<String, Object>> sixteen = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            sixteen.add(Map.of("field", "role", "operator", "=", "value", "user"));
        }
        assertRefused(Map.of("operator", "OR", "value", sixteen), "parameter_invalid");
        Map<String, Object> leaf = Map.of("field", "role", "operator", "=", "value", "user");
        Map<String, Object> tooDeep = Map.of("operator", "AND", "value", List.of(
                Map.of("operator", "OR", "value", List.of(Map.of("operator", "AND", "value", List.of(leaf))))));
        assertRefused(tooDeep, "parameter_invalid");
        assertRefused(Map.of("field", "updated_at", "operator", ">=", "value", 1_700_000_000), "parameter_invalid");
        assertRefused(Map.of("field", "updated_at", "operator", "!=", "value", 1_700_000_000), "parameter_invalid");
        assertRefused(Map.of("field", "shoe_size", "operator", "=", "value", "42"), "invalid_field");
        assertRefused(Map.of("field", "tag_id", "operator", "IN", "value", List.of("1")), "parameter_invalid");
        assertRefused(Map.of("field", "role", "operator", "IN", "value", "user"), "parameter_invalid");
        IntercomHttp.Reply perPage = intercom.http().post("/contacts/search",
                Map.of("query", leaf, "pagination", Map.of("per_page", 151)));
        assertThat(perPage.status()).isEqualTo(400);
        assertThat(perPage.error().path("code").asText()).isEqualTo("parameter_invalid");
    }

    private void assertRefused(Map<String, Object> query, String code) {
        IntercomHttp.Reply reply = intercom.http().post("/contacts/search", Map.of("query", query));
        assertThat(reply.status()).as(query.toString()).isEqualTo(400);
        assertThat(reply.error().path("code").asText()).isEqualTo(code);
    }

    private static JsonNode search(Map<String, Object> query, Integer perPage, String startingAfter) {
        Map<String, Object> pagination = new java.util.HashMap<>();
        if (perPage != null) {
            pagination.put("per_page", perPage);
        }
        if (startingAfter != null) {
            pagination.put("starting_after", startingAfter);
        }
        IntercomHttp.Reply reply = intercom.http().post("/contacts/search", Map.of("query", query, "pagination", pagination));
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json();
    }

    /** Follows {@code pages.next} to the end, checking counts and page numbers on the way. */
    static List<String> searchAll(Map<String, Object> query, int perPage, int expectedTotal) {
        List<String> ids = new ArrayList<>();
        String cursor = null;
        int page = 0;
        do {
            JsonNode list = search(query, perPage, cursor);
            page++;
            assertThat(list.path("total_count").asInt()).isEqualTo(expectedTotal);
            assertThat(list.path("pages").path("page").asInt()).isEqualTo(page);
            assertThat(list.path("pages").path("total_pages").asInt()).isEqualTo((expectedTotal + perPage - 1) / perPage);
            list.path("data").forEach(c -> ids.add(c.path("id").asText()));
            cursor = list.path("pages").path("next").path("starting_after").asText(null);
        } while (cursor != null);
        return ids;
    }
}

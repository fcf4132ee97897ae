package io.github.crmsync.sandbox.intercom;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.crmsync.sandbox.seed.SeedData;
import io.github.crmsync.sandbox.seed.SeedPerson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class IntercomSimulatorListingTest {

    private static final SeedData SEED = new SeedData(SeedData.DEFAULT_SEED, 5_000);
    @RegisterExtension
    static final RunningIntercomSimulator intercom = RunningIntercomSimulator.over(SEED);

    @Test
    void listingAllPagesReturnsEveryIntercomContactExactlyOnce() {
        List<String> expected = IntStream.range(0, SEED.people()).mapToObj(SEED::person)
                .filter(p -> p.intercom() != null).map(p -> p.intercom().id()).toList();
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        while (true) {
            IntercomHttp.Reply reply = intercom.http().get("/contacts?per_page=150"
                    + (cursor == null ? "" : "&starting_after=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8)));
            assertThat(reply.status()).isEqualTo(200);
            JsonNode list = reply.json();
            pages++;
            assertThat(list.path("type").asText()).isEqualTo("list");
            assertThat(list.path("total_count").asInt()).isEqualTo(expected.size());
            assertThat(list.path("pages").path("page").asInt()).isEqualTo(pages);
            assertThat(list.path("pages").path("per_page").asInt()).isEqualTo(150);
            assertThat(list.path("pages").path("total_pages").asInt()).isEqualTo((expected.size() + 149) / 150);
            list.path("data").forEach(c -> seen.add(c.path("id").asText()));
            JsonNode next = list.path("pages").path("next");
            if (next.isMissingNode()) {
                break;
            }
            assertThat(next.path("page").asInt()).isEqualTo(pages + 1);
            cursor = next.path("starting_after").asText();
            assertThat(pages).isLessThan(100);
        }
        assertThat(seen).hasSize(expected.size()).doesNotHaveDuplicates().containsExactlyElementsOf(expected);
        assertThat(pages).isEqualTo((expected.size() + 149) / 150);
    }

    @Test
    void listingWithoutPerPageUsesTheDefaultOfTen() {
        JsonNode list = intercom.http().get("/contacts").json();
        assertThat(list.path("data")).hasSize(10);
        assertThat(list.path("pages").path("per_page").asInt()).isEqualTo(10);
        assertThat(list.path("pages").path("next").path("starting_after").asText()).isNotEmpty();
    }

    @Test
    void aContactCarriesEveryPropertyOfTheSpecContactWithTheSeedValues() {
        SeedPerson person = IntStream.range(0, SEED.people()).mapToObj(SEED::person)
                .filter(p -> p.intercom() != null && p.lead()).findFirst().orElseThrow();
        IntercomHttp.Reply reply = intercom.http().get("/contacts/" + person.intercom().id());
        assertThat(reply.status()).isEqualTo(200);
        JsonNode c = reply.json();
        assertThat(c.path("type").asText()).isEqualTo("contact");
        assertThat(c.path("role").asText()).isEqualTo("lead");
        assertThat(c.path("email").asText()).isEqualTo(person.intercom().email());
        assertThat(c.path("name").asText()).isEqualTo(person.intercom().name());
        assertThat(c.path("updated_at").asLong()).isEqualTo(person.intercom().updatedAt());
        assertThat(c.path("custom_attributes").path("plan").asText())
                .isEqualTo(person.intercom().customAttributes().get("plan"));
        Set<String> names = new HashSet<>();
        c.fieldNames().forEachRemaining(names::add);
        assertThat(names).contains("id", "workspace_id", "external_id", "email_domain", "phone", "avatar", "owner_id",
                "social_profiles", "has_hard_bounced", "marked_email_as_spam", "unsubscribed_from_emails", "created_at",
                "signed_up_at", "last_seen_at", "last_replied_at", "last_contacted_at", "last_email_opened_at",
                "last_email_clicked_at", "language_override", "browser", "browser_version", "browser_language", "os",
                "location", "android_last_seen_at", "ios_last_seen_at", "tags", "notes", "companies");
        assertThat(c.path("tags").path("url").asText()).isEqualTo("/contacts/" + person.intercom().id() + "/tags");
        assertThat(c.path("location").path("type").asText()).isEqualTo("location");
        assertThat(intercom.simulator().contact(person.intercom().id())).get()
                .extracting(m -> m.get("email")).isEqualTo(person.intercom().email());
    }

    @Test
    void dataAttributesListStandardAndSeededCustomAttributes() {
        JsonNode list = intercom.http().get("/data_attributes?model=contact").json();
        assertThat(list.path("type").asText()).isEqualTo("list");
        List<JsonNode> attributes = new ArrayList<>();
        list.path("data").forEach(attributes::add);
        assertThat(attributes).anySatisfy(a -> {
            assertThat(a.path("name").asText()).isEqualTo("email");
            assertThat(a.path("custom").asBoolean()).isFalse();
            assertThat(a.path("api_writable").asBoolean()).isTrue();
        });
        assertThat(attributes).anySatisfy(a -> {
            assertThat(a.path("name").asText()).isEqualTo("updated_at");
            assertThat(a.path("data_type").asText()).isEqualTo("date");
            assertThat(a.path("api_writable").asBoolean()).isFalse();
        });
        SeedData.INTERCOM_CUSTOM_ATTRIBUTES.forEach((name, type) -> assertThat(attributes).anySatisfy(a -> {
            assertThat(a.path("full_name").asText()).isEqualTo("custom_attributes." + name);
            assertThat(a.path("data_type").asText()).isEqualTo(type);
            assertThat(a.path("custom").asBoolean()).isTrue();
            assertThat(a.path("id").isInt()).isTrue();
        }));
        assertThat(attributes).filteredOn(a -> a.path("name").asText().equals("plan")).singleElement()
                .satisfies(a -> assertThat(a.path("options")).hasSize(4));
    }
}

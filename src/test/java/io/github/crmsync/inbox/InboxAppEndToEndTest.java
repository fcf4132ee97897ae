package io.github.crmsync.inbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.crmsync.intercom.WebhookSignature;
import io.github.crmsync.mapping.ObjectType;
import io.github.crmsync.mapping.SalesforceField;
import io.github.crmsync.mapping.SandboxMappings;
import io.github.crmsync.mapping.SchemaCache;
import io.github.crmsync.matching.RecordLinks;
import io.github.crmsync.quota.SalesforceApiUsage;
import io.github.crmsync.salesforce.SalesforceLimitInfo;
import io.github.crmsync.sandbox.seed.SeedPerson;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.IntercomClientForTests;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.SimulatedWorld;
import io.github.crmsync.testing.WholeService;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The inbox app through the real service (live mode) and both simulators: Intercom's signed
 * Canvas Kit initialize request for a contact gets the card of its Salesforce record, or a card
 * that says why there is none; every 200 answer is checked against Intercom's Canvas Kit schemas.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InboxAppEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "sandbox-webhook-secret";

    @RegisterExtension
    static final WholeService whole = WholeService.inWorld(1000).withSandboxMappings();
    private SimulatedWorld world;
    private RunningService service;
    private IntercomClientForTests intercom;

    @BeforeAll
    void start() throws Exception {
        world = whole.world();
        service = whole.service();
        intercom = new IntercomClientForTests(world.intercom.baseUrl());
    }

    @Test
    @Order(1)
    void aLinkedContactGetsTheCardOfItsLinkedRecordWithOneQuery() throws Exception {
        SeedPerson p = world.unusedPerson(SimulatedWorld.inBoth(false));
        service.bean("recordLinks", RecordLinks.class).link(ObjectType.CONTACT, p.salesforce().id(), p.intercom().id());
        ObjectNode contact = (ObjectNode) intercom.get(p.intercom().id());
        contact.put("email", "changed-since-linking@example.com"); // found by link, not by e-mail
        service.bean("schemaCache", SchemaCache.class).current(); // the field labels' describe calls, made once
        long callsBefore = serviceCalls();

        JsonNode card = card(initialize(Map.of("contact", contact)));

        assertThat(serviceCalls() - callsBefore).as("Salesforce API calls for one card").isEqualTo(1);
        assertRecordCard(card, p);
    }

    @Test
    @Order(2)
    void anUnlinkedLeadIsMatchedByEmailIgnoringCase() throws Exception {
        SeedPerson p = world.unusedPerson(SimulatedWorld.inBoth(true));
        ObjectNode contact = (ObjectNode) intercom.get(p.intercom().id());
        contact.put("email", contact.path("email").asText().toUpperCase(java.util.Locale.ROOT));

        assertRecordCard(card(initialize(Map.of("contact", contact))), p);
    }

    @Test
    @Order(3)
    void olderRequestsNamingTheContactCustomerAreReadToo() throws Exception {
        SeedPerson p = world.unusedPerson(SimulatedWorld.inBoth(false));
        assertRecordCard(card(initialize(Map.of("customer", intercom.get(p.intercom().id())))), p);
    }

    @Test
    @Order(4)
    void aContactOnlyInIntercomGetsTheNoMatchCard() throws Exception {
        SeedPerson p = world.unusedPerson(x -> x.salesforce() == null && x.intercom() != null);
        JsonNode contact = intercom.get(p.intercom().id());

        JsonNode card = card(initialize(Map.of("contact", contact)));

        assertThat(text(card)).contains("No Salesforce " + (p.lead() ? "Lead" : "Contact") + " found")
                .contains(contact.path("email").asText());
        assertThat(card.path("canvas").path("stored_data").path("outcome").asText()).isEqualTo("no_match");
        assertThat(types(card)).doesNotContain("button", "data-table");
    }

    @Test
    @Order(4)
    void aContactLinkedToARecordThatNoLongerExistsGetsTheNoMatchCard() throws Exception {
        SeedPerson p = world.unusedPerson(x -> !x.lead() && x.salesforce() == null && x.intercom() != null);
        String gone = io.github.crmsync.sandbox.seed.SeedData.salesforceId(p.index(), false);
        service.bean("recordLinks", RecordLinks.class).link(ObjectType.CONTACT, gone, p.intercom().id());

        JsonNode card = card(initialize(Map.of("contact", intercom.get(p.intercom().id()))));

        assertThat(text(card)).contains("No Salesforce Contact found").contains(gone + " no longer exists");
        assertThat(types(card)).doesNotContain("button", "data-table");
    }

    @Test
    @Order(5)
    void anEmailTwoSalesforceRecordsShareGetsTheAmbiguousCardNamingHowMany() throws Exception {
        int duplicate = -1;
        for (int i = 1; i < world.seed.people(); i++) {
            if (world.seed.isDuplicate(i) && world.seed.person(i).salesforce() != null
                    && world.seed.person(i - 1).intercom() != null) {
                duplicate = i;
                break;
            }
        }
        assertThat(duplicate).as("the seed has an e-mail twice in Salesforce").isPositive();
        SeedPerson original = world.seed.person(duplicate - 1);

        JsonNode card = card(initialize(Map.of("contact", intercom.get(original.intercom().id()))));

        String type = original.lead() ? "Lead" : "Contact";
        assertThat(text(card)).contains("2 Salesforce " + type + "s match").contains(original.intercom().email());
        assertThat(card.path("canvas").path("stored_data").path("candidates").asInt()).isEqualTo(2);
        assertThat(types(card)).doesNotContain("button", "data-table");
    }

    @Test
    @Order(6)
    void forgedOrMissingSignaturesAreRefusedAndMalformedJsonIsABadRequest() {
        SeedPerson p = world.unusedPerson(SimulatedWorld.inBoth(false));
        byte[] body = Http.json(request(Map.of("contact", intercom.get(p.intercom().id())))).getBytes(StandardCharsets.UTF_8);
        String url = service.serviceUrl() + "/intercom/canvas/initialize";

        Http.Answer forged = Http.postBytes(url, body, "X-Body-Signature", new WebhookSignature("not-the-secret").bodySignature(body));
        Http.Answer missing = Http.postBytes(url, body);
        assertThat(forged.status()).isEqualTo(401);
        assertThat(forged.json().path("error").asText()).contains("X-Body-Signature");
        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.json().path("error").asText()).contains("X-Body-Signature");

        byte[] malformed = "{\"contact\": {\"id\": ".getBytes(StandardCharsets.UTF_8);
        Http.Answer bad = Http.postBytes(url, malformed, "X-Body-Signature", new WebhookSignature(SECRET).bodySignature(malformed));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().path("error").asText()).contains("not JSON");
        assertThat(bad.response().headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).contains("json"));

        assertThat(Http.postBytes(url, body, "X-Body-Signature", new WebhookSignature(SECRET).bodySignature(body)).status())
                .as("the same body, rightly signed").isEqualTo(200);
    }

    @Test
    @Order(100)
    void aSalesforceOutOfApiCallsGetsItsOwnCardAndNeverAServerError() throws Exception {
        SeedPerson p = world.unusedPerson(SimulatedWorld.inBoth(false));
        JsonNode contact = intercom.get(p.intercom().id());
        world.salesforce.addApiRequests("other-client", 100_000);

        Http.Answer refusedByQuery = initialize(Map.of("contact", contact));
        assertThat(refusedByQuery.status()).as(refusedByQuery.body()).isEqualTo(200);
        JsonNode card = card(refusedByQuery);
        assertThat(text(card)).contains("out of API calls");
        assertThat(card.path("canvas").path("stored_data").path("outcome").asText()).isEqualTo("out_of_api_calls");

        // the org's consumption as last reported already at its limit: the card comes without spending a call
        world.salesforce.resetApiRequests();
        service.bean("salesforceApiUsage", SalesforceApiUsage.class)
                .recordOrgUsage(new SalesforceLimitInfo(100_000, 100_000), "test");
        long callsBefore = serviceCalls();
        JsonNode known = card(initialize(Map.of("contact", contact)));
        assertThat(text(known)).contains("out of API calls");
        assertThat(serviceCalls()).isEqualTo(callsBefore);
    }

    // --- helpers

    private void assertRecordCard(JsonNode card, SeedPerson p) {
        String type = p.salesforce().type();
        Map<String, Object> record = world.salesforce.record(type, p.salesforce().id()).orElseThrow();
        String name = record.get("FirstName") == null ? String.valueOf(record.get("LastName"))
                : record.get("FirstName") + " " + record.get("LastName");

        assertThat(card.path("canvas").path("content").path("components").get(0).path("text").asText())
                .isEqualTo("**Salesforce " + type + "**");
        assertThat(text(card)).contains(name);

        ObjectType objectType = ObjectType.fromSalesforceObject(type);
        List<String> fields = SandboxMappings.defaults().salesforceFields(objectType);
        SchemaCache schemas = service.bean("schemaCache", SchemaCache.class);
        Map<String, String> expected = new LinkedHashMap<>();
        for (String field : fields) {
            String label = schemas.current().salesforce(objectType).field(field).map(SalesforceField::label).orElse(field);
            Object value = record.get(field);
            if (value == null && field.equals("Newsletter__c")) {
                value = Boolean.FALSE; // the simulator's checkbox default, as Salesforce answers an unset checkbox
            }
            expected.put(label, CanvasCards.text(value == null ? null : value.toString()));
        }
        assertThat(expected).as("the seed gives this record some mapped values").isNotEmpty();
        Map<String, String> shown = new LinkedHashMap<>();
        for (JsonNode item : component(card, "data-table").path("items")) {
            shown.put(item.path("field").asText(), item.path("value").asText());
        }
        assertThat(shown).containsExactlyEntriesOf(withNumbersAsShown(expected));

        JsonNode action = component(card, "button").path("action");
        assertThat(action.path("type").asText()).isEqualTo("url");
        assertThat(action.path("url").asText()).isEqualTo(world.salesforce.baseUrl() + "/" + p.salesforce().id());
    }

    /** BigDecimal values of the simulator written as the card writes numbers ({@code 12.0} as {@code 12}). */
    private static Map<String, String> withNumbersAsShown(Map<String, String> expected) {
        Map<String, String> out = new LinkedHashMap<>();
        expected.forEach((k, v) -> out.put(k, v.matches("-?[0-9]+\\.[0-9]+")
                ? CanvasCards.text(new java.math.BigDecimal(v)) : v));
        return out;
    }

    private Http.Answer initialize(Map<String, Object> who) {
        byte[] body = Http.json(request(who)).getBytes(StandardCharsets.UTF_8);
        return Http.postBytes(service.serviceUrl() + "/intercom/canvas/initialize", body,
                "X-Body-Signature", new WebhookSignature(SECRET).bodySignature(body));
    }

    /** An Inbox initialize request as Intercom sends it, with the contact under the given key. */
    private static Map<String, Object> request(Map<String, Object> who) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("workspace_id", "ecahpwf5");
        request.put("workspace_region", "us");
        request.put("admin", Map.of("type", "admin", "id", "991267", "name", "Grace Hopper", "email", "grace@example.com"));
        request.put("card_creation_options", Map.of());
        request.put("context", Map.of("conversation_id", 1234, "location", "conversation", "locale", "en"));
        request.put("conversation", Map.of("type", "conversation", "id", "1234"));
        request.putAll(who);
        return request;
    }

    private static JsonNode card(Http.Answer answer) throws Exception {
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        assertThat(answer.response().headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).contains("json"));
        CanvasKitSpec.assertValidInitializeResponse(answer.body());
        return JSON.readTree(answer.body());
    }

    private static String text(JsonNode card) {
        StringBuilder text = new StringBuilder();
        card.path("canvas").path("content").path("components").forEach(c -> text.append(c.path("text").asText()).append('\n'));
        return text.toString().replace("\\", "");
    }

    private static List<String> types(JsonNode card) {
        List<String> types = new java.util.ArrayList<>();
        card.path("canvas").path("content").path("components").forEach(c -> types.add(c.path("type").asText()));
        return types;
    }

    private static JsonNode component(JsonNode card, String type) {
        for (JsonNode c : card.path("canvas").path("content").path("components")) {
            if (type.equals(c.path("type").asText())) {
                return c;
            }
        }
        throw new AssertionError("no " + type + " in " + card);
    }

    /** The service's API calls as the Salesforce org counts them. */
    private long serviceCalls() {
        return world.salesforce.apiRequestsUsedByClient().getOrDefault("sandbox-client", 0L);
    }


}

package io.github.crmsync.sandbox.intercom;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.crmsync.sandbox.seed.IntercomSeed;
import io.github.crmsync.sandbox.seed.SeedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class IntercomSimulatorUpdateTest {

    private static final SeedData SEED = new SeedData(SeedData.DEFAULT_SEED, 5_000);
    private static final List<IntercomSeed> CONTACTS = IntStream.range(0, SEED.people()).mapToObj(SEED::person)
            .map(p -> p.intercom()).filter(Objects::nonNull).toList();
    @RegisterExtension
    static final RunningIntercomSimulator intercom = RunningIntercomSimulator.over(SEED);

    private static IntercomSeed user(int skip) {
        long now = System.currentTimeMillis() / 1000;
        return CONTACTS.stream().filter(c -> c.role().equals("user") && c.updatedAt() < now - 86_400)
                .skip(skip).findFirst().orElseThrow();
    }

    @Test
    void putChangesTheValuesAdvancesUpdatedAtAndKeepsUnlistedCustomAttributes() {
        IntercomSeed seed = user(0);
        JsonNode before = intercom.http().get("/contacts/" + seed.id()).json();
        String newPlan = seed.customAttributes().get("plan").equals("Team") ? "Pro" : "Team";
        long writesBefore = intercom.simulator().writeCount();

        IntercomHttp.Reply reply = intercom.http().put("/contacts/" + seed.id(),
                Map.of("phone", "+353 87 123 4567", "custom_attributes", Map.of("plan", newPlan, "seats", 42)));

        assertThat(reply.status()).isEqualTo(200);
        JsonNode after = reply.json();
        assertThat(after.path("phone").asText()).isEqualTo("+353 87 123 4567");
        assertThat(after.path("custom_attributes").path("plan").asText()).isEqualTo(newPlan);
        assertThat(after.path("custom_attributes").path("seats").asLong()).isEqualTo(42);
        assertThat(after.path("updated_at").asLong()).isGreaterThan(before.path("updated_at").asLong())
                .isLessThanOrEqualTo(System.currentTimeMillis() / 1000);
        for (Iterator<String> names = before.path("custom_attributes").fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!name.equals("plan") && !name.equals("seats")) {
                assertThat(after.path("custom_attributes").get(name)).as(name).isEqualTo(before.path("custom_attributes").get(name));
            }
        }
        assertThat(after.path("email").asText()).isEqualTo(before.path("email").asText());
        assertThat(intercom.http().get("/contacts/" + seed.id()).json()).isEqualTo(after);
        assertThat(intercom.simulator().contact(seed.id())).get().extracting(c -> c.get("phone")).isEqualTo("+353 87 123 4567");
        assertThat(intercom.simulator().writeCount()).isEqualTo(writesBefore + 1);

        JsonNode changedToday = intercom.http().post("/contacts/search", Map.of("query", Map.of("operator", "AND", "value", List.of(
                Map.of("field", "updated_at", "operator", "=", "value", after.path("updated_at").asLong()),
                Map.of("field", "id", "operator", "=", "value", seed.id()))))).json();
        assertThat(changedToday.path("total_count").asInt()).isEqualTo(1);
    }

    @Test
    void aChangedEmailIsFoundBySearchAndTheOldOneNoLonger() {
        IntercomSeed seed = user(6);
        JsonNode after = intercom.http().put("/contacts/" + seed.id(), Map.of("email", "Moved.Person@Elsewhere.example")).json();
        assertThat(after.path("email").asText()).isEqualTo("Moved.Person@Elsewhere.example");
        assertThat(after.path("email_domain").asText()).isEqualTo("elsewhere.example");
        JsonNode byNew = intercom.http().post("/contacts/search",
                Map.of("query", Map.of("field", "email", "operator", "=", "value", "moved.person@elsewhere.example"))).json();
        assertThat(byNew.path("total_count").asInt()).isEqualTo(1);
        assertThat(byNew.path("data").path(0).path("id").asText()).isEqualTo(seed.id());
        JsonNode byOld = intercom.http().post("/contacts/search",
                Map.of("query", Map.of("field", "email", "operator", "=", "value", seed.email()))).json();
        assertThat(byOld.path("data").findValuesAsText("id")).doesNotContain(seed.id());
    }

    @Test
    void putWithTheSameValuesChangesNothing() {
        IntercomSeed seed = user(1);
        JsonNode before = intercom.http().get("/contacts/" + seed.id()).json();
        long writes = intercom.simulator().writeCount();
        JsonNode after = intercom.http().put("/contacts/" + seed.id(), Map.of("name", seed.name())).json();
        assertThat(after).isEqualTo(before);
        assertThat(intercom.simulator().writeCount()).isEqualTo(writes);
    }

    @Test
    void anUnknownCustomAttributeIsRefusedAndNothingChanges() {
        IntercomSeed seed = user(2);
        JsonNode before = intercom.http().get("/contacts/" + seed.id()).json();
        IntercomHttp.Reply reply = intercom.http().put("/contacts/" + seed.id(),
                Map.of("name", "Someone Else", "custom_attributes", Map.of("shoe_size", "42")));
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.error().path("code").asText()).isEqualTo("parameter_invalid");
        assertThat(reply.error().path("message").asText()).isEqualTo("Custom attribute 'shoe_size' does not exist");
        assertThat(reply.json().path("request_id").asText()).matches("[0-9a-f-]{36}");
        assertThat(intercom.http().get("/contacts/" + seed.id()).json()).isEqualTo(before);
    }

    @Test
    void aValueOfTheWrongTypeOrOutsideTheOptionsIsRefused() {
        IntercomSeed seed = user(3);
        for (Map<String, Object> custom : List.<Map<String, Object>>of(Map.of("seats", "many"), Map.of("newsletter", "yes"),
                Map.of("renewal_date", "2027-01-01"), Map.of("job_title", 7), Map.of("plan", "Platinum"))) {
            IntercomHttp.Reply reply = intercom.http().put("/contacts/" + seed.id(), Map.of("custom_attributes", custom));
            assertThat(reply.status()).as(custom.toString()).isEqualTo(400);
            assertThat(reply.error().path("code").asText()).isEqualTo("parameter_invalid");
        }
        IntercomHttp.Reply reply = intercom.http().put("/contacts/" + seed.id(), Map.of("owner_id", "admin"));
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.error().path("code").asText()).isEqualTo("parameter_invalid");
    }

    @Test
    void aUserCannotBecomeALeadButALeadCanBecomeAUser() {
        IntercomSeed user = user(4);
        IntercomHttp.Reply refused = intercom.http().put("/contacts/" + user.id(), Map.of("role", "lead"));
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.error().path("code").asText()).isEqualTo("client_error");
        IntercomSeed lead = CONTACTS.stream().filter(c -> c.role().equals("lead")).findFirst().orElseThrow();
        assertThat(intercom.http().put("/contacts/" + lead.id(), Map.of("role", "user")).json().path("role").asText()).isEqualTo("user");
    }

    @Test
    void anUnknownContactIsNotFound() {
        int notInIntercom = IntStream.range(0, SEED.people()).filter(i -> SEED.person(i).intercom() == null).findFirst().orElseThrow();
        for (String id : List.of(SeedData.intercomId(notInIntercom), "not-an-id")) {
            IntercomHttp.Reply get = intercom.http().get("/contacts/" + id);
            assertThat(get.status()).isEqualTo(404);
            assertThat(get.error().path("code").asText()).isEqualTo("not_found");
            assertThat(get.error().path("message").asText()).isEqualTo("User Not Found");
            IntercomHttp.Reply put = intercom.http().put("/contacts/" + id, Map.of("name", "Nobody"));
            assertThat(put.status()).isEqualTo(404);
            assertThat(put.error().path("code").asText()).isEqualTo("not_found");
        }
    }

    @Test
    void malformedJsonIsABadRequest() {
        IntercomHttp.Reply reply = intercom.http().call("PUT", "/contacts/" + user(5).id(), "{\"name\": \"Ada\",", Map.of());
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.error().path("code").asText()).isEqualTo("parameter_invalid");
        IntercomHttp.Reply search = intercom.http().call("POST", "/contacts/search", "{\"query\": [", Map.of());
        assertThat(search.status()).isEqualTo(400);
        assertThat(search.error().path("code").asText()).isEqualTo("parameter_invalid");
    }
}

package io.github.crmsync.eventsync;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.crmsync.errors.SyncErrorStore;
import io.github.crmsync.intercom.WebhookSignature;
import io.github.crmsync.mapping.AttributeMapping;
import io.github.crmsync.mapping.SandboxMappings;
import io.github.crmsync.sandbox.seed.SeedPerson;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.IntercomClientForTests;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.SalesforceClient;
import io.github.crmsync.testing.SimulatedWorld;
import io.github.crmsync.testing.WholeService;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Event sync through the real service and both simulators: changes made in one system by someone
 * else arrive in the other, and nothing else moves.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EventSyncEndToEndTest {

    @RegisterExtension
    static final WholeService whole = WholeService.inWorld(1000);
    private SimulatedWorld world;
    private RunningService service;
    private SalesforceClient salesforce;
    private IntercomClientForTests intercom;

    @BeforeAll
    void start() throws Exception {
        world = whole.world();
        service = whole.service();
        for (AttributeMapping mapping : SandboxMappings.defaults().all()) {
            Http.Answer created = Http.post(service.serviceUrl() + "/api/mappings", Http.json(Map.of(
                    "objectType", mapping.objectType().name(), "intercomAttribute", mapping.intercomAttribute(),
                    "salesforceField", mapping.salesforceField(), "direction", mapping.direction().name())));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
        }
        salesforce = SalesforceClient.asOtherClient(world.salesforce.baseUrl());
        intercom = new IntercomClientForTests(world.intercom.baseUrl());
        pollNow();
    }

    private void pollNow() {
        Http.Answer answer = Http.post(service.serviceUrl() + "/api/event-sync/run", "");
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    }

    /** Polls until a poll changes nothing more: writes caused by earlier tests have all landed. */
    private void quiesce() {
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            long before = world.salesforce.writeCount() + world.intercom.writeCount();
            pollNow();
            return world.salesforce.writeCount() + world.intercom.writeCount() == before;
        });
    }



    private JsonNode intercomContact(String id) {
        return intercom.get(id);
    }

    private Object salesforceValue(SeedPerson p, String field) {
        return world.salesforce.record(p.salesforce().type(), p.salesforce().id()).orElseThrow().get(field);
    }

    @Test
    void changeInSalesforceReachesIntercomAfterOnePoll() {
        SeedPerson p = world.unusedPerson(SimulatedWorld.inBoth(false));
        JsonNode before = intercomContact(p.intercom().id());
        assertThat(salesforce.update("Contact", p.salesforce().id(),
                Map.of("Phone", "+1 555 0199 0001", "Title", "Chief Test Officer", "Description", "unmapped change")).status())
                .isEqualTo(204);

        pollNow();

        JsonNode after = intercomContact(p.intercom().id());
        assertThat(after.path("phone").asText()).isEqualTo("+1 555 0199 0001");
        assertThat(after.path("custom_attributes").path("job_title").asText()).isEqualTo("Chief Test Officer");
        assertThat(after.path("name")).as("unmapped attribute").isEqualTo(before.path("name"));
        assertThat(after.path("custom_attributes").path("notes")).as("Description is not mapped")
                .isEqualTo(before.path("custom_attributes").path("notes"));
    }

    @Test
    void changeInIntercomReachesSalesforceThroughTheSignedWebhook() {
        SeedPerson p = world.unusedPerson(SimulatedWorld.inBoth(false).and(x -> !"Enterprise".equals(x.salesforce().fields().get("Plan__c"))));
        Object descriptionBefore = salesforceValue(p, "Description");
        assertThat(intercom.update(p.intercom().id(), Map.of("custom_attributes",
                Map.of("plan", "Enterprise", "notes", "unmapped change"))).status()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(salesforceValue(p, "Plan__c")).isEqualTo("Enterprise"));
        assertThat(salesforceValue(p, "Description")).as("unmapped field").isEqualTo(descriptionBefore);
    }

    @Test
    void changeInIntercomReachesSalesforceThroughThePollingFallbackWithWebhooksOff() {
        SeedPerson p = world.unusedPerson(SimulatedWorld.inBoth(true).and(x -> !Integer.valueOf(77).equals(x.intercom().customAttributes().get("seats"))));
        world.intercom.setWebhookUrl(null);
        try {
            assertThat(intercom.update(p.intercom().id(), Map.of("custom_attributes", Map.of("seats", 77))).status()).isEqualTo(200);
            pollNow();
            assertThat(((Number) salesforceValue(p, "Seats__c")).intValue()).isEqualTo(77);
        } finally {
            world.intercom.setWebhookUrl("http://127.0.0.1:" + world.serverPort + "/intercom/webhooks");
        }
    }

    @Test
    void aForgedSignatureIsRefusedAndNothingIsWritten() {
        SeedPerson p = world.unusedPerson(SimulatedWorld.inBoth(false).and(x -> !"Free".equals(x.salesforce().fields().get("Plan__c"))));
        Object planBefore = salesforceValue(p, "Plan__c");
        JsonNode contact = intercomContact(p.intercom().id());
        ((com.fasterxml.jackson.databind.node.ObjectNode) contact.path("custom_attributes")).put("plan", "Free");
        byte[] body = Http.json(Map.of("type", "notification_event", "id", "notif_forged", "topic", "contact.user.updated",
                "created_at", java.time.Instant.now().getEpochSecond(),
                "data", Map.of("type", "notification_event_data", "item", contact))).getBytes(StandardCharsets.UTF_8);

        Http.Answer forged = Http.postBytes(service.serviceUrl() + "/intercom/webhooks", body,
                "X-Hub-Signature", new WebhookSignature("not-the-secret").hubSignature(body));
        Http.Answer unsigned = Http.postBytes(service.serviceUrl() + "/intercom/webhooks", body);
        assertThat(forged.status()).isEqualTo(401);
        assertThat(forged.json().path("error").asText()).contains("X-Hub-Signature");
        assertThat(unsigned.status()).isEqualTo(401);

        pollNow();
        assertThat(salesforceValue(p, "Plan__c")).isEqualTo(planBefore);

        Http.Answer signed = Http.postBytes(service.serviceUrl() + "/intercom/webhooks", body,
                "X-Hub-Signature", new WebhookSignature("sandbox-webhook-secret").hubSignature(body));
        assertThat(signed.status()).as("the same body, rightly signed, is accepted").isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(salesforceValue(p, "Plan__c")).isEqualTo("Free"));
    }

    @Test
    void recordsOnOneSideOnlyAreNeverCreated() {
        SeedPerson salesforceOnly = world.unusedPerson(p -> !p.lead() && p.salesforce() != null && p.intercom() == null);
        SeedPerson intercomOnly = world.unusedPerson(p -> !p.lead() && p.salesforce() == null && p.intercom() != null);
        assertThat(salesforce.update("Contact", salesforceOnly.salesforce().id(), Map.of("Phone", "+1 555 0199 0002")).status())
                .isEqualTo(204);
        assertThat(intercom.update(intercomOnly.intercom().id(), Map.of("custom_attributes", Map.of("plan", "Team"))).status())
                .isEqualTo(200);

        pollNow();

        assertThat(world.intercom.contact(io.github.crmsync.sandbox.seed.SeedData.intercomId(salesforceOnly.index()))).isEmpty();
        assertThat(world.salesforce.record("Contact",
                io.github.crmsync.sandbox.seed.SeedData.salesforceId(intercomOnly.index(), false))).isEmpty();
    }

    @Test
    void anAmbiguousEmailIsASyncErrorNamingTheCandidatesAndNothingIsWritten() {
        int duplicate = -1;
        for (int i = 1; i < world.seed.people(); i++) {
            if (world.seed.isDuplicate(i) && world.seed.person(i).salesforce() != null) {
                duplicate = i;
                break;
            }
        }
        assertThat(duplicate).as("the seed has an e-mail twice in Salesforce").isPositive();
        SeedPerson original = world.seed.person(duplicate - 1);
        SeedPerson twin = world.seed.person(duplicate);
        String type = original.salesforce().type();
        JsonNode before = intercomContact(original.intercom().id());

        assertThat(salesforce.update(type, original.salesforce().id(), Map.of("Phone", "+1 555 0199 0003")).status()).isEqualTo(204);
        pollNow();

        List<Map<String, Object>> rows = service.bean("syncErrorStore", SyncErrorStore.class).list("SALESFORCE_TO_INTERCOM", 100);
        assertThat(rows).anySatisfy(row -> {
            assertThat(row).containsEntry("errorCode", "AMBIGUOUS_MATCH").containsEntry("salesforceId", original.salesforce().id());
            assertThat((String) row.get("message")).contains(original.salesforce().id(), twin.salesforce().id(),
                    original.intercom().id());
        });
        assertThat(intercomContact(original.intercom().id()).path("phone")).isEqualTo(before.path("phone"));
    }

    @Test
    void aValueWrittenOneWayNeverEchoesBack() {
        SeedPerson p = world.unusedPerson(SimulatedWorld.inBoth(false).and(x -> !"Team".equals(x.salesforce().fields().get("Plan__c"))));
        quiesce();
        long salesforceWrites = world.salesforce.writeCount();
        long intercomWrites = world.intercom.writeCount();

        assertThat(salesforce.update("Contact", p.salesforce().id(), Map.of("Phone", "+1 555 0199 0004")).status()).isEqualTo(204);
        assertThat(intercom.update(p.intercom().id(), Map.of("custom_attributes", Map.of("plan", "Team"))).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(salesforceValue(p, "Plan__c")).isEqualTo("Team"));
        for (int round = 0; round < 3; round++) {
            pollNow();
        }
        quiesce();

        assertThat(intercomContact(p.intercom().id()).path("phone").asText()).isEqualTo("+1 555 0199 0004");
        // each side: the other client's one change, and the service's one write of it, then silence
        assertThat(world.salesforce.writeCount() - salesforceWrites).isEqualTo(2);
        assertThat(world.intercom.writeCount() - intercomWrites).isEqualTo(2);
    }

    @Test
    void mappingsAreValidatedAgainstTheLiveSchemasWithOneMessagePerProblem() {
        Map<String, Object> unknownField = new LinkedHashMap<>(Map.of("objectType", "CONTACT",
                "intercomAttribute", "custom_attributes.support_email", "salesforceField", "No_Such_Field__c",
                "direction", "SALESFORCE_TO_INTERCOM"));
        Map<String, Object> readOnly = Map.of("objectType", "LEAD", "intercomAttribute", "name",
                "salesforceField", "Name", "direction", "INTERCOM_TO_SALESFORCE");
        Map<String, Object> twice = Map.of("objectType", "CONTACT", "intercomAttribute", "phone",
                "salesforceField", "MobilePhone", "direction", "SALESFORCE_TO_INTERCOM");

        Http.Answer answer = Http.post(service.serviceUrl() + "/api/mappings/validate", Http.json(List.of(unknownField, readOnly,
                twice, twice)));
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.json().path("problems")).hasSizeGreaterThanOrEqualTo(3);
        assertThat(answer.body()).contains("No_Such_Field__c").contains("Name");

        Http.Answer refused = Http.post(service.serviceUrl() + "/api/mappings", Http.json(twice));
        assertThat(refused.status()).as("phone is already mapped for contacts").isEqualTo(400);
        assertThat(Http.post(service.serviceUrl() + "/api/mappings", "{not json").status()).isEqualTo(400);
        assertThat(Http.post(service.serviceUrl() + "/api/mappings", "{\"objectType\":\"ACCOUNT\"}").json()
                .path("problems").toString()).contains("objectType must be one of [LEAD, CONTACT]");
        assertThat(Http.get(service.serviceUrl() + "/api/mappings").json().path("mappings"))
                .hasSize(SandboxMappings.defaults().all().size());
    }

    @Test
    void everySalesforceCallIsCountedWithTheRouteThatMadeItAsSalesforceCountsIt() {
        SeedPerson p = world.unusedPerson(SimulatedWorld.inBoth(false));
        quiesce();
        io.github.crmsync.quota.SalesforceApiUsage usage = service.bean("salesforceApiUsage",
                io.github.crmsync.quota.SalesforceApiUsage.class);
        long countedBefore = usage.ownCallsByRoute(java.time.Instant.EPOCH).values().stream().mapToLong(Long::longValue).sum();
        long simulatorBefore = world.salesforce.apiRequestsUsedByClient().getOrDefault("sandbox-client", 0L);

        assertThat(salesforce.update("Contact", p.salesforce().id(), Map.of("Phone", "+1 555 0199 0005")).status()).isEqualTo(204);
        assertThat(intercom.update(p.intercom().id(), Map.of("custom_attributes", Map.of("seats", 201))).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(((Number) salesforceValue(p, "Seats__c")).intValue()).isEqualTo(201));
        quiesce();

        Map<String, Long> byRoute = usage.ownCallsByRoute(java.time.Instant.EPOCH);
        long counted = byRoute.values().stream().mapToLong(Long::longValue).sum() - countedBefore;
        long seenBySalesforce = world.salesforce.apiRequestsUsedByClient().get("sandbox-client") - simulatorBefore;
        assertThat(counted).isPositive().isEqualTo(seenBySalesforce);
        assertThat(byRoute).containsKeys("salesforce-poll", "write-intercom-batch");
        assertThat(usage.lastOrgUsage()).as("Sforce-Limit-Info recorded").isPresent()
                .hasValueSatisfying(u -> assertThat(u.max()).isEqualTo(100_000));
    }

    @Test
    void aMappingCanBeAddedChangedAndRemovedThroughTheApi() {
        String mappings = service.serviceUrl() + "/api/mappings";
        int before = Http.get(mappings).json().path("mappings").size();
        Http.Answer created = Http.post(mappings, Http.json(Map.of("objectType", "CONTACT",
                "intercomAttribute", "custom_attributes.support_email", "salesforceField", "Support_Email__c",
                "direction", "SALESFORCE_TO_INTERCOM")));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        long id = created.json().path("id").asLong();

        Http.Answer changed = Http.put(mappings + "/" + id, Http.json(Map.of("objectType", "CONTACT",
                "intercomAttribute", "custom_attributes.notes", "salesforceField", "Notes__c",
                "direction", "SALESFORCE_TO_INTERCOM")));
        assertThat(changed.status()).as(changed.body()).isEqualTo(200);
        assertThat(Http.get(mappings).body()).contains("Notes__c").doesNotContain("Support_Email__c");
        Http.Answer refused = Http.put(mappings + "/" + id, Http.json(Map.of("objectType", "CONTACT",
                "intercomAttribute", "custom_attributes.notes", "salesforceField", "Name", "direction", "INTERCOM_TO_SALESFORCE")));
        assertThat(refused.status()).as("Name is not updateable").isEqualTo(400);
        assertThat(Http.get(mappings).body()).as("a refused change leaves the set as it was").contains("Notes__c");

        assertThat(Http.delete(mappings + "/" + id).status()).isEqualTo(200);
        assertThat(Http.delete(mappings + "/" + id).status()).isEqualTo(404);
        assertThat(Http.put(mappings + "/abc", "{}").status()).isEqualTo(400);
        assertThat(Http.get(mappings).json().path("mappings")).hasSize(before);
    }
}

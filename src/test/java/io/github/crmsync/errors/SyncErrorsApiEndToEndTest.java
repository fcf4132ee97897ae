package io.github.crmsync.errors;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.crmsync.mapping.Direction;
import io.github.crmsync.mapping.ObjectType;
import io.github.crmsync.matching.RecordLinks;
import io.github.crmsync.quota.SalesforceApiUsage;
import io.github.crmsync.sandbox.seed.SalesforceIds;
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

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sync-errors admin API through the real service and both simulators: a value Salesforce can't
 * take shows up in the list with Salesforce's rule as its cause, and a retry after the data is
 * fixed syncs the record and clears the row.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SyncErrorsApiEndToEndTest {

    private static final String TOO_LONG = "A nickname far longer than the forty characters Salesforce takes";

    @RegisterExtension
    static final WholeService whole = WholeService.inWorld(1000).withSandboxMappings();
    private SimulatedWorld world;
    private RunningService service;
    private SalesforceClient salesforce;
    private IntercomClientForTests intercom;
    private JsonNode ambiguousRow;

    @BeforeAll
    void start() throws Exception {
        world = whole.world();
        service = whole.service();
        salesforce = SalesforceClient.asOtherClient(world.salesforce.baseUrl());
        intercom = new IntercomClientForTests(world.intercom.baseUrl());
        pollNow();
    }

    // --- the behaviours ---------------------------------------------------------------------------

    @Test
    void aValueSalesforceCannotTakeIsListedWithItsCauseAndARetryAfterTheFixSyncsItAndClearsTheRow() {
        SeedPerson p = world.unusedPerson(SimulatedWorld.inBoth(false));
        JsonNode row = failingNickname(p, TOO_LONG);

        assertThat(row.path("errorCode").asText()).isEqualTo("STRING_TOO_LONG");
        assertThat(row.path("message").asText()).contains("Nickname__c").contains(Integer.toString(TOO_LONG.length()));
        assertThat(row.path("syncType").asText()).isEqualTo("EVENT");
        assertThat(row.path("direction").asText()).isEqualTo("INTERCOM_TO_SALESFORCE");
        assertThat(row.path("objectType").asText()).isEqualTo("CONTACT");
        assertThat(row.path("salesforceId").asText()).isEqualTo(p.salesforce().id());
        assertThat(row.path("attributes").toString()).contains("Nickname__c");
        assertThat(row.path("attempts").asInt()).isEqualTo(1);
        assertThat(row.path("firstOccurredAt").asText()).isNotEmpty();
        assertThat(row.has("details")).as("the list leaves the details to the row").isFalse();

        Http.Answer details = Http.get(api("/" + row.path("id").asLong()));
        assertThat(details.status()).isEqualTo(200);
        assertThat(details.json().path("details").asText()).contains("Nickname__c");
        assertThat(details.json().path("errorCode").asText()).isEqualTo("STRING_TOO_LONG");

        fixInIntercom(p, "Short nick " + p.index());
        long intercomWrites = world.intercom.writeCount();
        Http.Answer retried = Http.post(api("/" + row.path("id").asLong() + "/retry"), "");

        assertThat(retried.status()).as(retried.body()).isEqualTo(200);
        assertThat(retried.json().path("retried").asBoolean()).isTrue();
        assertThat(retried.json().path("resolved").asBoolean()).isTrue();
        assertThat(salesforceValue(p, "Nickname__c")).isEqualTo("Short nick " + p.index());
        assertThat(world.intercom.writeCount()).as("an Intercom → Salesforce retry writes only Salesforce").isEqualTo(intercomWrites);
        assertThat(Http.get(api("/" + row.path("id").asLong())).status()).isEqualTo(404);
        assertThat(rows("direction=ALL&text=" + p.intercom().id())).isEmpty();
    }

    @Test
    void aRetryOfAStillBrokenRecordUpdatesItsRowWithTheNewCause() {
        SeedPerson p = world.unusedPerson(SimulatedWorld.inBoth(false));
        JsonNode row = failingNickname(p, TOO_LONG);
        String fiftyOne = "x".repeat(51);
        world.intercom.setWebhookUrl(null);
        try {
            assertThat(intercom.update(p.intercom().id(), Map.of("custom_attributes", Map.of("nickname", fiftyOne))).status())
                    .isEqualTo(200);
        } finally {
            webhooksOn();
        }

        Http.Answer retried = Http.post(api("/" + row.path("id").asLong() + "/retry"), "");

        assertThat(retried.status()).as(retried.body()).isEqualTo(200);
        assertThat(retried.json().path("resolved").asBoolean()).isFalse();
        assertThat(retried.json().path("errorCode").asText()).isEqualTo("STRING_TOO_LONG");
        assertThat(retried.json().path("message").asText()).contains("51");
        assertThat(retried.json().path("attempts").asInt()).isEqualTo(2);
        JsonNode now = Http.get(api("/" + row.path("id").asLong())).json();
        assertThat(now.path("attempts").asInt()).isEqualTo(2);
        assertThat(now.path("syncType").asText()).isEqualTo("RETRY");
        assertThat(now.path("message").asText()).contains("51").doesNotContain(Integer.toString(TOO_LONG.length()));
        assertThat(now.path("firstOccurredAt").asText()).isEqualTo(row.path("firstOccurredAt").asText());
        assertThat(salesforceValue(p, "Nickname__c")).isNotEqualTo(fiftyOne);
    }

    @Test
    void aSalesforceToIntercomRetryMatchesAnUnlinkedRecordByEmailAndWritesItsCurrentValues() {
        SeedPerson p = world.unusedPerson(SimulatedWorld.inBoth(false));
        assertThat(salesforce.update("Contact", p.salesforce().id(), Map.of("Phone", "+1 555 0199 0201")).status()).isEqualTo(204);
        // as a poll leaves it when Intercom failed past its retries, before the record was ever linked
        service.bean("syncErrorStore", SyncErrorStore.class).record(new SyncError("EVENT", Direction.SALESFORCE_TO_INTERCOM,
                ObjectType.CONTACT, p.salesforce().id(), "", List.of(), "HTTP_503", "Intercom answered 503", null));
        JsonNode row = rows("direction=SALESFORCE_TO_INTERCOM&text=" + p.salesforce().id()).get(0);
        long salesforceWrites = world.salesforce.writeCount();

        Http.Answer retried = Http.post(api("/" + row.path("id").asLong() + "/retry"), "");

        assertThat(retried.status()).as(retried.body()).isEqualTo(200);
        assertThat(retried.json().path("resolved").asBoolean()).isTrue();
        assertThat(intercom.get(p.intercom().id()).path("phone").asText()).isEqualTo("+1 555 0199 0201");
        assertThat(world.salesforce.writeCount()).as("a Salesforce → Intercom retry writes only Intercom").isEqualTo(salesforceWrites);
        assertThat(rows("direction=ALL&text=" + p.salesforce().id())).isEmpty();
        assertThat(Http.get(api("/" + row.path("id").asLong())).status()).isEqualTo(404);
    }

    @Test
    void retryingAllMatchingRowsCountsWhatWasResolvedAndWhatStillFails() {
        List<SeedPerson> fixed = new ArrayList<>();
        List<SeedPerson> broken = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            fixed.add(world.unusedPerson(SimulatedWorld.inBoth(true)));
            broken.add(world.unusedPerson(SimulatedWorld.inBoth(true)));
        }
        fixed.forEach(p -> failingNickname(p, TOO_LONG));
        broken.forEach(p -> failingNickname(p, TOO_LONG));
        fixed.forEach(p -> fixInIntercom(p, "Lead nick " + p.index()));
        SalesforceApiUsage usage = service.bean("salesforceApiUsage", SalesforceApiUsage.class);
        Map<String, Long> callsBefore = new HashMap<>(usage.ownCallsByRoute(Instant.EPOCH));

        // leads only: the other tests make errors of contacts
        Http.Answer answer = Http.post(api("/retry?objectType=LEAD&code=STRING_TOO_LONG"), "");

        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        assertThat(answer.json().path("retried").asInt()).isEqualTo(6);
        assertThat(answer.json().path("resolved").asInt()).isEqualTo(3);
        assertThat(answer.json().path("stillFailing").asInt()).isEqualTo(3);
        fixed.forEach(p -> assertThat(salesforceValue(p, "Nickname__c")).isEqualTo("Lead nick " + p.index()));
        assertThat(rows("objectType=LEAD")).hasSize(3).allSatisfy(row -> {
            assertThat(broken.stream().map(p -> p.intercom().id())).contains(row.path("intercomId").asText());
            assertThat(row.path("attempts").asInt()).isEqualTo(2);
        });
        // the six rows' Salesforce records read in one Composite call and written in one
        Map<String, Long> callsAfter = usage.ownCallsByRoute(Instant.EPOCH);
        assertThat(callsAfter.getOrDefault("salesforce-lookup", 0L) - callsBefore.getOrDefault("salesforce-lookup", 0L))
                .isEqualTo(1);
        assertThat(callsAfter.getOrDefault("salesforce-update-records", 0L)
                - callsBefore.getOrDefault("salesforce-update-records", 0L)).isEqualTo(1);
        assertThat(Http.post(api("/retry?direction=UP"), "").status()).isEqualTo(400);
    }

    @Test
    void theListShowsIntercomToSalesforceByDefaultAndFiltersAndPagesOnRequest() {
        SeedPerson p = world.unusedPerson(SimulatedWorld.inBoth(false));
        JsonNode nickname = failingNickname(p, TOO_LONG);
        JsonNode ambiguous = ambiguousRow();

        assertThat(rows("size=500")).allSatisfy(r -> assertThat(r.path("direction").asText()).isEqualTo("INTERCOM_TO_SALESFORCE"))
                .anySatisfy(r -> assertThat(r.path("id")).isEqualTo(nickname.path("id")));
        assertThat(rows("direction=ALL&size=500")).anySatisfy(r -> assertThat(r.path("id")).isEqualTo(nickname.path("id")))
                .anySatisfy(r -> assertThat(r.path("id")).isEqualTo(ambiguous.path("id")));
        assertThat(rows("direction=SALESFORCE_TO_INTERCOM&size=500"))
                .allSatisfy(r -> assertThat(r.path("direction").asText()).isEqualTo("SALESFORCE_TO_INTERCOM"))
                .anySatisfy(r -> assertThat(r.path("id")).isEqualTo(ambiguous.path("id")));
        assertThat(rows("direction=ALL&code=AMBIGUOUS_MATCH&size=500"))
                .allSatisfy(r -> assertThat(r.path("errorCode").asText()).isEqualTo("AMBIGUOUS_MATCH"))
                .noneSatisfy(r -> assertThat(r.path("id")).isEqualTo(nickname.path("id")));
        assertThat(rows("syncType=EVENT&objectType=CONTACT&code=STRING_TOO_LONG&size=500"))
                .anySatisfy(r -> assertThat(r.path("id")).isEqualTo(nickname.path("id")));
        assertThat(rows("syncType=BULK")).isEmpty();
        // text: any part of the message or the ids, whatever the case
        assertThat(rows("text=" + p.salesforce().id().toLowerCase(Locale.ROOT)))
                .singleElement().satisfies(r -> assertThat(r.path("id")).isEqualTo(nickname.path("id")));
        assertThat(rows("direction=ALL&text=" + enc("RECORDS ARE MATCHED ONLY")))
                .anySatisfy(r -> assertThat(r.path("id")).isEqualTo(ambiguous.path("id")))
                .allSatisfy(r -> assertThat(r.path("errorCode").asText()).isEqualTo("AMBIGUOUS_MATCH"));
        assertThat(rows("text=" + enc("100%_no_such"))).as("% and _ are plain characters").isEmpty();

        JsonNode all = Http.get(api("?direction=ALL&size=500")).json();
        long total = all.path("total").asLong();
        assertThat(total).isGreaterThanOrEqualTo(2).isEqualTo(all.path("errors").size());
        List<Long> paged = new ArrayList<>();
        for (int page = 0; page < total; page++) {
            JsonNode answer = Http.get(api("?direction=ALL&size=1&page=" + page)).json();
            assertThat(answer.path("page").asInt()).isEqualTo(page);
            assertThat(answer.path("size").asInt()).isEqualTo(1);
            assertThat(answer.path("total").asLong()).isEqualTo(total);
            assertThat(answer.path("errors")).hasSize(1);
            paged.add(answer.path("errors").path(0).path("id").asLong());
        }
        List<Long> listed = new ArrayList<>();
        all.path("errors").forEach(r -> listed.add(r.path("id").asLong()));
        assertThat(paged).as("newest first, page by page").isEqualTo(listed);
        assertThat(Http.get(api("?direction=ALL&size=1&page=" + total)).json().path("errors")).isEmpty();
        JsonNode defaults = Http.get(api("")).json();
        assertThat(defaults.path("page").asInt()).isZero();
        assertThat(defaults.path("size").asInt()).isEqualTo(50);
    }

    @Test
    void retryingAnAmbiguousMatchStillRefusesToGuess() {
        JsonNode row = ambiguousRow();
        int attempts = Http.get(api("/" + row.path("id").asLong())).json().path("attempts").asInt();
        long intercomWrites = world.intercom.writeCount();

        Http.Answer retried = Http.post(api("/" + row.path("id").asLong() + "/retry"), "");

        assertThat(retried.status()).as(retried.body()).isEqualTo(200);
        assertThat(retried.json().path("resolved").asBoolean()).isFalse();
        assertThat(retried.json().path("errorCode").asText()).isEqualTo("AMBIGUOUS_MATCH");
        assertThat(retried.json().path("attempts").asInt()).isEqualTo(attempts + 1);
        assertThat(world.intercom.writeCount()).isEqualTo(intercomWrites);
    }

    @Test
    void aDismissedRowIsGone() {
        SeedPerson p = world.unusedPerson(SimulatedWorld.inBoth(false));
        long id = failingNickname(p, TOO_LONG).path("id").asLong();

        Http.Answer deleted = Http.delete(api("/" + id));

        assertThat(deleted.status()).isEqualTo(200);
        assertThat(Http.get(api("/" + id)).status()).isEqualTo(404);
        assertThat(rows("direction=ALL&text=" + p.intercom().id())).isEmpty();
        assertThat(Http.delete(api("/" + id)).status()).isEqualTo(404);
    }

    @Test
    void unknownRowsAnswer404AndBadParameters400NamingThem() {
        for (Http.Answer missing : List.of(Http.get(api("/987654321")), Http.delete(api("/987654321")),
                Http.post(api("/987654321/retry"), ""))) {
            assertThat(missing.status()).isEqualTo(404);
            assertThat(missing.json().path("error").asText()).contains("987654321");
        }
        Http.Answer notANumber = Http.get(api("/abc"));
        assertThat(notANumber.status()).isEqualTo(400);
        assertThat(notANumber.json().path("error").asText()).contains("abc");

        Map<String, String> bad = Map.of("direction=SIDEWAYS", "direction", "syncType=NIGHTLY", "syncType",
                "objectType=ACCOUNT", "objectType", "code=" + enc("no such code!"), "code", "size=501", "size",
                "size=0", "size", "page=-1", "page", "page=first", "page", "text=" + "t".repeat(201), "text");
        bad.forEach((query, parameter) -> {
            Http.Answer answer = Http.get(api("?" + query));
            assertThat(answer.status()).as(query).isEqualTo(400);
            assertThat(answer.json().path("problems").toString()).as(query).contains(parameter);
            assertThat(answer.body()).doesNotContain("Exception").doesNotContain("at io.github");
        });
    }

    @Test
    void aChangeForALinkedRecordTheOtherSystemNoLongerHasIsListedWithThatSystemsAnswer() {
        // Intercom → Salesforce: the contact is linked to a Salesforce Contact deleted since
        SeedPerson p = world.unusedPerson(SimulatedWorld.inBoth(false));
        String deletedContact = SalesforceIds.id(SalesforceIds.CONTACT_PREFIX, 9_000_000L + p.index());
        service.bean("recordLinks", RecordLinks.class).link(ObjectType.CONTACT, deletedContact, p.intercom().id());
        assertThat(intercom.update(p.intercom().id(), Map.of("custom_attributes", Map.of("nickname", "Still here"))).status())
                .isEqualTo(200);
        JsonNode toSalesforce = await().atMost(Duration.ofSeconds(30)).until(() -> rows("text=" + p.intercom().id()).stream()
                .findFirst().orElse(null), r -> r != null);
        assertThat(toSalesforce.path("errorCode").asText()).isEqualTo("ENTITY_IS_DELETED");
        assertThat(toSalesforce.path("message").asText()).as("Salesforce's own words").isEqualTo("entity is deleted");
        assertThat(toSalesforce.path("salesforceId").asText()).isEqualTo(deletedContact);

        // Salesforce → Intercom: the record is linked to an Intercom contact deleted since
        SeedPerson q = world.unusedPerson(SimulatedWorld.inBoth(false));
        String deletedIntercomContact = "65deadbeef00000000" + String.format("%06d", q.index());
        service.bean("recordLinks", RecordLinks.class).link(ObjectType.CONTACT, q.salesforce().id(), deletedIntercomContact);
        assertThat(salesforce.update("Contact", q.salesforce().id(), Map.of("Phone", "+1 555 0199 0404")).status()).isEqualTo(204);
        pollNow();
        JsonNode toIntercom = rows("direction=SALESFORCE_TO_INTERCOM&text=" + q.salesforce().id()).get(0);
        assertThat(toIntercom.path("errorCode").asText()).isEqualTo("not_found");
        assertThat(toIntercom.path("message").asText()).as("Intercom's own words").contains("User Not Found");
        assertThat(toIntercom.path("intercomId").asText()).isEqualTo(deletedIntercomContact);
        assertThat(Http.get(api("/" + toIntercom.path("id").asLong())).json().path("details").asText())
                .as("the remote answer and the tries").contains("User Not Found").contains("Tried 1 time.");

        Http.Answer retried = Http.post(api("/" + toSalesforce.path("id").asLong() + "/retry"), "");
        assertThat(retried.json().path("resolved").asBoolean()).as(retried.body()).isFalse();
        assertThat(Http.delete(api("/" + toSalesforce.path("id").asLong())).status()).isEqualTo(200);
        assertThat(Http.delete(api("/" + toIntercom.path("id").asLong())).status()).isEqualTo(200);
    }

    @Test
    void aPicklistValueSalesforceNoLongerTakesIsListedWithSalesforcesMessageAndARetryAfterTheFixClearsTheRow() {
        SeedPerson p = world.unusedPerson(SimulatedWorld.inBoth(false));
        setPlanWithoutWebhook(p, "Free");
        // an admin deactivates the value after the service read the schema: only Salesforce can refuse it
        world.salesforce.setPicklistValueActive("Contact", "Plan__c", "Enterprise", false);
        try {
            assertThat(intercom.update(p.intercom().id(), Map.of("custom_attributes", Map.of("plan", "Enterprise"))).status())
                    .isEqualTo(200);
            JsonNode row = await().atMost(Duration.ofSeconds(30)).until(() -> rows("text=" + p.intercom().id()).stream()
                    .filter(r -> r.path("errorCode").asText().equals("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"))
                    .findFirst().orElse(null), r -> r != null);
            assertThat(row.path("message").asText()).isEqualTo("Plan: bad value for restricted picklist field: Enterprise");
            assertThat(row.path("attempts").asInt()).as("a permanent failure is not retried").isEqualTo(1);
            assertThat(salesforceValue(p, "Plan__c")).isNotEqualTo("Enterprise");

            setPlanWithoutWebhook(p, "Team");
            Http.Answer retried = Http.post(api("/" + row.path("id").asLong() + "/retry"), "");
            assertThat(retried.json().path("resolved").asBoolean()).as(retried.body()).isTrue();
            assertThat(salesforceValue(p, "Plan__c")).isEqualTo("Team");
            assertThat(Http.get(api("/" + row.path("id").asLong())).status()).isEqualTo(404);
        } finally {
            world.salesforce.setPicklistValueActive("Contact", "Plan__c", "Enterprise", true);
        }
    }

    // --- helpers ----------------------------------------------------------------------------------

    private void setPlanWithoutWebhook(SeedPerson p, String plan) {
        world.intercom.setWebhookUrl(null);
        try {
            assertThat(intercom.update(p.intercom().id(), Map.of("custom_attributes", Map.of("plan", plan))).status())
                    .isEqualTo(200);
        } finally {
            webhooksOn();
        }
    }

    /** Makes the person's Intercom nickname too long for Salesforce (through the webhook) and awaits its row. */
    private JsonNode failingNickname(SeedPerson p, String nickname) {
        assertThat(intercom.update(p.intercom().id(), Map.of("custom_attributes", Map.of("nickname", nickname))).status())
                .isEqualTo(200);
        return await().atMost(Duration.ofSeconds(30)).until(() -> rows("text=" + p.intercom().id()).stream()
                .filter(r -> r.path("errorCode").asText().equals("STRING_TOO_LONG")).findFirst().orElse(null),
                row -> row != null);
    }

    /** Fixes the value in Intercom with webhooks off, so that only a retry can carry it. */
    private void fixInIntercom(SeedPerson p, String nickname) {
        world.intercom.setWebhookUrl(null);
        try {
            assertThat(intercom.update(p.intercom().id(), Map.of("custom_attributes", Map.of("nickname", nickname))).status())
                    .isEqualTo(200);
        } finally {
            webhooksOn();
        }
        assertThat(salesforceValue(p, "Nickname__c")).as("nothing synced the fix yet").isNotEqualTo(nickname);
    }

    private void webhooksOn() {
        world.intercom.setWebhookUrl("http://127.0.0.1:" + world.serverPort + "/intercom/webhooks");
    }

    /** A Salesforce → Intercom AMBIGUOUS_MATCH row: a change to a record whose e-mail another record shares. */
    private synchronized JsonNode ambiguousRow() {
        if (ambiguousRow == null) {
            int duplicate = -1;
            for (int i = 1; i < world.seed.people() && duplicate < 0; i++) {
                if (world.seed.isDuplicate(i) && world.seed.person(i).salesforce() != null) {
                    duplicate = i;
                }
            }
            assertThat(duplicate).as("the seed has an e-mail twice in Salesforce").isPositive();
            SeedPerson original = world.seed.person(duplicate - 1);
            assertThat(salesforce.update(original.salesforce().type(), original.salesforce().id(),
                    Map.of("Phone", "+1 555 0199 0101")).status()).isEqualTo(204);
            pollNow();
            ambiguousRow = rows("direction=SALESFORCE_TO_INTERCOM&code=AMBIGUOUS_MATCH&text=" + original.salesforce().id())
                    .stream().findFirst().orElseThrow();
        }
        return ambiguousRow;
    }

    private List<JsonNode> rows(String query) {
        Http.Answer answer = Http.get(api("?" + query));
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        List<JsonNode> rows = new ArrayList<>();
        answer.json().path("errors").forEach(rows::add);
        return rows;
    }

    private String api(String rest) {
        return service.serviceUrl() + "/api/sync-errors" + rest;
    }

    private static String enc(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private void pollNow() {
        Http.Answer answer = Http.post(service.serviceUrl() + "/api/event-sync/run", "");
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    }

    private Object salesforceValue(SeedPerson p, String field) {
        return world.salesforce.record(p.salesforce().type(), p.salesforce().id()).orElseThrow().get(field);
    }


}

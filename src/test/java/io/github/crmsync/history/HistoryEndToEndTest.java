package io.github.crmsync.history;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.crmsync.bulksync.BulkRun;
import io.github.crmsync.sandbox.seed.SeedPerson;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.IntercomClientForTests;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.SalesforceClient;
import io.github.crmsync.testing.SandboxPairValues;
import io.github.crmsync.testing.SimulatedWorld;
import io.github.crmsync.testing.WholeService;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The change history through the real service and both simulators: a value written by event sync
 * (each direction), by a retry and by a bulk run is found through GET /api/history by the Salesforce
 * id, the Intercom id and the e-mail, with the value before and after; bad parameters are refused
 * naming them. Every answer is checked against the API's OpenAPI description (testing/Http).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HistoryEndToEndTest {

    @RegisterExtension
    static final WholeService whole = WholeService.inWorld(400).with("crmsync.bulk.job-poll-ms", "50").withSandboxMappings();
    private SimulatedWorld world;
    private RunningService service;
    private SalesforceClient salesforce;
    private IntercomClientForTests intercom;

    @BeforeAll
    void start() {
        world = whole.world();
        service = whole.service();
        salesforce = SalesforceClient.asOtherClient(world.salesforce.baseUrl());
        intercom = new IntercomClientForTests(world.intercom.baseUrl());
        pollNow();
    }

    @Test
    void eventSyncWritesEachDirectionIntoTheHistoryFoundByEachKey() {
        SeedPerson p = world.unusedPerson(SimulatedWorld.inBoth(false));
        String sf = p.salesforce().id();
        String ic = p.intercom().id();
        Object phoneBefore = world.intercom.contact(ic).orElseThrow().get("phone");
        String phone = "+1 555 0142 " + p.index();

        // Salesforce → Intercom
        assertThat(salesforce.update("Contact", sf, Map.of("Phone", phone)).status()).isEqualTo(204);
        pollNow();
        JsonNode toIntercom = newest("salesforceId=" + sf, "phone");
        assertThat(toIntercom.path("direction").asText()).isEqualTo("SALESFORCE_TO_INTERCOM");
        assertThat(toIntercom.path("syncType").asText()).isEqualTo("EVENT");
        assertThat(toIntercom.path("objectType").asText()).isEqualTo("CONTACT");
        assertThat(toIntercom.path("sourceField").asText()).isEqualTo("Phone");
        assertThat(toIntercom.path("oldValue").isNull() ? null : toIntercom.path("oldValue").asText())
                .isEqualTo(phoneBefore == null ? null : phoneBefore.toString());
        assertThat(toIntercom.path("newValue").asText()).isEqualTo(phone);
        assertThat(toIntercom.path("salesforceId").asText()).isEqualTo(sf);
        assertThat(toIntercom.path("intercomId").asText()).isEqualTo(ic);
        assertThat(toIntercom.path("bulkRunId").isMissingNode() || toIntercom.path("bulkRunId").isNull()).isTrue();

        // Intercom → Salesforce (through the webhook)
        Object nicknameBefore = world.salesforce.record("Contact", sf).orElseThrow().get("Nickname__c");
        String nickname = "History nick " + p.index();
        assertThat(intercom.update(ic, Map.of("custom_attributes", Map.of("nickname", nickname))).status()).isEqualTo(200);
        JsonNode toSalesforce = await().atMost(Duration.ofSeconds(30))
                .until(() -> find("intercomId=" + ic, "Nickname__c", nickname), r -> r != null);
        assertThat(toSalesforce.path("direction").asText()).isEqualTo("INTERCOM_TO_SALESFORCE");
        assertThat(toSalesforce.path("syncType").asText()).isEqualTo("EVENT");
        assertThat(toSalesforce.path("sourceField").asText()).isEqualTo("custom_attributes.nickname");
        assertThat(toSalesforce.path("oldValue").isNull() ? null : toSalesforce.path("oldValue").asText())
                .isEqualTo(nicknameBefore == null ? null : nicknameBefore.toString());
        assertThat(world.salesforce.record("Contact", sf).orElseThrow().get("Nickname__c")).isEqualTo(nickname);

        // the person's whole timeline, by e-mail in any case, newest first
        List<JsonNode> byEmail = rows("email=" + enc(p.intercom().email().toUpperCase(Locale.ROOT)));
        assertThat(byEmail).extracting(r -> r.path("id").asLong())
                .containsSubsequence(toSalesforce.path("id").asLong(), toIntercom.path("id").asLong());
        assertThat(byEmail).allSatisfy(r -> assertThat(r.path("email").asText())
                .isEqualTo(p.intercom().email().toLowerCase(Locale.ROOT)));
    }

    @Test
    void aRetryRecordsWhatItWroteAndTheRefusedWriteIsNotRecorded() {
        SeedPerson p = world.unusedPerson(SimulatedWorld.inBoth(false));
        String tooLong = "A nickname far longer than the forty characters Salesforce takes";
        assertThat(intercom.update(p.intercom().id(), Map.of("custom_attributes", Map.of("nickname", tooLong))).status())
                .isEqualTo(200);
        JsonNode error = await().atMost(Duration.ofSeconds(30)).until(() -> syncError(p.intercom().id()), r -> r != null);
        String fixed = "Retried nick " + p.index();
        world.intercom.setWebhookUrl(null);
        try {
            assertThat(intercom.update(p.intercom().id(), Map.of("custom_attributes", Map.of("nickname", fixed))).status())
                    .isEqualTo(200);
        } finally {
            world.intercom.setWebhookUrl("http://127.0.0.1:" + world.serverPort + "/intercom/webhooks");
        }

        Http.Answer retried = Http.post(service.serviceUrl() + "/api/sync-errors/" + error.path("id").asLong() + "/retry", "");

        assertThat(retried.json().path("resolved").asBoolean()).as(retried.body()).isTrue();
        List<JsonNode> history = rows("salesforceId=" + p.salesforce().id());
        assertThat(history).filteredOn(r -> r.path("field").asText().equals("Nickname__c"))
                .as("only the value Salesforce took").singleElement().satisfies(r -> {
                    assertThat(r.path("syncType").asText()).isEqualTo("RETRY");
                    assertThat(r.path("newValue").asText()).isEqualTo(fixed);
                    assertThat(r.path("direction").asText()).isEqualTo("INTERCOM_TO_SALESFORCE");
                });
        assertThat(rows("email=" + enc(p.intercom().email()))).anySatisfy(r -> assertThat(r.path("newValue").asText())
                .isEqualTo(fixed));
    }

    @Test
    void aBulkRunRecordsEachValueItWroteWithItsRunIdTheOldValueAndTheEmail() {
        SeedPerson p = world.unusedPerson(q -> q.salesforce() != null && q.intercom() != null
                && !SandboxPairValues.inStep(world, q));
        Map<String, Object> recordBefore = world.salesforce.record(p.salesforce().type(), p.salesforce().id()).orElseThrow();
        Map<String, Object> contactBefore = world.intercom.contact(p.intercom().id()).orElseThrow();

        Http.Answer started = Http.post(service.serviceUrl() + "/api/bulk-sync", "");
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        long runId = started.json().path("id").asLong();
        await().atMost(Duration.ofSeconds(120)).until(() -> !BulkRun.ACTIVE_STATUSES.contains(runStatus(runId)));
        assertThat(runStatus(runId)).isEqualTo("COMPLETED");
        assertThat(SandboxPairValues.inStep(world, p)).isTrue();

        List<JsonNode> bySalesforceId = rows("salesforceId=" + p.salesforce().id());
        assertThat(bySalesforceId).isNotEmpty().allSatisfy(r -> {
            assertThat(r.path("syncType").asText()).isEqualTo("BULK");
            assertThat(r.path("bulkRunId").asLong()).isEqualTo(runId);
            assertThat(r.path("email").asText()).as("from the run's staged copy").isEqualTo(p.intercom().email().toLowerCase(Locale.ROOT));
            Object before = r.path("direction").asText().equals("INTERCOM_TO_SALESFORCE")
                    ? recordBefore.get(r.path("field").asText()) : contactBefore.get(r.path("field").asText());
            if (before instanceof String text && !text.isBlank()) {
                assertThat(r.path("oldValue").asText()).as("the target's value before, " + r).isEqualTo(text);
            }
        });
        assertThat(rows("intercomId=" + p.intercom().id())).extracting(r -> r.path("id").asLong())
                .isEqualTo(bySalesforceId.stream().map(r -> r.path("id").asLong()).toList());
        assertThat(rows("email=" + enc(p.intercom().email()))).extracting(r -> r.path("id").asLong())
                .containsAll(bySalesforceId.stream().map(r -> r.path("id").asLong()).toList());
    }

    @Test
    void pagesNewestFirstAndBadParametersAre400NamingThem() {
        SeedPerson p = world.unusedPerson(SimulatedWorld.inBoth(false));
        for (int i = 0; i < 3; i++) {
            assertThat(salesforce.update("Contact", p.salesforce().id(), Map.of("Phone", "+1 555 0177 " + i)).status())
                    .isEqualTo(204);
            pollNow();
        }
        JsonNode first = Http.get(api("?salesforceId=" + p.salesforce().id() + "&limit=2")).json();
        assertThat(first.path("changes")).hasSize(2);
        assertThat(first.path("changes").path(0).path("newValue").asText()).isEqualTo("+1 555 0177 2");
        JsonNode second = Http.get(api("?salesforceId=" + p.salesforce().id() + "&limit=2&before="
                + first.path("nextBefore").asLong())).json();
        assertThat(second.path("changes").path(0).path("newValue").asText()).isEqualTo("+1 555 0177 0");
        assertThat(rows("intercomId=no-such-contact")).isEmpty();

        Map<String, String> bad = Map.of("", "salesforceId, intercomId or email",
                "salesforceId=x&email=a%40b.c", "email and salesforceId", "intercomId=x&limit=0", "limit",
                "intercomId=x&limit=501", "limit", "intercomId=x&limit=many", "limit", "intercomId=x&before=0", "before",
                "intercomId=x&before=last", "before");
        bad.forEach((query, parameter) -> {
            Http.Answer answer = Http.get(api("?" + query));
            assertThat(answer.status()).as(query).isEqualTo(400);
            assertThat(answer.json().path("error").asText()).as(query).contains(parameter);
            assertThat(answer.body()).doesNotContain("Exception");
        });
        assertThat(Http.withoutLogin().get(api("?intercomId=x")).status()).as("the admin login, as all of /api").isEqualTo(401);
    }

    // --- helpers ----------------------------------------------------------------------------------

    private String api(String rest) {
        return service.serviceUrl() + "/api/history" + rest;
    }

    private List<JsonNode> rows(String query) {
        Http.Answer answer = Http.get(api("?" + query + "&limit=500"));
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        List<JsonNode> rows = new ArrayList<>();
        answer.json().path("changes").forEach(rows::add);
        return rows;
    }

    private JsonNode newest(String query, String field) {
        return rows(query).stream().filter(r -> r.path("field").asText().equals(field)).findFirst().orElseThrow();
    }

    private JsonNode find(String query, String field, String value) {
        return rows(query).stream().filter(r -> r.path("field").asText().equals(field)
                && r.path("newValue").asText().equals(value)).findFirst().orElse(null);
    }

    private JsonNode syncError(String intercomId) {
        JsonNode errors = Http.get(service.serviceUrl() + "/api/sync-errors?text=" + intercomId).json().path("errors");
        return errors.size() > 0 && errors.path(0).path("errorCode").asText().equals("STRING_TOO_LONG") ? errors.path(0) : null;
    }

    private String runStatus(long id) {
        JsonNode runs = Http.get(service.serviceUrl() + "/api/bulk-sync/runs?limit=50").json().path("runs");
        for (JsonNode run : runs) {
            if (run.path("id").asLong() == id) {
                return run.path("status").asText();
            }
        }
        return "";
    }

    private void pollNow() {
        Http.Answer answer = Http.post(service.serviceUrl() + "/api/event-sync/run", "");
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    }

    private static String enc(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}

package io.github.crmsync.sandbox.salesforce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crmsync.sandbox.seed.SeedData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The simulator's {@code /composite} against the shapes Salesforce documents for the Composite resource. */
class SalesforceCompositeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SeedData SEED = new SeedData(SeedData.DEFAULT_SEED, 6000);
    private static final String V = "/services/data/v60.0";
    private static SalesforceSimulator sim;
    private static HttpClient http;
    private static String bearer;

    @BeforeAll
    static void start() throws Exception {
        sim = new SalesforceSimulator(SalesforceSimulatorSettings.defaults().withPort(0).withDailyApiLimit(5000), SEED);
        sim.start();
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> token = http.send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/services/oauth2/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=password&client_id=sandbox-client&client_secret="
                        + "sandbox-secret&username=" + enc(SalesforceSimulator.USERNAME) + "&password=sandbox"))
                .build(), HttpResponse.BodyHandlers.ofString());
        bearer = "Bearer " + JSON.readTree(token.body()).get("access_token").asText();
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    @AfterEach
    void reset() {
        sim.resetApiRequests();
    }

    private record Reply(int status, JsonNode body, HttpResponse<String> raw) {
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static Reply composite(Object request) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + V + "/composite"))
                .header("Authorization", bearer).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(request))).build(),
                HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), JSON.readTree(r.body()), r);
    }

    private static Map<String, Object> sub(String method, String url, String referenceId, Object body) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", method);
        m.put("url", url);
        m.put("referenceId", referenceId);
        if (body != null) {
            m.put("body", body);
        }
        return m;
    }

    private static Map<String, Object> request(boolean allOrNone, List<Map<String, Object>> subrequests) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("allOrNone", allOrNone);
        m.put("collateSubrequests", false);
        m.put("compositeRequest", subrequests);
        return m;
    }

    private static List<String> contactIds(int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; ids.size() < n; i++) {
            var p = SEED.person(i);
            if (p.salesforce() != null && !p.lead()) {
                ids.add(p.salesforce().id());
            }
        }
        return ids;
    }

    private static Map<String, Object> contact(String id, Object title) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("attributes", Map.of("type", "Contact"));
        m.put("id", id);
        m.put("Title", title);
        return m;
    }

    private static Object title(String id) {
        return sim.record("Contact", id).orElseThrow().get("Title");
    }

    @Test
    void queryAndItsMorePagesChainedThroughNextRecordsUrlCostOneCall() throws Exception {
        long contacts = sim.recordCount("Contact");
        String soql = "SELECT Id FROM Contact ORDER BY Id";
        Reply reply = composite(request(false, List.of(
                sub("GET", V + "/query/?q=" + enc(soql), "page0", null),
                sub("GET", "@{page0.nextRecordsUrl}", "page1", null),
                sub("GET", "@{page1.nextRecordsUrl}", "page2", null),
                sub("GET", "@{page2.nextRecordsUrl}", "page3", null))));

        assertThat(reply.status()).isEqualTo(200);
        JsonNode results = reply.body().get("compositeResponse");
        assertThat(results).hasSize(4);
        assertThat(results.get(0).get("referenceId").asText()).isEqualTo("page0");
        assertThat(results.get(0).get("httpStatusCode").asInt()).isEqualTo(200);
        assertThat(results.get(0).get("httpHeaders").isObject()).isTrue();
        assertThat(results.get(0).get("body").get("totalSize").asLong()).isEqualTo(contacts);
        assertThat(results.get(0).get("body").get("records")).hasSize(2000);
        assertThat(results.get(1).get("body").get("records").get(0).get("Id").asText())
                .isGreaterThan(results.get(0).get("body").get("records").get(1999).get("Id").asText());
        // the seed holds fewer than 8,000 contacts: one page is the last (done, no nextRecordsUrl), and a
        // reference to its nextRecordsUrl has no value: that subrequest is not run
        int pages = (int) ((contacts + 1999) / 2000);
        assertThat(pages).isLessThan(4);
        JsonNode last = results.get(pages - 1).get("body");
        assertThat(last.get("done").asBoolean()).isTrue();
        assertThat(last.has("nextRecordsUrl")).isFalse();
        JsonNode halted = results.get(pages);
        assertThat(halted.get("httpStatusCode").asInt()).isEqualTo(400);
        assertThat(halted.get("body").get(0).get("errorCode").asText()).isEqualTo("PROCESSING_HALTED");
        assertThat(halted.get("body").get(0).get("message").asText())
                .startsWith("Invalid reference specified. No value for page" + (pages - 1) + ".nextRecordsUrl found in page"
                        + (pages - 1));
        // one Composite request is one API call, in Sforce-Limit-Info and /limits alike
        assertThat(reply.raw().headers().firstValue("Sforce-Limit-Info")).hasValue("api-usage=1/5000");
        assertThat(sim.apiRequestsUsed()).isEqualTo(1);
        HttpResponse<String> limits = http.send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + V + "/limits"))
                .header("Authorization", bearer).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(JSON.readTree(limits.body()).get("DailyApiRequests").get("Remaining").asLong()).isEqualTo(5000 - 2);
    }

    @Test
    void referencesTakeFieldsAndListElementsOfEarlierAnswers() throws Exception {
        String id = contactIds(1).get(0);
        Reply reply = composite(request(false, List.of(
                sub("GET", V + "/query/?q=" + enc("SELECT Id, Email FROM Contact WHERE Id = '" + id + "'"), "found", null),
                sub("PATCH", V + "/sobjects/Contact/@{found.records[0].Id}", "update", Map.of("Title", "@{found.records[0].Email}")),
                sub("GET", V + "/sobjects/Contact/@{found.records[0].Id}?fields=Title", "read", null))));

        JsonNode results = reply.body().get("compositeResponse");
        assertThat(results.get(1).get("httpStatusCode").asInt()).isEqualTo(204);
        assertThat(results.get(1).get("body").isNull()).isTrue();
        String email = results.get(0).get("body").get("records").get(0).get("Email").asText();
        assertThat(results.get(2).get("body").get("Title").asText()).isEqualTo(email);
        assertThat(title(id)).isEqualTo(email);
    }

    @Test
    void twentySixSubrequestsAreRefusedAsAWhole() throws Exception {
        String id = contactIds(1).get(0);
        List<Map<String, Object>> subs = new ArrayList<>();
        for (int i = 0; i < 26; i++) {
            subs.add(sub("GET", V + "/sobjects/Contact/" + id + "?fields=Id", "r" + i, null));
        }
        Reply reply = composite(request(false, subs));

        // as Salesforce answered 26 subrequests (guardian/support-service-lambdas#766): one result, none run
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body()).isEqualTo(JSON.readTree("{\"compositeResponse\":[{\"body\":[{\"errorCode\":\"LIMIT_EXCEEDED\","
                + "\"message\":\"The request can’t contain more than 25 operations.\"}],\"httpHeaders\":{},"
                + "\"httpStatusCode\":400,\"referenceId\":null}]}"));
        assertThat(composite(request(false, subs.subList(0, 25))).status()).isEqualTo(200);
    }

    @Test
    void sixCollectionsOrQueryOperationsAreRefusedAsAWhole() throws Exception {
        List<String> ids = contactIds(3);
        List<Map<String, Object>> subs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            subs.add(sub("GET", V + "/query/?q=" + enc("SELECT Id FROM Contact LIMIT 1"), "q" + i, null));
        }
        for (int i = 0; i < 3; i++) {
            subs.add(sub("PATCH", V + "/composite/sobjects", "c" + i,
                    Map.of("allOrNone", false, "records", List.of(contact(ids.get(i), "six-" + i)))));
        }
        Reply reply = composite(request(false, subs));

        assertThat(reply.status()).isEqualTo(200);
        JsonNode refused = reply.body().get("compositeResponse");
        assertThat(refused).hasSize(1);
        assertThat(refused.get(0).get("httpStatusCode").asInt()).isEqualTo(400);
        assertThat(refused.get(0).get("referenceId").isNull()).isTrue();
        assertThat(refused.get(0).get("body").get(0).get("errorCode").asText()).isEqualTo("LIMIT_EXCEEDED");
        assertThat(refused.get(0).get("body").get(0).get("message").asText())
                .isEqualTo("The request can’t contain more than 5 sObject Collections or query operations.");
        assertThat(title(ids.get(0))).isNotEqualTo("six-0");
        // five are allowed, beside ordinary sObject subrequests
        List<Map<String, Object>> five = new ArrayList<>(subs.subList(1, 6));
        five.add(sub("GET", V + "/sobjects/Contact/" + ids.get(0) + "?fields=Title", "row", null));
        Reply ok = composite(request(false, five));
        assertThat(ok.status()).isEqualTo(200);
        assertThat(title(ids.get(0))).isEqualTo("six-0");
    }

    @Test
    void allOrNoneRollsBackEveryWriteAndHaltsTheOthers() throws Exception {
        List<String> ids = contactIds(3);
        Object before = title(ids.get(0));
        long writesBefore = sim.writeCount();
        Reply reply = composite(request(true, List.of(
                sub("PATCH", V + "/sobjects/Contact/" + ids.get(0), "first", Map.of("Title", "rolled-back")),
                // inner allOrNone false, overridden by the outer true: the bad record fails the whole subrequest
                sub("PATCH", V + "/composite/sobjects", "collection", Map.of("allOrNone", false, "records",
                        List.of(contact(ids.get(1), "also-rolled-back"), contact("003000000000000XXX", "bad")))),
                sub("GET", V + "/sobjects/Contact/" + ids.get(2) + "?fields=Id", "after", null))));

        assertThat(reply.status()).isEqualTo(200);
        JsonNode results = reply.body().get("compositeResponse");
        assertThat(results).hasSize(3);
        for (int i : new int[] {0, 2}) {
            assertThat(results.get(i).get("httpStatusCode").asInt()).isEqualTo(400);
            assertThat(results.get(i).get("body").get(0).get("errorCode").asText()).isEqualTo("PROCESSING_HALTED");
            assertThat(results.get(i).get("body").get(0).get("message").asText())
                    .isEqualTo("The transaction was rolled back since another operation in the same transaction failed.");
        }
        assertThat(results.get(1).get("referenceId").asText()).isEqualTo("collection");
        assertThat(results.get(1).get("body").get(1).get("success").asBoolean()).isFalse();
        assertThat(title(ids.get(0))).isEqualTo(before);
        assertThat(title(ids.get(1))).isNotEqualTo("also-rolled-back");
        assertThat(sim.writeCount()).isEqualTo(writesBefore);
    }

    @Test
    void withoutAllOrNoneEachCollectionsSubrequestKeepsItsOwnRecordResults() throws Exception {
        List<String> ids = contactIds(2);
        Reply reply = composite(request(false, List.of(
                sub("PATCH", V + "/composite/sobjects", "collection", Map.of("allOrNone", false, "records",
                        List.of(contact(ids.get(0), "kept"), contact("003000000000000XXX", "bad")))),
                sub("PATCH", V + "/sobjects/Contact/" + ids.get(1), "row", Map.of("Title", "kept-too")))));

        JsonNode results = reply.body().get("compositeResponse");
        assertThat(results.get(0).get("httpStatusCode").asInt()).isEqualTo(200);
        assertThat(results.get(0).get("body").get(0).get("success").asBoolean()).isTrue();
        assertThat(results.get(0).get("body").get(1).get("success").asBoolean()).isFalse();
        assertThat(results.get(1).get("httpStatusCode").asInt()).isEqualTo(204);
        assertThat(title(ids.get(0))).isEqualTo("kept");
        assertThat(title(ids.get(1))).isEqualTo("kept-too");
    }

    @Test
    void aSubrequestReferringToAFailedOneIsNotRun() throws Exception {
        String id = contactIds(1).get(0);
        Reply reply = composite(request(false, List.of(
                sub("GET", V + "/query/?q=" + enc("SELECT Nope FROM Contact"), "bad", null),
                sub("PATCH", V + "/sobjects/Contact/" + id, "dependent", Map.of("Title", "@{bad.records[0].Id}")),
                sub("PATCH", V + "/sobjects/Contact/" + id, "independent", Map.of("Title", "ran")))));

        JsonNode results = reply.body().get("compositeResponse");
        assertThat(results.get(0).get("httpStatusCode").asInt()).isEqualTo(400);
        assertThat(results.get(0).get("body").get(0).get("errorCode").asText()).isEqualTo("INVALID_FIELD");
        assertThat(results.get(1).get("body").get(0).get("errorCode").asText()).isEqualTo("PROCESSING_HALTED");
        assertThat(results.get(2).get("httpStatusCode").asInt()).isEqualTo(204);
        assertThat(title(id)).isEqualTo("ran");
    }
}

package io.github.crmsync.sandbox.salesforce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crmsync.sandbox.seed.SeedData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Wire-level details the Camel tests do not reach: OAuth errors, headers, describe, Bulk ingest, control. */
class SalesforceSimulatorHttpTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SeedData SEED = new SeedData(SeedData.DEFAULT_SEED, 1000);
    private static SalesforceSimulator sim;
    private static HttpClient http;
    private static String bearer;

    @BeforeAll
    static void start() throws Exception {
        sim = new SalesforceSimulator(SalesforceSimulatorSettings.defaults().withPort(0).withDailyApiLimit(5000), SEED);
        sim.start();
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        bearer = "Bearer " + token("grant_type=password&client_id=sandbox-client&client_secret=sandbox-secret&username="
                + enc(SalesforceSimulator.USERNAME) + "&password=sandbox").body().get("access_token").asText();
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    @AfterEach
    void reset() {
        sim.resetApiRequests();
        sim.faults().set(0, 0, 0, 0);
    }

    record Reply(int status, JsonNode body, String text, HttpResponse<String> raw) {
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static Reply send(HttpRequest.Builder b) throws Exception {
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = null;
        if (r.body() != null && !r.body().isEmpty() && (r.body().startsWith("{") || r.body().startsWith("["))) {
            body = JSON.readTree(r.body());
        }
        return new Reply(r.statusCode(), body, r.body(), r);
    }

    private static Reply token(String form) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/services/oauth2/token"))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)));
    }

    private static HttpRequest.Builder api(String path) {
        return HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/services/data/v60.0" + path)).header("Authorization", bearer);
    }

    private static String contactId() {
        for (int i = 0; ; i++) {
            var p = SEED.person(i);
            if (p.salesforce() != null && !p.lead()) {
                return p.salesforce().id();
            }
        }
    }

    @Test
    void tokenEndpointAnswersEachGrantAndItsErrors() throws Exception {
        Reply ok = token("grant_type=password&client_id=sandbox-client&client_secret=sandbox-secret&username="
                + enc(SalesforceSimulator.USERNAME) + "&password=sandbox" + SalesforceSimulator.SECURITY_TOKEN);
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.body().get("instance_url").asText()).isEqualTo(sim.baseUrl());
        assertThat(ok.body().get("id").asText()).matches(sim.baseUrl().replace(".", "\\.") + "/id/00D\\w{15}/005\\w{15}");
        assertThat(ok.body().get("token_type").asText()).isEqualTo("Bearer");
        assertThat(ok.body().get("issued_at").asText()).matches("\\d{13}");
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec("sandbox-secret".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        assertThat(ok.body().get("signature").asText()).isEqualTo(Base64.getEncoder().encodeToString(
                mac.doFinal((ok.body().get("id").asText() + ok.body().get("issued_at").asText()).getBytes(StandardCharsets.UTF_8))));
        assertThat(ok.body().has("refresh_token")).isFalse();

        Reply wrong = token("grant_type=password&client_id=sandbox-client&client_secret=sandbox-secret&username="
                + enc(SalesforceSimulator.USERNAME) + "&password=nope");
        assertThat(wrong.status()).isEqualTo(400);
        assertThat(wrong.text()).isEqualTo("{\"error\":\"invalid_grant\",\"error_description\":\"authentication failure\"}");
        Reply unknown = token("grant_type=password&client_id=nobody&client_secret=x&username=a&password=b");
        assertThat(unknown.text()).isEqualTo("{\"error\":\"invalid_client_id\",\"error_description\":\"client identifier invalid\"}");
        assertThat(token("grant_type=authorization_code&client_id=sandbox-client").body().get("error").asText())
                .isEqualTo("unsupported_grant_type");

        Reply basic = send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/services/oauth2/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("other-client:other-secret".getBytes()))
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")));
        assertThat(basic.status()).isEqualTo(200);
        assertThat(basic.body().get("scope").asText()).isEqualTo("api");
        Reply refreshed = token("grant_type=refresh_token&client_id=sandbox-client&refresh_token="
                + SalesforceSimulator.SERVICE_REFRESH_TOKEN);
        assertThat(refreshed.status()).isEqualTo(200);
        assertThat(token("grant_type=refresh_token&client_id=sandbox-client&refresh_token=bogus").text())
                .isEqualTo("{\"error\":\"invalid_grant\",\"error_description\":\"expired access/refresh token\"}");
        // the token endpoint does not count against the API limit
        assertThat(sim.apiRequestsUsed()).isZero();
    }

    @Test
    void everyApiResponseCarriesTheLimitHeaderErrorsIncluded() throws Exception {
        Reply unauthorized = send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/services/data/v60.0/limits"))
                .header("Authorization", "Bearer nope"));
        assertThat(unauthorized.status()).isEqualTo(401);
        assertThat(unauthorized.text()).isEqualTo("[{\"message\":\"Session expired or invalid\",\"errorCode\":\"INVALID_SESSION_ID\"}]");
        assertThat(unauthorized.raw().headers().firstValue("Sforce-Limit-Info")).hasValue("api-usage=0/5000");

        Reply limits = send(api("/limits"));
        assertThat(limits.raw().headers().firstValue("Sforce-Limit-Info")).hasValue("api-usage=1/5000");
        Reply missing = send(api("/sobjects/Contact/003000000000000AAA"));
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.body().get(0).get("errorCode").asText()).isEqualTo("NOT_FOUND");
        assertThat(missing.raw().headers().firstValue("Sforce-Limit-Info")).hasValue("api-usage=2/5000");

        sim.addApiRequests("other-client", 4998);
        Reply refused = send(api("/limits"));
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.text()).isEqualTo("[{\"message\":\"TotalRequests Limit exceeded.\",\"errorCode\":\"REQUEST_LIMIT_EXCEEDED\"}]");
        assertThat(refused.raw().headers().firstValue("Sforce-Limit-Info")).hasValue("api-usage=5000/5000");

        Reply versions = send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/services/data/")));
        assertThat(versions.status()).isEqualTo(200);
        assertThat(versions.text()).contains("\"version\":\"60.0\"");
        assertThat(send(api("/")).status()).isEqualTo(403);
    }

    @Test
    void recordsReadBy15Or18CharIdsAndDescribeIsRealistic() throws Exception {
        String id = contactId();
        Reply full = send(api("/sobjects/Contact/" + id.substring(0, 15)));
        assertThat(full.status()).isEqualTo(200);
        assertThat(full.body().get("Id").asText()).isEqualTo(id);
        assertThat(full.body().at("/attributes/url").asText()).isEqualTo("/services/data/v60.0/sobjects/Contact/" + id);
        assertThat(full.body().get("Renewal_Date__c").asText()).matches("\\d{4}-\\d\\d-\\d\\d");
        assertThat(full.body().get("Seats__c").isNumber()).isTrue();
        assertThat(full.body().get("Newsletter__c").isBoolean()).isTrue();
        Reply some = send(api("/sobjects/Contact/" + id + "?fields=Email,phone"));
        assertThat(some.body().fieldNames()).toIterable().containsExactly("attributes", "Email", "Phone", "Id");
        assertThat(send(api("/sobjects/Contact/" + id + "?fields=Nope__c")).body().get(0).get("errorCode").asText())
                .isEqualTo("INVALID_FIELD");

        JsonNode lead = send(api("/sobjects/Lead/describe")).body();
        assertThat(lead.get("name").asText()).isEqualTo("Lead");
        assertThat(lead.get("keyPrefix").asText()).isEqualTo("00Q");
        JsonNode company = field(lead, "Company");
        assertThat(company.get("nillable").asBoolean()).isFalse();
        assertThat(company.get("createable").asBoolean()).isTrue();
        JsonNode plan = field(lead, "Plan__c");
        assertThat(plan.get("restrictedPicklist").asBoolean()).isTrue();
        assertThat(plan.get("custom").asBoolean()).isTrue();
        assertThat(plan.get("picklistValues").findValuesAsText("value")).containsExactly("Free", "Pro", "Team", "Enterprise");
        assertThat(field(lead, "ARR__c").get("type").asText()).isEqualTo("currency");
        assertThat(field(lead, "ARR__c").get("scale").asInt()).isEqualTo(2);
        assertThat(field(lead, "Name").get("updateable").asBoolean()).isFalse();
        assertThat(field(lead, "Notes__c").get("length").asInt()).isEqualTo(255);

        Reply readOnly = send(api("/sobjects/Contact/" + id).header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"Name\":\"X\"}")));
        assertThat(readOnly.status()).isEqualTo(400);
        assertThat(readOnly.body().get(0).get("errorCode").asText()).isEqualTo("INVALID_FIELD_FOR_INSERT_UPDATE");
        Reply badJson = send(api("/sobjects/Contact/" + id).header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"Newsletter__c\":\"maybe\"}")));
        assertThat(badJson.body().get(0).get("errorCode").asText()).isEqualTo("JSON_PARSER_ERROR");
    }

    private static JsonNode field(JsonNode describe, String name) {
        for (JsonNode f : describe.get("fields")) {
            if (f.get("name").asText().equals(name)) {
                return f;
            }
        }
        throw new AssertionError("no field " + name);
    }

    @Test
    void collectionsRollBackWithAllOrNoneAndRefuseMoreThan200() throws Exception {
        String id = contactId();
        String body = "{\"allOrNone\":true,\"records\":[{\"attributes\":{\"type\":\"Contact\"},\"id\":\"" + id
                + "\",\"Title\":\"CEO\"},{\"attributes\":{\"type\":\"Contact\"},\"id\":\"001xx000003DGb2999\",\"Title\":\"CFO\"}]}";
        long writes = sim.writeCount();
        Reply r = send(api("/composite/sobjects").header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(body)));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().get(0).get("success").asBoolean()).isFalse();
        assertThat(r.body().get(0).get("id").asText()).isEqualTo(id);
        assertThat(r.body().get(0).at("/errors/0/statusCode").asText()).isEqualTo("ALL_OR_NONE_OPERATION_ROLLED_BACK");
        assertThat(r.body().get(1).at("/errors/0/statusCode").asText()).isEqualTo("MALFORMED_ID");
        assertThat(sim.writeCount()).isEqualTo(writes);

        StringBuilder many = new StringBuilder("{\"records\":[");
        for (int i = 0; i < 201; i++) {
            many.append(i > 0 ? "," : "").append("{\"attributes\":{\"type\":\"Contact\"},\"id\":\"").append(id).append("\"}");
        }
        Reply tooMany = send(api("/composite/sobjects").header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(many + "]}")));
        assertThat(tooMany.status()).isEqualTo(400);
        assertThat(tooMany.body().get(0).get("errorCode").asText()).isEqualTo("EXCEEDED_ID_LIMIT");
    }

    @Test
    void bulkIngestAppliesUpdatesAndReportsFailures() throws Exception {
        String id = contactId();
        Reply job = send(api("/jobs/ingest").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"object\":\"Contact\",\"operation\":\"update\",\"contentType\":\"CSV\",\"lineEnding\":\"LF\"}")));
        assertThat(job.status()).isEqualTo(200);
        assertThat(job.body().get("state").asText()).isEqualTo("Open");
        String jobId = job.body().get("id").asText();
        assertThat(job.body().get("contentUrl").asText()).isEqualTo("services/data/v60.0/jobs/ingest/" + jobId + "/batches");
        String csv = "Id,Title,Nickname__c,Plan__c\n" + id + ",\"Director, Ops\",#N/A,\n003xx0000000BAD,CTO,,\n"
                + id.substring(0, 15) + ",,,Gold\n";
        Reply upload = send(api("/jobs/ingest/" + jobId + "/batches").header("Content-Type", "text/csv")
                .PUT(HttpRequest.BodyPublishers.ofString(csv)));
        assertThat(upload.status()).isEqualTo(201);
        Reply closed = send(api("/jobs/ingest/" + jobId).header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"state\":\"UploadComplete\"}")));
        assertThat(closed.body().get("state").asText()).isEqualTo("UploadComplete");
        await().atMost(Duration.ofSeconds(10)).until(() -> send(api("/jobs/ingest/" + jobId)).body().get("state").asText()
                .equals("JobComplete"));
        JsonNode info = send(api("/jobs/ingest/" + jobId)).body();
        assertThat(info.get("numberRecordsProcessed").asInt()).isEqualTo(3);
        assertThat(info.get("numberRecordsFailed").asInt()).isEqualTo(2);
        assertThat(sim.record("Contact", id).orElseThrow()).containsEntry("Title", "Director, Ops").containsEntry("Nickname__c", null);
        String ok = send(api("/jobs/ingest/" + jobId + "/successfulResults")).text();
        assertThat(ok).isEqualTo("\"sf__Id\",\"sf__Created\",Id,Title,Nickname__c,Plan__c\n\"" + id + "\",\"false\","
                + id + ",\"Director, Ops\",#N/A,\n");
        String failed = send(api("/jobs/ingest/" + jobId + "/failedResults")).text();
        assertThat(failed.split("\n")).containsExactly("\"sf__Id\",\"sf__Error\",Id,Title,Nickname__c,Plan__c",
                "\"\",\"INVALID_CROSS_REFERENCE_KEY:invalid cross reference id:--\",003xx0000000BAD,CTO,,",
                "\"" + id.substring(0, 15) + "\",\"INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST:Plan: bad value for restricted "
                        + "picklist field: Gold:Plan__c --\"," + id.substring(0, 15) + ",,,Gold");
        assertThat(send(api("/jobs/ingest/" + jobId + "/unprocessedrecords")).text()).isEqualTo("Id,Title,Nickname__c,Plan__c\n");
        assertThat(send(api("/jobs/query/750000000000000AAA")).text())
                .isEqualTo("[{\"message\":\"The requested resource does not exist\",\"errorCode\":\"NOT_FOUND\"}]");
    }

    @Test
    void abortedQueryJobHasNoResultsAndDeletedJobIsGone() throws Exception {
        Reply job = send(api("/jobs/query").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"operation\":\"query\",\"query\":\"SELECT Id FROM Contact\"}")));
        assertThat(job.status()).isEqualTo(200);
        assertThat(job.body().get("state").asText()).isEqualTo("UploadComplete");
        assertThat(job.body().get("jobType").asText()).isEqualTo("V2Query");
        String jobId = job.body().get("id").asText();
        Reply aborted = send(api("/jobs/query/" + jobId).header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"state\":\"Aborted\"}")));
        if (aborted.status() == 200) {
            assertThat(aborted.body().get("state").asText()).isEqualTo("Aborted");
            Reply results = send(api("/jobs/query/" + jobId + "/results"));
            assertThat(results.status()).isEqualTo(412);
            assertThat(results.body().get(0).get("errorCode").asText()).isEqualTo("JOB_NOT_COMPLETE");
            assertThat(results.body().get(0).get("message").asText()).endsWith("Current status: ABORTED");
        } else {
            // the job finished before the abort arrived
            assertThat(aborted.body().get(0).get("errorCode").asText()).isEqualTo("INVALIDJOBSTATE");
        }
        assertThat(send(api("/jobs/query/" + jobId).DELETE()).status()).isEqualTo(204);
        assertThat(send(api("/jobs/query/" + jobId)).status()).isEqualTo(404);
    }

    @Test
    void collectionsRetrieveReturnsRecordsInIdOrderWithNullForUnknown() throws Exception {
        String id = contactId();
        Reply r = send(api("/composite/sobjects/Contact?ids=" + id + ",003000000000000AAA&fields=Email,LastName"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().get(0).get("Email").asText()).contains("@");
        assertThat(r.body().get(1).isNull()).isTrue();
    }

    @Test
    void tokensExpireAfterTheirLifetime() throws Exception {
        try (SalesforceSimulator shortLived = new SalesforceSimulator(SalesforceSimulatorSettings.defaults().withPort(0)
                .withTokenLifetime(Duration.ZERO), new SeedData(SeedData.DEFAULT_SEED, 10))) {
            shortLived.start();
            HttpResponse<String> token = http.send(HttpRequest.newBuilder(URI.create(shortLived.baseUrl() + "/services/oauth2/token"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&client_id=sandbox-client"
                            + "&client_secret=sandbox-secret")).build(), HttpResponse.BodyHandlers.ofString());
            String access = JSON.readTree(token.body()).get("access_token").asText();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(shortLived.baseUrl()
                    + "/services/data/v60.0/limits")).header("Authorization", "Bearer " + access).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(r.body()).contains("INVALID_SESSION_ID");
        }
    }

    @Test
    void unknownQueryLocatorIsRefused() throws Exception {
        Reply r = send(api("/query/01g5e0000000001AAA-2000"));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body().get(0).get("errorCode").asText()).isEqualTo("INVALID_QUERY_LOCATOR");
        Reply type = send(api("/query?q=" + enc("SELECT Id FROM Account")));
        assertThat(type.body().get(0).get("errorCode").asText()).isEqualTo("INVALID_TYPE");
        assertThat(send(api("/query?q=" + enc("SELECT Id FROM Contact WHERE Email = 'x' LIMIT 1"))).body()
                .get("totalSize").asInt()).isZero();
    }

    @Test
    void controlEndpointAndDroppedConnections() throws Exception {
        Reply usage = send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/sandbox/usage"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"clientId\":\"other-client\",\"add\":40}")));
        assertThat(usage.status()).isEqualTo(200);
        assertThat(sim.apiRequestsUsedByClient()).containsEntry("other-client", 40L);
        Reply state = send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/sandbox/state")));
        assertThat(state.body().at("/apiRequestsUsedByClient/other-client").asLong()).isEqualTo(40);
        assertThat(state.body().at("/records/Contact").asInt()).isPositive();
        Reply bad = send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/sandbox/faults"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"serverErrorRate\":2}")));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body().get("error").asText()).contains("serverErrorRate");
        assertThat(send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/sandbox/usage"))
                .POST(HttpRequest.BodyPublishers.ofString("not json"))).status()).isEqualTo(400);
        assertThat(send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/sandbox/usage"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"reset\":true}"))).status()).isEqualTo(200);
        assertThat(sim.apiRequestsUsed()).isZero();

        send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/sandbox/faults"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"dropConnectionRate\":1}")));
        assertThatThrownBy(() -> send(api("/limits"))).isInstanceOf(IOException.class);
        sim.faults().set(0, 0, 0, 0);

        Reply expired = send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/sandbox/tokens/expire"))
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(expired.status()).isEqualTo(200);
        assertThat(send(api("/limits")).status()).isEqualTo(401);
        bearer = "Bearer " + token("grant_type=password&client_id=sandbox-client&client_secret=sandbox-secret&username="
                + enc(SalesforceSimulator.USERNAME) + "&password=sandbox").body().get("access_token").asText();
        assertThat(send(api("/limits")).status()).isEqualTo(200);
        assertThat(List.of(sim.apiRequestsUsedByClient().keySet().toArray())).contains("sandbox-client");
    }
}

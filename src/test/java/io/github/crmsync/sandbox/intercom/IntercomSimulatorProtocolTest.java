package io.github.crmsync.sandbox.intercom;

import io.github.crmsync.sandbox.seed.SeedData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Authentication, versions, rate limits, faults, errors for bad input and the sandbox control endpoint. */
class IntercomSimulatorProtocolTest {

    private static final SeedData SEED = new SeedData(SeedData.DEFAULT_SEED, 500);
    private IntercomSimulator simulator;
    private IntercomHttp intercom;

    @BeforeEach
    void start() throws Exception {
        simulator = new IntercomSimulator(IntercomSimulatorSettings.defaults().withPort(0), SEED);
        simulator.start();
        intercom = new IntercomHttp(simulator.baseUrl(), "sandbox-token");
    }

    @AfterEach
    void stop() {
        intercom.close();
        simulator.close();
    }

    @Test
    void aBadOrMissingTokenIsUnauthorizedWithoutRateLimitHeaders() {
        IntercomHttp.Reply bad = intercom.call("GET", "/contacts", null, Map.of("Authorization", "Bearer wrong"));
        assertThat(bad.status()).isEqualTo(401);
        assertThat(bad.error().path("code").asText()).isEqualTo("unauthorized");
        assertThat(bad.error().path("message").asText()).isEqualTo("Access Token Invalid");
        assertThat(bad.header("X-RateLimit-Limit")).isNull();
        try (IntercomHttp anonymous = new IntercomHttp(simulator.baseUrl(), null)) {
            IntercomHttp.Reply missing = anonymous.get("/contacts/" + SeedData.intercomId(0));
            assertThat(missing.status()).isEqualTo(401);
            assertThat(missing.error().path("code").asText()).isEqualTo("unauthorized");
        }
        assertThat(simulator.requestCount()).isZero();
    }

    @Test
    void everyAuthenticatedAnswerCarriesTheRateLimitHeaders() {
        IntercomHttp.Reply ok = intercom.get("/contacts?per_page=1");
        assertThat(ok.header("X-RateLimit-Limit")).isEqualTo("1667");
        assertThat(Integer.parseInt(ok.header("X-RateLimit-Remaining"))).isBetween(0, 1666);
        assertThat(Long.parseLong(ok.header("X-RateLimit-Reset"))).isGreaterThanOrEqualTo(System.currentTimeMillis() / 1000);
        IntercomHttp.Reply notFound = intercom.get("/nowhere");
        assertThat(notFound.status()).isEqualTo(404);
        assertThat(notFound.error().path("code").asText()).isEqualTo("not_found");
        assertThat(notFound.header("X-RateLimit-Limit")).isEqualTo("1667");
        assertThat(simulator.requestCount()).isEqualTo(2);
    }

    @Test
    void pastTheLimitTheAnswerIs429WithTheHeaders() {
        simulator.setRateLimitPerMinute(12); // 2 per 10-second window
        IntercomHttp.Reply limited = null;
        for (int i = 0; i < 10 && limited == null; i++) {
            IntercomHttp.Reply reply = intercom.get("/contacts?per_page=1");
            if (reply.status() == 429) {
                limited = reply;
            } else {
                assertThat(reply.status()).isEqualTo(200);
            }
        }
        assertThat(limited).isNotNull();
        assertThat(limited.error().path("code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(limited.error().path("message").asText()).isEqualTo("Exceeded rate limit of 2 in 10_seconds");
        assertThat(limited.header("X-RateLimit-Limit")).isEqualTo("2");
        assertThat(limited.header("X-RateLimit-Remaining")).isEqualTo("0");
        long reset = Long.parseLong(limited.header("X-RateLimit-Reset"));
        long now = System.currentTimeMillis() / 1000;
        assertThat(reset).isBetween(now, now + 10);
        assertThat(simulator.rateLimitedCount()).isGreaterThanOrEqualTo(1);
        assertThat(simulator.requestCount()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void anUnknownApiVersionIsRefusedAndTheSupportedOnesAccepted() {
        for (String version : new String[] {"2.11", "2.12", "2.13", "2.14"}) {
            assertThat(intercom.call("GET", "/contacts?per_page=1", null, Map.of("Intercom-Version", version)).status()).isEqualTo(200);
        }
        IntercomHttp.Reply reply = intercom.call("GET", "/contacts", null, Map.of("Intercom-Version", "9.99"));
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.error().path("code").asText()).isEqualTo("intercom_version_invalid");
    }

    @Test
    void perPageAboveTheMaximumAndForeignCursorsAreBadRequests() {
        assertThat(intercom.get("/contacts?per_page=150").status()).isEqualTo(200);
        IntercomHttp.Reply tooMany = intercom.get("/contacts?per_page=151");
        assertThat(tooMany.status()).isEqualTo(400);
        assertThat(tooMany.error().path("code").asText()).isEqualTo("parameter_invalid");
        IntercomHttp.Reply cursor = intercom.get("/contacts?starting_after=bm90LWEtY3Vyc29y");
        assertThat(cursor.status()).isEqualTo(400);
        assertThat(cursor.error().path("code").asText()).isEqualTo("client_error");
        assertThat(cursor.error().path("message").asText()).startsWith("Invalid starting_after param");
    }

    @Test
    void injectedFaultsAnswerAsIntercomFailures() throws Exception {
        simulator.faults().update(Map.of("serverErrorRate", 1.0));
        IntercomHttp.Reply error = intercom.get("/contacts");
        assertThat(error.status()).isIn(500, 503);
        assertThat(error.error().path("code").asText()).isIn("server_error", "service_unavailable");
        assertThat(error.header("X-RateLimit-Limit")).isNotNull();

        simulator.faults().set(0, 0, 1.0, 0);
        IntercomHttp.Reply tooMany = intercom.get("/contacts");
        assertThat(tooMany.status()).isEqualTo(429);
        assertThat(tooMany.error().path("code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(tooMany.header("X-RateLimit-Remaining")).isEqualTo("0");

        simulator.faults().set(0, 0, 0, 1.0);
        HttpClient plain = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create(simulator.baseUrl() + "/contacts"))
                .header("Authorization", "Bearer sandbox-token").build();
        assertThatThrownBy(() -> plain.send(request, HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(java.io.IOException.class);

        simulator.faults().set(0, 0, 0, 0);
        assertThat(intercom.get("/contacts").status()).isEqualTo(200);
    }

    @Test
    void theControlEndpointShowsAndChangesTheSimulator() throws Exception {
        HttpClient plain = HttpClient.newHttpClient();
        HttpResponse<String> rate = plain.send(post("/sandbox/rate-limit", "{\"perMinute\": 600}"), HttpResponse.BodyHandlers.ofString());
        assertThat(rate.statusCode()).isEqualTo(200);
        assertThat(intercom.get("/contacts?per_page=1").header("X-RateLimit-Limit")).isEqualTo("100");

        HttpResponse<String> faults = plain.send(post("/sandbox/faults", "{\"latencyMillis\": 5}"), HttpResponse.BodyHandlers.ofString());
        assertThat(faults.statusCode()).isEqualTo(200);
        assertThat(simulator.faults().asMap()).containsEntry("latencyMillis", 5L);

        HttpResponse<String> webhook = plain.send(post("/sandbox/webhook", "{\"url\": \"http://127.0.0.1:9/hook\"}"), HttpResponse.BodyHandlers.ofString());
        assertThat(webhook.statusCode()).isEqualTo(200);

        HttpResponse<String> state = plain.send(HttpRequest.newBuilder(URI.create(simulator.baseUrl() + "/sandbox/state")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(state.statusCode()).isEqualTo(200);
        var json = IntercomHttp.MAPPER.readTree(state.body());
        assertThat(json.path("rateLimit").path("perMinute").asInt()).isEqualTo(600);
        assertThat(json.path("rateLimit").path("perWindow").asInt()).isEqualTo(100);
        assertThat(json.path("webhook").path("url").asText()).isEqualTo("http://127.0.0.1:9/hook");
        assertThat(json.path("requestCount").asLong()).isEqualTo(1);
        assertThat(json.path("faults").path("latencyMillis").asLong()).isEqualTo(5);

        for (String[] bad : new String[][] {{"/sandbox/rate-limit", "{\"perMinute\": 0}"}, {"/sandbox/rate-limit", "{"},
            {"/sandbox/faults", "{\"serverErrorRate\": 2}"}, {"/sandbox/faults", "{\"latencyMillis\": \"slow\"}"},
            {"/sandbox/webhook", "{\"url\": 5}"}, {"/sandbox/webhook", "[]"}}) {
            HttpResponse<String> refused = plain.send(post(bad[0], bad[1]), HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).as(bad[0] + " " + bad[1]).isEqualTo(400);
            assertThat(IntercomHttp.MAPPER.readTree(refused.body()).path("error").asText()).isNotEmpty();
        }
    }

    private HttpRequest post(String path, String body) {
        return HttpRequest.newBuilder(URI.create(simulator.baseUrl() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }
}

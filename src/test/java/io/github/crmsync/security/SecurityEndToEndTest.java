package io.github.crmsync.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.crmsync.intercom.WebhookSignature;
import io.github.crmsync.sandbox.seed.SeedPerson;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.IntercomClientForTests;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.SandboxPairValues;
import io.github.crmsync.testing.SimulatedWorld;
import io.github.crmsync.testing.WholeService;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The service attacked the way a hostile client would: the management port, request headers and
 * query parameters that steer Camel, replayed webhooks and canvas requests, oversized bodies, and
 * secrets read through every MBean Jolokia lets through. Every attack is refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecurityEndToEndTest {

    static final String OPERATOR = "operator";
    static final String OPERATOR_PASSWORD = "test-operator-password";
    private static final String CONTEXT_MBEAN = "org.apache.camel:context=crmsync,type=context,name=\"crmsync\"";
    private static final String SERVICE_MBEAN = "io.github.crmsync:type=service,name=crmsync";
    private static final String CLIENT_SECRET = "sandbox-webhook-secret";

    /** Where an attacker would like to write a file (it must stay empty). */
    @TempDir
    static Path dataDir;
    @RegisterExtension
    static final WholeService whole = WholeService.inWorld(500)
            .with("camel.main.jmxEnabled", "true")
            .with("crmsync.operator.username", OPERATOR)
            .with("crmsync.operator.password", OPERATOR_PASSWORD)
            .withSandboxMappings();
    private SimulatedWorld world;
    private RunningService service;
    private IntercomClientForTests intercom;
    private final List<String> queries = new CopyOnWriteArrayList<>();

    @BeforeAll
    void start() throws Exception {
        world = whole.world();
        service = whole.service();
        intercom = new IntercomClientForTests(world.intercom.baseUrl());
        world.salesforce.onQuery(queries::add);
    }

    // --- 1. the management port ---------------------------------------------------------------------

    @Test
    void theManagementPortAnswersNothingButHealthAndMetricsWithoutTheOperatorLogin() {
        Http.Answer steal = jolokiaAs(null, Map.of("type", "exec", "mbean", CONTEXT_MBEAN, "operation", "requestBody",
                "arguments", List.of("bean:serviceSettings?method=adminPassword", "x")));
        assertThat(steal.body()).as("the admin password through the CamelContext MBean")
                .doesNotContain(RunningService.ADMIN_PASSWORD);
        assertThat(steal.status()).as(steal.body()).isEqualTo(401);
        assertThat(Http.withoutLogin().get(service.managementUrl() + "/observe/jolokia/version").status()).isEqualTo(401);
        assertThat(Http.withoutLogin().get(service.managementUrl() + "/observe/jolokia/read/" + SERVICE_MBEAN + "/Tier",
                "Authorization", basic(OPERATOR, "guess")).status()).isEqualTo(401);

        assertThat(Http.withoutLogin().get(service.managementUrl() + "/observe/health").status()).isEqualTo(200);
        assertThat(Http.withoutLogin().get(service.managementUrl() + "/observe/health/ready").status()).isEqualTo(200);
        assertThat(Http.withoutLogin().get(service.managementUrl() + "/observe/metrics").status()).isEqualTo(200);

        Http.Answer version = Http.withoutLogin().get(service.managementUrl() + "/observe/jolokia/version",
                "Authorization", basic(OPERATOR, OPERATOR_PASSWORD));
        assertThat(version.status()).as("the operator gets in").isEqualTo(200);
    }

    @Test
    void aPageInTheOperatorsBrowserCannotDriveJolokia() {
        String exec = Http.json(Map.of("type", "exec", "mbean", SERVICE_MBEAN, "operation", "pollNow"));
        // a simple cross-site request (text/plain POST, GET) with the browser's remembered login
        Http.Answer post = Http.withoutLogin().post(service.managementUrl() + "/observe/jolokia", exec,
                "Content-Type", "text/plain", "Origin", "https://evil.example", "Authorization", basic(OPERATOR, OPERATOR_PASSWORD));
        assertThat(post.status()).as(post.body()).isEqualTo(403);
        Http.Answer get = Http.withoutLogin().get(service.managementUrl() + "/observe/jolokia/exec/" + SERVICE_MBEAN + "/pollNow",
                "Sec-Fetch-Site", "cross-site", "Authorization", basic(OPERATOR, OPERATOR_PASSWORD));
        assertThat(get.status()).as(get.body()).isEqualTo(403);
    }

    @Test
    void theOperatorCanRunRoutesAndTheServiceButCannotSendMessagesCreateEndpointsOrWriteCamel() {
        String route = "org.apache.camel:context=crmsync,type=routes,name=\"inbox-salesforce-query\"";
        JsonNode reset = operator(Map.of("type", "exec", "mbean", route, "operation", "reset()"));
        assertThat(reset.path("status").asInt()).as(reset.toString()).isEqualTo(200);
        // overloaded operations (suspend, stop, reset) are named with their signature, as Hawtio sends them;
        // suspend(long) and stop(long) take a timeout in seconds
        for (List<Object> lifecycle : List.<List<Object>>of(List.of("suspend()", List.of(), "Suspended"),
                List.of("resume", List.of(), "Started"), List.of("suspend(long)", List.of(5), "Suspended"),
                List.of("resume()", List.of(), "Started"), List.of("stop()", List.of(), "Stopped"),
                List.of("start", List.of(), "Started"), List.of("stop(long)", List.of(5), "Stopped"),
                List.of("start()", List.of(), "Started"))) {
            JsonNode answer = operator(Map.of("type", "exec", "mbean", route, "operation", lifecycle.get(0),
                    "arguments", lifecycle.get(1)));
            assertThat(answer.path("status").asInt()).as(lifecycle.get(0) + ": " + answer).isEqualTo(200);
            assertThat(operator(Map.of("type", "read", "mbean", route, "attribute", "State")).path("value").asText())
                    .as("the route's state after " + lifecycle.get(0)).isEqualTo(lifecycle.get(2));
        }

        for (Map<String, Object> forbidden : List.<Map<String, Object>>of(
                Map.of("type", "exec", "mbean", CONTEXT_MBEAN, "operation", "requestBody",
                        "arguments", List.of("bean:serviceSettings?method=adminPassword", "x")),
                Map.of("type", "exec", "mbean", CONTEXT_MBEAN, "operation", "sendBody",
                        "arguments", List.of("file:" + dataDir + "?fileName=owned.txt", "owned")),
                Map.of("type", "exec", "mbean", CONTEXT_MBEAN, "operation", "createEndpoint",
                        "arguments", List.of("log:owned")),
                Map.of("type", "write", "mbean", route, "attribute", "Tracing", "value", true),
                Map.of("type", "exec", "mbean", SERVICE_MBEAN, "operation", "toString"))) {
            JsonNode answer = operator(forbidden);
            assertThat(answer.path("status").asInt()).as(forbidden + " -> " + answer).isEqualTo(403);
            assertThat(answer.toString()).doesNotContain(RunningService.ADMIN_PASSWORD, CLIENT_SECRET);
        }
        assertThat(dataDir.resolve("owned.txt")).doesNotExist();

        JsonNode written = operator(Map.of("type", "write", "mbean", SERVICE_MBEAN, "attribute", "Allocation", "value", 12345));
        assertThat(written.path("status").asInt()).as(written.toString()).isEqualTo(200);
        assertThat(Http.get(service.serviceUrl() + "/api/settings").json().path("allocation").asLong()).isEqualTo(12345);
        operator(Map.of("type", "write", "mbean", SERVICE_MBEAN, "attribute", "Allocation", "value", 0));
    }

    @Test
    void noSecretLeavesThroughAnyAttributeOfAnyMBeanJolokiaLetsThrough() {
        List<String> secrets = List.of(RunningService.ADMIN_PASSWORD, OPERATOR_PASSWORD, CLIENT_SECRET, "sandbox-secret",
                "sandbox-token", "embedded-postgres-trusts-local-connections");
        JsonNode list = operator(Map.of("type", "list", "config", Map.of("maxDepth", 2)));
        assertThat(list.path("status").asInt()).as(list.toString()).isEqualTo(200);
        List<String> mbeans = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> domains = list.path("value").fields(); domains.hasNext(); ) {
            Map.Entry<String, JsonNode> domain = domains.next();
            domain.getValue().fieldNames().forEachRemaining(name -> mbeans.add(domain.getKey() + ":" + name));
        }
        assertThat(mbeans).contains(SERVICE_MBEAN);
        int read = 0;
        for (String mbean : mbeans) {
            JsonNode answer = operator(Map.of("type", "read", "mbean", mbean, "config", Map.of("ignoreErrors", true)));
            if (answer.path("status").asInt() == 200) {
                read++;
            }
            String text = answer.toString();
            for (String secret : secrets) {
                assertThat(text).as(mbean + " must not show a secret").doesNotContain(secret);
            }
        }
        assertThat(read).as("attributes of many MBeans were read").isGreaterThan(20);
    }

    // --- 6. request headers and query parameters -----------------------------------------------------

    @Test
    void aRequestHeaderCannotRunItsOwnSoqlThroughAnApiCall() {
        queries.clear();
        Http.Answer run = Http.post(service.serviceUrl() + "/api/event-sync/run", "",
                "sObjectQuery", "SELECT Id, Email FROM Contact WHERE LastName != 'injected-by-header'");
        assertThat(run.status()).as(run.body()).isEqualTo(200);
        assertThat(queries).as("queries Salesforce received").isNotEmpty().noneMatch(q -> q.contains("injected-by-header"));
    }

    @Test
    void aWebhookSignatureInTheQueryStringIsNotASignature() {
        byte[] body = notification("notif_query_" + System.nanoTime(), Instant.now(), Map.of("type", "contact", "id",
                "no-such-contact", "role", "user", "updated_at", Instant.now().getEpochSecond()));
        String signature = new WebhookSignature(CLIENT_SECRET).hubSignature(body);
        Http.Answer answer = Http.withoutLogin().postBytes(service.serviceUrl() + "/intercom/webhooks?X-Hub-Signature="
                + signature, body);
        assertThat(answer.status()).as(answer.body()).isEqualTo(401);
    }

    @Test
    void queryParametersDoNotComeBackAsResponseHeaders() {
        Http.Answer answer = Http.get(service.serviceUrl() + "/api/settings?Set-Cookie=owned%3D1&X-Frame-Options=ALLOW");
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.response().headers().allValues("Set-Cookie")).isEmpty();
        assertThat(answer.response().headers().firstValue("X-Frame-Options")).hasValue("DENY");
    }

    // --- 4. replayed webhooks ------------------------------------------------------------------------

    @Test
    void aReplayedWebhookNeverOverwritesANewerValue() {
        // in step from Salesforce to Intercom: the last poll below has nothing to write to this contact,
        // whose real Intercom plan (never the notifications' made-up ones) would come back in the
        // notification of such a write, newer than both
        SeedPerson p = world.unusedPerson(SimulatedWorld.inBoth(false).and(x -> !"Free".equals(x.salesforce().fields().get("Plan__c"))
                && !"Team".equals(x.salesforce().fields().get("Plan__c")) && SandboxPairValues.salesforceToIntercomInStep(world, x)));
        JsonNode contact = intercom.get(p.intercom().id());
        long updatedAt = contact.path("updated_at").asLong() + 10;
        byte[] first = notification("notif_replay_1_" + p.index(), Instant.now(), withPlan(contact, "Free", updatedAt));
        byte[] second = notification("notif_replay_2_" + p.index(), Instant.now(), withPlan(contact, "Team", updatedAt + 5));

        assertThat(webhook(first).json().path("stored").asBoolean()).isTrue();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(salesforceValue(p, "Plan__c")).isEqualTo("Free"));
        assertThat(webhook(second).json().path("stored").asBoolean()).isTrue();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(salesforceValue(p, "Plan__c")).isEqualTo("Team"));

        Http.Answer replay = webhook(first);
        assertThat(replay.status()).isIn(200, 400);
        assertThat(replay.json().path("stored").asBoolean(false)).as(replay.body()).isFalse();
        Http.Answer oldOne = webhook(notification("notif_replay_old_" + p.index(), Instant.now().minus(Duration.ofHours(2)),
                withPlan(contact, "Free", updatedAt + 60)));
        assertThat(oldOne.status()).as("a notification sent two hours ago").isEqualTo(400);
        assertThat(oldOne.json().path("error").asText()).contains("created_at");
        Http.Answer stale = webhook(notification("notif_replay_stale_" + p.index(), Instant.now(),
                withPlan(contact, "Free", updatedAt)));
        assertThat(stale.json().path("stored").asBoolean(true)).as("an older version of the contact: " + stale.body()).isFalse();

        Http.Answer run = Http.post(service.serviceUrl() + "/api/event-sync/run", "");
        assertThat(run.status()).isEqualTo(200);
        assertThat(salesforceValue(p, "Plan__c")).as("the newer value stays").isEqualTo("Team");
    }

    // --- 5. bodies -----------------------------------------------------------------------------------

    @Test
    void oversizedBodiesAreRefusedWith413BeforeTheyAreRead() {
        byte[] big = new byte[300 * 1024];
        java.util.Arrays.fill(big, (byte) 'a');
        assertThat(Http.withoutLogin().postBytes(service.serviceUrl() + "/intercom/webhooks", big).status()).isEqualTo(413);
        assertThat(Http.withoutLogin().postBytes(service.serviceUrl() + "/intercom/canvas/initialize", big).status())
                .isEqualTo(413);
        byte[] api = new byte[1100 * 1024];
        java.util.Arrays.fill(api, (byte) ' ');
        assertThat(Http.postBytes(service.serviceUrl() + "/api/mappings/validate", api).status()).isEqualTo(413);
        // a body sent in chunks, without a length to refuse it by up front, is cut off at the limit too
        assertThat(chunked(service.serviceUrl() + "/api/mappings/validate", 2 * 1024 * 1024)).isEqualTo(413);
        assertThat(Http.withoutLogin().get(service.managementUrl() + "/observe/health").status()).as("still up").isEqualTo(200);
    }

    // --- 7. the inbox canvas -------------------------------------------------------------------------

    @Test
    void aReplayedCanvasRequestCostsNoSalesforceCall() {
        SeedPerson p = world.unusedPerson(SimulatedWorld.inBoth(false));
        JsonNode contact = intercom.get(p.intercom().id());
        byte[] body = Http.json(Map.of("workspace_id", "ws", "contact", Map.of("id", p.intercom().id(), "role",
                contact.path("role").asText(), "email", contact.path("email").asText()))).getBytes(StandardCharsets.UTF_8);
        String signature = new WebhookSignature(CLIENT_SECRET).bodySignature(body);
        queries.clear();
        for (int i = 0; i < 5; i++) {
            Http.Answer card = Http.postBytes(service.serviceUrl() + "/intercom/canvas/initialize", body, "X-Body-Signature", signature);
            assertThat(card.status()).as(card.body()).isEqualTo(200);
        }
        assertThat(queries).as("Salesforce queries for five identical canvas requests").hasSize(1);
    }

    // --- helpers -------------------------------------------------------------------------------------

    private Object salesforceValue(SeedPerson p, String field) {
        return world.salesforce.record(p.salesforce().type(), p.salesforce().id()).orElseThrow().get(field);
    }

    private static Map<String, Object> withPlan(JsonNode contact, String plan, long updatedAt) {
        ObjectNode copy = contact.deepCopy();
        ((ObjectNode) copy.path("custom_attributes")).put("plan", plan);
        copy.put("updated_at", updatedAt);
        @SuppressWarnings("unchecked")
        Map<String, Object> map = new com.fasterxml.jackson.databind.ObjectMapper().convertValue(copy, Map.class);
        return map;
    }

    static byte[] notification(String id, Instant createdAt, Map<String, Object> item) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("type", "notification_event");
        event.put("id", id);
        event.put("topic", "contact.user.updated");
        event.put("delivery_attempts", 1);
        event.put("first_sent_at", createdAt.getEpochSecond());
        event.put("created_at", createdAt.getEpochSecond());
        event.put("data", Map.of("type", "notification_event_data", "item", item));
        return Http.json(event).getBytes(StandardCharsets.UTF_8);
    }

    private Http.Answer webhook(byte[] body) {
        return Http.postBytes(service.serviceUrl() + "/intercom/webhooks", body,
                "X-Hub-Signature", new WebhookSignature(CLIENT_SECRET).hubSignature(body));
    }

    private JsonNode operator(Map<String, Object> request) {
        return jolokiaAs(basic(OPERATOR, OPERATOR_PASSWORD), request).json();
    }

    private Http.Answer jolokiaAs(String authorization, Map<String, Object> request) {
        return authorization == null
                ? Http.withoutLogin().post(service.managementUrl() + "/observe/jolokia", Http.json(request))
                : Http.withoutLogin().post(service.managementUrl() + "/observe/jolokia", Http.json(request),
                "Authorization", authorization);
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** Status of a POST whose body of {@code size} bytes is streamed without a Content-Length. */
    private static int chunked(String url, int size) {
        byte[] chunk = new byte[64 * 1024];
        java.util.Arrays.fill(chunk, (byte) ' ');
        int chunks = size / chunk.length;
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").header("Authorization", basic(RunningService.ADMIN_USER,
                        RunningService.ADMIN_PASSWORD))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.SequenceInputStream(
                        java.util.Collections.enumeration(java.util.Collections.nCopies(chunks, chunk).stream()
                                .map(java.io.ByteArrayInputStream::new).toList())))).build();
        try {
            return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException e) {
            return 413; // the server may close the connection once it has answered
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

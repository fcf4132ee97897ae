package io.github.crmsync.bulksync;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.crmsync.sandbox.salesforce.SalesforceSimulator;
import io.github.crmsync.testing.Http;
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

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The bulk-sync preview through the real service and both simulators: it waits for the API tier and
 * holds the one-at-a-time lock as a run does, writes nothing anywhere, and a run started from it with
 * nothing changed in between updates exactly the records and fields it counted, spending the
 * Salesforce calls and Intercom requests it said. Bad requests are refused naming what is wrong.
 * Every answer is checked against the API's OpenAPI description (testing/Http).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BulkPreviewEndToEndTest {

    private static final String LIMITS = "GET/services/data/{id}/limits";

    @RegisterExtension
    static final WholeService whole = WholeService.inWorld(400)
            .with("crmsync.bulk.capacity-check-ms", "200")
            // the org's usage is read every second while idle, so that a preview can be held waiting for capacity
            .with("crmsync.quota.limits-poll-cron", "0/1 * * * * ?")
            .with("crmsync.quota.limits-poll-idle-ms", "500")
            .withSandboxMappings();
    private SimulatedWorld world;
    private RunningService service;
    private long previewId;

    @BeforeAll
    void start() {
        world = whole.world();
        service = whole.service();
        // the run's own Intercom writes notify nobody: every call counted below is the bulk sync's
        world.intercom.setWebhookUrl(null);
    }

    @Test
    @Order(1)
    void aPreviewWaitsForTheTierHoldsTheLockAndWritesNothing() throws Exception {
        long sfWrites = world.salesforce.writeCount();
        long icWrites = world.intercom.writeCount();
        long links = count("SELECT count(*) FROM record_link");
        long errors = count("SELECT count(*) FROM sync_error");
        world.salesforce.addApiRequests(SalesforceSimulator.OTHER_CLIENT_ID, 50_000);
        try {
            previewHeldByTheTier();
        } finally {
            world.salesforce.resetApiRequests();
        }

        JsonNode done = awaitPreview(previewId);
        assertThat(done.path("preview").path("status").asText()).as(done.toString()).isEqualTo("COMPLETED");
        JsonNode figures = done.path("figures");
        assertThat(figures.path("pairsInCommon").asLong()).isGreaterThan(100);
        assertThat(figures.path("ambiguousMatches").asLong()).as("the seed's duplicate e-mails").isPositive();
        assertThat(records(figures, "INTERCOM_TO_SALESFORCE")).isPositive();
        assertThat(records(figures, "SALESFORCE_TO_INTERCOM")).isPositive();
        for (JsonNode direction : figures.path("directions")) {
            for (JsonNode field : direction.path("fields")) {
                assertThat(field.path("samples").size()).as(field.toString())
                        .isEqualTo((int) Math.min(20, field.path("records").asLong()));
                JsonNode sample = field.path("samples").get(0);
                assertThat(sample.path("salesforceId").asText()).hasSize(18);
                assertThat(sample.path("intercomId").asText()).isNotBlank();
                assertThat(sample.path("after").asText(null)).isNotEqualTo(sample.path("before").asText(null));
            }
        }
        assertThat(figures.path("duration").path("expectedSeconds").asDouble()).isPositive();
        assertThat(figures.path("duration").path("intercomLimitPerWindow").asLong()).as("from X-RateLimit-Limit").isPositive();
        assertThat(figures.path("duration").path("intercomLatencyFrom").asText()).as("no contact written yet").isEqualTo("NONE");

        assertThat(world.salesforce.writeCount()).as("nothing written to Salesforce").isEqualTo(sfWrites);
        assertThat(world.intercom.writeCount()).as("nothing written to Intercom").isEqualTo(icWrites);
        assertThat(count("SELECT count(*) FROM record_link")).as("no link made").isEqualTo(links);
        assertThat(count("SELECT count(*) FROM sync_error")).as("no sync error recorded").isEqualTo(errors);
        assertThat(count("SELECT count(*) FROM bulk_stage_salesforce") + count("SELECT count(*) FROM bulk_stage_intercom")
                + count("SELECT count(*) FROM bulk_stage_link")).as("its staging cleared").isZero();
        assertThat(Http.get(url("/api/bulk-sync/runs?limit=50")).json().path("runs").findValuesAsText("kind"))
                .as("runs list no previews").doesNotContain("PREVIEW");
    }

    @Test
    @Order(2)
    void aRunStartedFromThePreviewDoesWhatThePreviewSaid() throws Exception {
        JsonNode figures = preview(previewId).path("figures");
        long sfCalls = salesforceCallsSoFar();
        long icRequests = world.intercom.requestCount();
        long sfWrites = world.salesforce.writeCount();
        long icWrites = world.intercom.writeCount();

        Http.Answer started = Http.post(url("/api/bulk-sync"), "{\"previewId\":" + previewId + "}");
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        long runId = started.json().path("id").asLong();
        assertThat(started.json().path("kind").asText()).isEqualTo("RUN");
        assertThat(started.json().path("previewId").asLong()).isEqualTo(previewId);
        JsonNode run = awaitRun(runId);
        assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("COMPLETED");

        assertThat(run.path("updatedInSalesforce").asLong()).isEqualTo(records(figures, "INTERCOM_TO_SALESFORCE"))
                .isEqualTo(world.salesforce.writeCount() - sfWrites);
        assertThat(run.path("updatedInIntercom").asLong()).isEqualTo(records(figures, "SALESFORCE_TO_INTERCOM"))
                .isEqualTo(world.intercom.writeCount() - icWrites);
        assertThat(run.path("unchanged").asLong()).isEqualTo(figures.path("unchanged").asLong());
        assertThat(historyByField(runId)).as("the run's writes per direction, object and field")
                .isEqualTo(previewByField(figures));
        // the first sample of each field is what the run wrote there, the value before included
        for (JsonNode direction : figures.path("directions")) {
            for (JsonNode field : direction.path("fields")) {
                JsonNode sample = field.path("samples").get(0);
                assertThat(history(runId, direction.path("direction").asText(), sample.path("salesforceId").asText(),
                        field.path("field").asText())).isEqualTo(new String[] {sample.path("before").asText(null),
                        sample.path("after").asText(null)});
            }
        }
        JsonNode cost = figures.path("cost");
        assertThat(salesforceCallsSoFar() - sfCalls).as("Salesforce calls, the simulator's count")
                .isEqualTo(cost.path("salesforceCalls").asLong()).isEqualTo(run.path("salesforceCalls").asLong());
        assertThat(world.intercom.requestCount() - icRequests).as("Intercom requests, the simulator's count")
                .isEqualTo(cost.path("intercomRequests").asLong()).isEqualTo(run.path("intercomRequests").asLong());
        assertThat(cost.path("salesforceWritePath").asText()).isEqualTo("COLLECTIONS");
    }

    @Test
    @Order(3)
    void aRunFromAPreviewWhoseMappingsChangedSinceIsRefused() {
        Http.Answer started = Http.post(url("/api/bulk-sync/preview"), "");
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        long id = started.json().path("preview").path("id").asLong();
        JsonNode done = awaitPreview(id);
        assertThat(done.path("preview").path("status").asText()).isEqualTo("COMPLETED");
        assertThat(done.path("figures").path("duration").path("intercomLatencyFrom").asText())
                .as("the run before wrote contacts: their time").isEqualTo("WRITES");
        assertThat(done.path("figures").path("directions").get(0).path("records").asLong()).as("all in step now").isZero();
        JsonNode mapping = Http.get(url("/api/mappings")).json().path("mappings").get(0);
        assertThat(Http.delete(url("/api/mappings/" + mapping.path("id").asLong())).status()).isEqualTo(200);

        Http.Answer refused = Http.post(url("/api/bulk-sync"), "{\"previewId\":" + id + "}");
        assertThat(refused.status()).as(refused.body()).isEqualTo(409);
        assertThat(refused.json().path("error").asText()).contains("mappings have changed since preview " + id);
        assertThat(Http.get(url("/api/bulk-sync/current")).json().path("run").isNull()).as("nothing started").isTrue();
    }

    @Test
    @Order(4)
    void badRequestsAreRefusedNamingTheParameter() {
        Http.Answer notNumber = Http.get(url("/api/bulk-sync/preview/abc"));
        assertThat(notNumber.status()).isEqualTo(400);
        assertThat(notNumber.json().path("error").asText()).startsWith("id must be");
        assertThat(Http.get(url("/api/bulk-sync/preview/0")).status()).isEqualTo(400);
        Http.Answer unknown = Http.get(url("/api/bulk-sync/preview/987654"));
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().path("error").asText()).isEqualTo("No bulk sync preview 987654");
        long aRun = Http.get(url("/api/bulk-sync/runs?limit=1")).json().path("runs").get(0).path("id").asLong();
        assertThat(Http.get(url("/api/bulk-sync/preview/" + aRun)).status()).as("a run is no preview").isEqualTo(404);

        for (String body : new String[] {"{\"previewId\":-3}", "{\"previewId\":\"soon\"}", "{\"previewId\":" + aRun + "}",
                "{\"previewId\":987654}"}) {
            Http.Answer refused = Http.post(url("/api/bulk-sync"), body);
            assertThat(refused.status()).as(body + ": " + refused.body()).isEqualTo(400);
            assertThat(refused.json().path("error").asText()).as(body).contains("previewId");
        }
        Http.Answer blank = Http.post(url("/api/bulk-sync/preview"), "{\"startedBy\":\" \"}");
        assertThat(blank.status()).isEqualTo(400);
        assertThat(blank.json().path("error").asText()).contains("startedBy");
        Http.Answer notJson = Http.post(url("/api/bulk-sync/preview"), "{\"startedBy\":");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(Http.get(url("/api/bulk-sync/current")).json().path("run").isNull()).as("nothing started").isTrue();
    }

    @Test
    @Order(5)
    void withoutCredentialsTheApiAnswers401() {
        Http.Answer post = Http.withoutLogin().post(url("/api/bulk-sync/preview"), "");
        assertThat(post.status()).isEqualTo(401);
        assertThat(post.json().path("error").asText()).isNotBlank();
        Http.Answer get = Http.withoutLogin().get(url("/api/bulk-sync/preview/" + previewId));
        assertThat(get.status()).isEqualTo(401);
        assertThat(get.json().path("error").asText()).isNotBlank();
        assertThat(get.body()).doesNotContain("pairsInCommon");
    }

    // ------------------------------------------------------------------ helpers

    /**
     * With the org past the bulk-sync tier (as a start request reads it), a preview is accepted and
     * waits for capacity; meanwhile a second preview and a run are refused naming the preview.
     */
    private void previewHeldByTheTier() {
        await().atMost(Duration.ofSeconds(60)).until(() -> !Http.get(url("/api/bulk-sync/current")).json()
                .path("canStart").asBoolean());
        Http.Answer started = Http.post(url("/api/bulk-sync/preview"), "{\"startedBy\":\"e2e\"}");
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        previewId = started.json().path("preview").path("id").asLong();
        assertThat(started.json().path("preview").path("kind").asText()).isEqualTo("PREVIEW");
        assertThat(started.json().path("preview").path("startedBy").asText()).isEqualTo("e2e");
        assertThat(started.json().path("figures").isNull()).isTrue();
        await().atMost(Duration.ofSeconds(60)).until(() -> "WAITING_FOR_CAPACITY".equals(preview(previewId).path("preview")
                .path("status").asText()));

        Http.Answer second = Http.post(url("/api/bulk-sync/preview"), "");
        assertThat(second.status()).as(second.body()).isEqualTo(409);
        assertThat(second.json().path("error").asText()).isEqualTo("A bulk sync or preview is already running");
        assertThat(second.json().path("runId").asLong()).isEqualTo(previewId);
        Http.Answer run = Http.post(url("/api/bulk-sync"), "");
        assertThat(run.status()).as("no run while a preview is active").isEqualTo(409);
        assertThat(run.json().path("runId").asLong()).isEqualTo(previewId);
        JsonNode current = Http.get(url("/api/bulk-sync/current")).json();
        assertThat(current.path("canStart").asBoolean()).isFalse();
        assertThat(current.path("cannotStartReason").asText()).contains("preview " + previewId);
    }

    private static long records(JsonNode figures, String direction) {
        for (JsonNode d : figures.path("directions")) {
            if (d.path("direction").asText().equals(direction)) {
                return d.path("records").asLong();
            }
        }
        throw new AssertionError("no direction " + direction + " in " + figures);
    }

    private static Map<String, Long> previewByField(JsonNode figures) {
        Map<String, Long> byField = new HashMap<>();
        for (JsonNode d : figures.path("directions")) {
            for (JsonNode f : d.path("fields")) {
                byField.put(d.path("direction").asText() + " " + f.path("objectType").asText() + " " + f.path("field").asText(),
                        f.path("records").asLong());
            }
        }
        return byField;
    }

    private Map<String, Long> historyByField(long runId) throws Exception {
        Map<String, Long> byField = new HashMap<>();
        try (Connection c = database(); PreparedStatement select = c.prepareStatement("SELECT direction || ' ' || object_type "
                + "|| ' ' || field, count(*) FROM change_history WHERE bulk_run_id = ? GROUP BY 1")) {
            select.setLong(1, runId);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    byField.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        return byField;
    }

    private String[] history(long runId, String direction, String salesforceId, String field) throws Exception {
        try (Connection c = database(); PreparedStatement select = c.prepareStatement("SELECT old_value, new_value "
                + "FROM change_history WHERE bulk_run_id = ? AND direction = ? AND salesforce_id = ? AND field = ?")) {
            select.setLong(1, runId);
            select.setString(2, direction);
            select.setString(3, salesforceId);
            select.setString(4, field);
            try (ResultSet rs = select.executeQuery()) {
                assertThat(rs.next()).as("history of " + salesforceId + " " + field).isTrue();
                return new String[] {rs.getString(1), rs.getString(2)};
            }
        }
    }

    /** The simulator's own count of the service's API calls, but the /limits reads of the tier check. */
    private long salesforceCallsSoFar() {
        return world.salesforce.apiRequestsByPath().entrySet().stream().filter(e -> !e.getKey().equals(LIMITS))
                .mapToLong(Map.Entry::getValue).sum();
    }

    private long count(String sql) throws Exception {
        try (Connection c = database(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private Connection database() throws Exception {
        return DriverManager.getConnection(world.database.jdbcUrl(), world.database.user(), "");
    }

    private JsonNode preview(long id) {
        Http.Answer answer = Http.get(url("/api/bulk-sync/preview/" + id));
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return answer.json();
    }

    private JsonNode awaitPreview(long id) {
        await().atMost(Duration.ofSeconds(120)).until(() -> !BulkRun.ACTIVE_STATUSES.contains(
                preview(id).path("preview").path("status").asText()));
        return preview(id);
    }

    private JsonNode awaitRun(long id) {
        await().atMost(Duration.ofSeconds(120)).until(() -> !BulkRun.ACTIVE_STATUSES.contains(run(id).path("status").asText()));
        return run(id);
    }

    private JsonNode run(long id) {
        for (JsonNode r : Http.get(url("/api/bulk-sync/runs?limit=20")).json().path("runs")) {
            if (r.path("id").asLong() == id) {
                return r;
            }
        }
        throw new AssertionError("run " + id + " not listed");
    }

    private String url(String path) {
        return service.serviceUrl() + path;
    }
}

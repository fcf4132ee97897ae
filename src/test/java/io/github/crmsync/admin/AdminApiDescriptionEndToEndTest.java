package io.github.crmsync.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.crmsync.testing.AdminApiContract;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.WholeService;
import org.apache.camel.model.Model;
import org.apache.camel.model.rest.RestDefinition;
import org.apache.camel.model.rest.VerbDefinition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin API's OpenAPI description: served at /api/openapi.json without a login, complete
 * (every REST operation with its parameters, request and response schemas and error answers), and
 * strict enough that the check every end-to-end test's answer goes through ({@link AdminApiContract},
 * via {@link Http}) refuses a wrong answer, naming the operation and the mismatch.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminApiDescriptionEndToEndTest {

    @RegisterExtension
    static final WholeService whole = WholeService.inWorld(200);
    private RunningService service;
    private String description;
    private JsonNode api;

    @BeforeAll
    void readDescription() {
        service = whole.service();
        Http.Answer answer = Http.withoutLogin().get(service.serviceUrl() + "/api/openapi.json");
        assertThat(answer.status()).as("the description needs no login").isEqualTo(200);
        description = answer.body();
        api = answer.json();
    }

    @Test
    void describesEveryOperationWithItsParametersBodiesAndErrors() {
        assertThat(api.path("openapi").asText()).startsWith("3.");
        assertThat(api.path("info").path("title").asText()).isNotBlank();
        List<String> problems = new ArrayList<>();
        List<VerbDefinition> verbs = service.context().getCamelContextExtension().getContextPlugin(Model.class)
                .getRestDefinitions().stream().map(RestDefinition::getVerbs).flatMap(List::stream).toList();
        assertThat(verbs).hasSizeGreaterThanOrEqualTo(18);
        for (VerbDefinition verb : verbs) {
            String path = verb.getRest().getPath() + verb.getPath();
            String method = verb.asVerb().toLowerCase(Locale.ROOT);
            JsonNode operation = api.path("paths").path(path).path(method);
            String name = method.toUpperCase(Locale.ROOT) + " " + path;
            if (operation.isMissingNode()) {
                problems.add(name + " is not described");
                continue;
            }
            if (operation.path("operationId").asText().isBlank() || operation.path("summary").asText().isBlank()) {
                problems.add(name + " has no operationId or summary");
            }
            for (String parameter : pathParameters(path)) {
                boolean described = false;
                for (JsonNode p : operation.path("parameters")) {
                    described |= p.path("in").asText().equals("path") && p.path("name").asText().equals(parameter);
                }
                if (!described) {
                    problems.add(name + " does not describe its path parameter " + parameter);
                }
            }
            if (verb.getType() != null && schema(operation.path("requestBody").path("content").path("application/json")) == null) {
                problems.add(name + " does not describe its request body");
            }
            boolean success = false;
            boolean unauthorized = false;
            var statuses = operation.path("responses").fieldNames();
            while (statuses.hasNext()) {
                String status = statuses.next();
                JsonNode schema = schema(operation.path("responses").path(status).path("content").path("application/json"));
                if (schema == null) {
                    problems.add(name + " answers " + status + " without a described body");
                }
                success |= status.startsWith("2");
                unauthorized |= status.equals("401");
            }
            if (!success || !unauthorized) {
                problems.add(name + " does not describe its success and its 401");
            }
        }
        api.path("components").path("schemas").fields().forEachRemaining(schema -> {
            if (schema.getValue().path("properties").isEmpty()) {
                problems.add("the schema " + schema.getKey() + " has no properties");
            }
        });
        assertThat(problems).isEmpty();
        assertThat(api.path("components").path("schemas").path("Error").path("required").toString()).contains("error");
    }

    @Test
    void theContractCheckRefusesAnAnswerThatDoesNotMatch() {
        AdminApiContract contract = AdminApiContract.of(description);
        Http.Answer runs = Http.get(service.serviceUrl() + "/api/bulk-sync/runs?limit=5");
        assertThat(runs.status()).isEqualTo(200);
        assertThat(contract.mismatches("GET", "/api/bulk-sync/runs", 200, "application/json", runs.body()))
                .as("the real answer").isEmpty();
        assertThat(runs.response().headers().map().keySet()).as("what the request brought is not answered back")
                .noneMatch(h -> h.equalsIgnoreCase("limit") || h.equalsIgnoreCase("X-Crmsync-Admin-User"));

        assertThat(contract.mismatches("GET", "/api/bulk-sync/runs", 200, "application/json", "{\"runs\":\"none\"}"))
                .hasValueSatisfying(problem -> assertThat(problem).contains("bulkSyncRuns").contains("runs"));
        assertThat(contract.mismatches("GET", "/api/mappings", 418, "application/json", "{\"error\":\"teapot\"}"))
                .as("an undocumented status").hasValueSatisfying(problem -> assertThat(problem).contains("listMappings")
                        .contains("418"));
        assertThat(contract.mismatches("POST", "/api/mappings", 400, "application/json", "{\"problems\":[\"x\"]}"))
                .as("an error without error").hasValueSatisfying(problem -> assertThat(problem).contains("createMapping")
                        .contains("error"));
        assertThat(contract.mismatches("GET", "/api/settings", 200, "application/json",
                "{\"lowerThresholdPercent\":\"40\",\"upperThresholdPercent\":80,\"allocation\":null}"))
                .as("a number sent as text").hasValueSatisfying(problem -> assertThat(problem).contains("getSettings"));
        assertThat(contract.mismatches("GET", "/api/nowhere", 404, "text/plain", "Not Found"))
                .as("no operation of the API").isEmpty();
    }

    private static List<String> pathParameters(String path) {
        List<String> names = new ArrayList<>();
        var m = java.util.regex.Pattern.compile("\\{([^}]+)}").matcher(path);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    private static JsonNode schema(JsonNode media) {
        JsonNode schema = media.path("schema");
        return schema.isMissingNode() ? null : schema;
    }
}

package io.github.crmsync.sandbox.intercom;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import io.github.crmsync.testing.OpenApiDocuments;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.fail;

/**
 * Intercom's own OpenAPI description of REST API 2.14 (src/test/resources, MIT, from
 * intercom/Intercom-OpenAPI) as the judge of every simulator response the tests receive.
 *
 * <p>One narrow adjustment to the spec, for a gap rather than a disagreement: most operations document
 * only their 200 and 401 answers, although Intercom answers any request with 400, 404, 429 and 5xx as
 * well ("4xx and 5xx responses may be returned for any request", API docs, HTTP responses). For those
 * statuses the validator would only report "status not documented" and check nothing, so every
 * operation without a {@code default} response gets one whose body must be the spec's own
 * {@code error} schema. Documented statuses are still checked against their documented schemas.
 * Likewise a response to a path the spec does not have (the simulator's 404 for an unknown path) is
 * checked as an undocumented status of a real operation, i.e. against the {@code error} schema.
 *
 * <p>A second, narrow allowance concerns the validator rather than the spec: it treats every schema
 * as closed ({@code additionalProperties: false}), which OpenAPI does not, and the 2.14 schemas omit
 * some properties that the spec's <em>own examples</em> of these very responses carry (for instance
 * the GET/PUT contact examples show {@code opted_in_subscription_types}, {@code utm_*},
 * {@code referrer}, {@code type: list} on tags/notes/companies/social_profiles and
 * {@code country_code}/{@code continent_code} in location; Intercom's pagination docs show
 * {@code pages.next.page}). Exactly those names are accepted as extra properties; any other extra
 * property still fails the test. For the same reason, a response schema written as
 * {@code allOf: [$ref contact]} plus extra {@code properties} (GET and PUT of a contact add
 * {@code enabled_push_messaging} that way) is flattened into one schema with the referenced
 * properties and the extra ones: the same meaning under OpenAPI, but one the closed-schema check can
 * accept at all (otherwise each part rejects the other part's properties, even in the spec's examples).
 */
final class IntercomSpec {

    static final String RESOURCE = "intercom-openapi-2.14.yaml";
    private static final String ERROR_SCHEMA = "#/components/schemas/error";
    private static final OpenApiInteractionValidator VALIDATOR = create();
    /** Properties the spec's examples (or Intercom's pagination docs) show but its schemas leave out. */
    private static final Set<String> DOCUMENTED_EXTRAS = Set.of("opted_in_subscription_types",
            "opted_out_subscription_types", "utm_campaign", "utm_content", "utm_medium", "utm_source", "utm_term",
            "referrer", "enabled_push_messaging", "type", "country_code", "continent_code", "page");
    private static final Pattern EXTRA_NAMES = Pattern.compile("not allowed by the schema: \\[(.*)]");

    private IntercomSpec() {
    }

    private static OpenApiInteractionValidator create() {
        OpenAPI api = OpenApiDocuments.read(RESOURCE);
        api.getPaths().values().forEach(item -> item.readOperations().forEach(operation -> {
            addDefaultErrorResponse(operation);
            flattenAllOfResponses(api, operation);
        }));
        return OpenApiInteractionValidator.createFor(api).build();
    }

    private static void addDefaultErrorResponse(Operation operation) {
        if (operation.getResponses() == null || operation.getResponses().getDefault() != null) {
            return;
        }
        Schema<?> error = new Schema<>().$ref(ERROR_SCHEMA);
        operation.getResponses().setDefault(new ApiResponse()
                .description("Any other status: Intercom's error list")
                .content(new Content().addMediaType("application/json", new MediaType().schema(error))));
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static void flattenAllOfResponses(OpenAPI api, Operation operation) {
        if (operation.getResponses() == null) {
            return;
        }
        for (ApiResponse response : operation.getResponses().values()) {
            if (response.getContent() == null) {
                continue;
            }
            for (MediaType media : response.getContent().values()) {
                Schema schema = media.getSchema();
                if (schema == null || schema.getAllOf() == null || schema.getAllOf().size() != 1
                        || schema.getProperties() == null) {
                    continue;
                }
                Schema part = (Schema) schema.getAllOf().get(0);
                if (part.get$ref() == null) {
                    continue;
                }
                Schema referenced = api.getComponents().getSchemas().get(part.get$ref().substring(part.get$ref().lastIndexOf('/') + 1));
                Map<String, Schema> properties = new LinkedHashMap<>(referenced.getProperties());
                properties.putAll(schema.getProperties());
                Schema merged = new Schema().type("object").properties(properties);
                merged.setRequired(referenced.getRequired());
                media.setSchema(merged);
            }
        }
    }

    /** Fails the test when the spec rejects this response to {@code method path}. */
    static void assertValid(String method, String path, int status, Map<String, List<String>> headers, String body) {
        SimpleResponse.Builder response = SimpleResponse.Builder.status(status);
        headers.forEach(response::withHeader);
        if (body != null && !body.isEmpty()) {
            response.withBody(body);
        }
        SimpleResponse built = response.build();
        Request.Method m = Request.Method.valueOf(method);
        ValidationReport report = VALIDATOR.validateResponse(path, m, built);
        if (report.getMessages().stream().anyMatch(msg -> msg.getKey().startsWith("validation.request.path.missing")
                || msg.getKey().startsWith("validation.request.operation.notAllowed"))) {
            // Not an operation of the spec (an unknown path or method): Intercom answers with an error list.
            report = VALIDATOR.validateResponse("/contacts/unknown", Request.Method.GET, built);
            if (status == 200) {
                fail("a request outside the spec got 200: " + method + " " + path);
            }
        }
        List<ValidationReport.Message> errors = report.getMessages().stream()
                .filter(msg -> msg.getLevel() == ValidationReport.Level.ERROR)
                .filter(msg -> !onlyDocumentedExtras(msg))
                .toList();
        if (!errors.isEmpty()) {
            fail("The Intercom 2.14 spec rejects the response to " + method + " " + path + " (" + status + "):\n"
                    + errors.stream().map(msg -> "  " + msg.getLevel() + " " + msg.getKey() + ": "
                            + msg.getMessage() + " " + msg.getAdditionalInfo()).collect(Collectors.joining("\n"))
                    + "\nbody: " + abbreviate(body));
        }
    }

    private static boolean onlyDocumentedExtras(ValidationReport.Message msg) {
        if (!msg.getKey().endsWith("schema.additionalProperties")) {
            return false;
        }
        Matcher m = EXTRA_NAMES.matcher(msg.getMessage());
        if (!m.find()) {
            return false;
        }
        for (String quoted : m.group(1).split(",")) {
            if (!DOCUMENTED_EXTRAS.contains(quoted.trim().replace("\"", ""))) {
                return false;
            }
        }
        return true;
    }

    private static String abbreviate(String body) {
        return body == null || body.length() < 2_000 ? body : body.substring(0, 2_000) + "…";
    }
}

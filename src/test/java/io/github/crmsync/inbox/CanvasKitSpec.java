package io.github.crmsync.inbox;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import io.github.crmsync.testing.OpenApiDocuments;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;

import java.net.URL;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.fail;

/**
 * Intercom's own Canvas Kit schemas (OpenAPI description 2.11, src/test/resources, MIT; 2.14 no
 * longer carries them) as the judge of the inbox app's answers. The description has the schemas
 * but no operation for the app's own URL (Intercom calls the app, not the other way round), so one
 * is added: {@code POST /intercom/canvas/initialize} answering 200 with {@code initialize_response}.
 */
final class CanvasKitSpec {

    static final String RESOURCE = "intercom-openapi-2.11.yaml";
    static final String PATH = "/intercom/canvas/initialize";
    private static final OpenApiInteractionValidator VALIDATOR = create();

    private CanvasKitSpec() {
    }

    private static OpenApiInteractionValidator create() {
        OpenAPI api = OpenApiDocuments.read(RESOURCE);
        if (api.getComponents().getSchemas().get("initialize_response") == null) {
            throw new IllegalStateException("no initialize_response in " + RESOURCE);
        }
        Schema<?> answer = new Schema<>().$ref("#/components/schemas/initialize_response");
        Operation initialize = new Operation().operationId("canvasInitialize").responses(new ApiResponses()
                .addApiResponse("200", new ApiResponse().description("the canvas to show")
                        .content(new Content().addMediaType("application/json", new MediaType().schema(answer)))));
        api.getPaths().addPathItem(PATH, new PathItem().post(initialize));
        return OpenApiInteractionValidator.createFor(api).build();
    }

    /** Fails the test when Intercom's schemas reject this 200 answer to the initialize request. */
    static void assertValidInitializeResponse(String body) {
        SimpleResponse response = SimpleResponse.Builder.status(200)
                .withContentType("application/json").withBody(body).build();
        ValidationReport report = VALIDATOR.validateResponse(PATH, Request.Method.POST, response);
        List<ValidationReport.Message> errors = report.getMessages().stream()
                .filter(msg -> msg.getLevel() == ValidationReport.Level.ERROR).toList();
        if (!errors.isEmpty()) {
            fail("Intercom's Canvas Kit schemas reject the initialize answer:\n"
                    + errors.stream().map(msg -> "  " + msg.getKey() + ": " + msg.getMessage() + " " + msg.getAdditionalInfo()
                            + " " + msg.getNestedMessages()).collect(Collectors.joining("\n")) + "\nbody: " + body);
        }
    }
}

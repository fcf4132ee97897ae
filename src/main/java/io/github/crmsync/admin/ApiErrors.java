package io.github.crmsync.admin;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.JsonMappingException;
import io.github.crmsync.requests.RequestRefused;
import org.apache.camel.NoTypeConversionAvailableException;
import org.apache.camel.component.bean.ParameterBindingException;
import io.swagger.v3.oas.annotations.media.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What the admin API answers when a request fails (the one {@code onException} of
 * routes/admin-api-rest.camel.yaml asks here): a refused request its own status and body; a body
 * that is not JSON, or does not fit the operation's type, 400 naming where; anything else 500 with
 * a short message, the details in the log only (never a stack trace in an answer).
 */
public final class ApiErrors {

    private static final Logger LOG = LoggerFactory.getLogger(ApiErrors.class);

    /** The answer to a failed request. */
    public record Answer(int status, Map<String, Object> body) {
    }

    /** The error body every refusal shares, for the API's description: only {@code error} is always there. */
    @Schema(name = "Error", requiredProperties = "error")
    public record Body(@Schema(description = "what is wrong, in one sentence") String error,
                       @Schema(description = "one sentence per problem, when there are several") List<String> problems,
                       @Schema(description = "409 of a save during a bulk run: send confirm=true to stop it and save")
                       Boolean requiresConfirmation,
                       @Schema(description = "409 of a start: the active run's id") Long runId,
                       @Schema(type = "object", nullable = true, description = "409: the active run (a BulkRun)")
                       Object run) {
    }

    public Answer answer(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof RequestRefused refused) {
                return new Answer(refused.status(), refused.body());
            }
            if (cause instanceof ParameterBindingException && cause.getCause() instanceof NoTypeConversionAvailableException) {
                // every parameter but the body is text: the body was empty, so the binding had nothing to read
                return new Answer(400, Map.of("error", "The request has no JSON body."));
            }
            if (cause instanceof JsonParseException notJson) {
                return new Answer(400, Map.of("error", "The body is not JSON: " + firstLine(notJson.getOriginalMessage())));
            }
            if (cause instanceof JsonMappingException misfit) {
                String where = misfit.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName()
                        : "[" + r.getIndex() + "]").collect(Collectors.joining("."));
                return new Answer(400, Map.of("error", "The body does not fit this call" + (where.isEmpty() ? "" : " at " + where)
                        + ": " + firstLine(misfit.getOriginalMessage())));
            }
        }
        LOG.error("An admin API call failed", failure);
        return new Answer(500, Map.of("error", "The call failed; the service log has the details."));
    }

    private static String firstLine(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("");
    }
}

package io.github.crmsync.admin;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.databind.JsonNode;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * The body of {@code PUT /api/settings}, kept as sent (unknown names, wrong types, not even an
 * object), so that {@link io.github.crmsync.quota.QuotaSettings#fromJson} names every problem in
 * one answer. The getters describe the fields for the API's description.
 */
@Schema(name = "ApiBudgetSettingsRequest", requiredProperties = {"lowerThresholdPercent", "upperThresholdPercent"},
        description = "Whole percents, lower below upper; allocation the most calls per 24 hours, null for none.")
public final class SettingsBody {

    private final JsonNode json;

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public SettingsBody(JsonNode json) {
        this.json = json;
    }

    @Schema(type = "integer", minimum = "1", maximum = "100", example = "40")
    public JsonNode getLowerThresholdPercent() {
        return json.get("lowerThresholdPercent");
    }

    @Schema(type = "integer", minimum = "1", maximum = "100", example = "80")
    public JsonNode getUpperThresholdPercent() {
        return json.get("upperThresholdPercent");
    }

    @Schema(type = "integer", format = "int64", minimum = "1", nullable = true)
    public JsonNode getAllocation() {
        return json.get("allocation");
    }

    /** The body as sent. */
    public JsonNode asJson() {
        return json;
    }
}

package io.github.crmsync.admin;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.databind.JsonNode;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * The body of {@code PUT /api/settings}, kept as sent (unknown names, wrong types, not even an
 * object), so that {@link io.github.crmsync.quota.QuotaSettings#fromJson} names every problem in
 * one answer. The getters describe the fields for the API's description.
 */
@Schema(name = "ApiBudgetSettingsRequest",
        description = "Whole percents, lower below upper (both required unless alerts is all that is sent); allocation the most "
                + "calls per 24 hours, null for none; alerts optional (left out: the alert settings stay as they are).")
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

    @Schema(type = "object", description = "The alert settings to change: enabled (boolean), recipients (e-mail addresses), "
            + "webhookUrl (absolute http(s) URL, null for none), syncErrorsPerHour, eventSyncLagSeconds, circuitOpenSeconds, "
            + "quietPeriodMinutes (whole numbers from 1); a field left out keeps its value")
    public JsonNode getAlerts() {
        return json.get("alerts");
    }

    /** The body as sent. */
    public JsonNode asJson() {
        return json;
    }
}

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

    /** The alert settings of a PUT, for the API's description: every field optional, one left out keeps its value. */
    @Schema(name = "AlertSettingsRequest", description = "The alert settings to change; a field left out keeps its value.")
    public record AlertsRequest(Boolean enabled,
                                @Schema(description = "e-mail addresses, at most 20") java.util.List<String> recipients,
                                @Schema(nullable = true, description = "absolute http(s) URL without user-info; null or \"\" for none; "
                                        + "the masked URL GET shows keeps the stored one") String webhookUrl,
                                @Schema(minimum = "1", maximum = "1000000") Integer syncErrorsPerHour,
                                @Schema(minimum = "1", maximum = "604800") Integer eventSyncLagSeconds,
                                @Schema(minimum = "1", maximum = "86400") Integer circuitOpenSeconds,
                                @Schema(minimum = "1", maximum = "10080") Integer quietPeriodMinutes) {
    }

    @Schema(implementation = AlertsRequest.class)
    public JsonNode getAlerts() {
        return json.get("alerts");
    }

    /** The body as sent. */
    public JsonNode asJson() {
        return json;
    }
}

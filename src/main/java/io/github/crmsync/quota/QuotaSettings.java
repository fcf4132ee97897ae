package io.github.crmsync.quota;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The operator's API-budget settings: the org consumption (whole percents) from which bulk sync,
 * then event sync, stop, and the most this service may spend in 24 hours (null: no allocation).
 */
public record QuotaSettings(int lowerThresholdPercent, int upperThresholdPercent, Long allocation) {

    /** Settings read from JSON, or the problems that kept them from being read. */
    public record Parsed(QuotaSettings settings, List<String> problems) {
    }

    private static final Set<String> FIELDS = Set.of("lowerThresholdPercent", "upperThresholdPercent", "allocation");

    /**
     * Reads {@code {"lowerThresholdPercent":40,"upperThresholdPercent":80,"allocation":null}}:
     * both thresholds required, whole percents; allocation a whole number of calls, null or absent
     * for none. Each problem named; valid values checked together ({@link #problems()}).
     */
    public static Parsed fromJson(JsonNode json) {
        List<String> problems = new ArrayList<>();
        if (json == null || !json.isObject()) {
            return new Parsed(null, List.of("Send a JSON object with lowerThresholdPercent, upperThresholdPercent and allocation."));
        }
        json.fieldNames().forEachRemaining(name -> {
            if (!FIELDS.contains(name)) {
                problems.add("unknown setting: " + name);
            }
        });
        Integer lower = whole(json, "lowerThresholdPercent", true, problems);
        Integer upper = whole(json, "upperThresholdPercent", true, problems);
        JsonNode allocationNode = json.get("allocation");
        Long allocation = null;
        if (allocationNode != null && !allocationNode.isNull()) {
            if (allocationNode.canConvertToLong() && allocationNode.isIntegralNumber()) {
                allocation = allocationNode.asLong();
            } else {
                problems.add("allocation must be a whole number of calls per 24 hours, or null for none");
            }
        }
        if (!problems.isEmpty()) {
            return new Parsed(null, problems);
        }
        QuotaSettings settings = new QuotaSettings(lower, upper, allocation);
        return settings.problems().isEmpty() ? new Parsed(settings, List.of()) : new Parsed(null, settings.problems());
    }

    private static Integer whole(JsonNode json, String name, boolean required, List<String> problems) {
        JsonNode node = json.get(name);
        if (node == null || node.isNull()) {
            if (required) {
                problems.add(name + " is required");
            }
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            problems.add(name + " must be a whole number from 1 to 100");
            return null;
        }
        return node.asInt();
    }

    /** One sentence per problem; empty when the settings may be saved. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (lowerThresholdPercent < 1 || lowerThresholdPercent > 100) {
            problems.add("lowerThresholdPercent must be from 1 to 100, not " + lowerThresholdPercent);
        }
        if (upperThresholdPercent < 1 || upperThresholdPercent > 100) {
            problems.add("upperThresholdPercent must be from 1 to 100, not " + upperThresholdPercent);
        }
        if (lowerThresholdPercent >= upperThresholdPercent) {
            problems.add("lowerThresholdPercent (" + lowerThresholdPercent + ") must be below upperThresholdPercent ("
                    + upperThresholdPercent + ")");
        }
        if (allocation != null && allocation < 1) {
            problems.add("allocation must be a positive number of calls per 24 hours, or null for none, not " + allocation);
        }
        return problems;
    }

    public double lowerThreshold() {
        return lowerThresholdPercent / 100.0;
    }

    public double upperThreshold() {
        return upperThresholdPercent / 100.0;
    }

    public Map<String, Object> asJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("lowerThresholdPercent", lowerThresholdPercent);
        json.put("upperThresholdPercent", upperThresholdPercent);
        json.put("allocation", allocation);
        return json;
    }
}

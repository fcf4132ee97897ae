package io.github.crmsync.quota;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The operator's API-budget settings: the org consumption (whole percents) from which bulk sync,
 * then event sync, stop, and the most this service may spend in 24 hours (null: no allocation).
 */
public record QuotaSettings(int lowerThresholdPercent, int upperThresholdPercent, Long allocation) {

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

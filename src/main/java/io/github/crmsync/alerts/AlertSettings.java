package io.github.crmsync.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The operator's alert settings, stored for every replica: on or off, who is mailed, the optional
 * webhook, the thresholds, and the quiet period within which an alert of the same kind is not sent
 * again.
 *
 * @param syncErrorsPerHour   alert when at least this many records failed to sync within the last 60 minutes
 * @param eventSyncLagSeconds alert when event sync is this many seconds behind (see {@link AlertRules})
 * @param circuitOpenSeconds  alert when a circuit breaker has not closed for this many seconds
 * @param quietPeriodMinutes  an alert of one kind is sent at most once in this many minutes
 */
public record AlertSettings(boolean enabled, List<String> recipients, String webhookUrl, int syncErrorsPerHour,
                            int eventSyncLagSeconds, int circuitOpenSeconds, int quietPeriodMinutes) {

    /** Until an operator saves them: on, nobody to tell yet, thresholds an operator would start from. */
    public static final AlertSettings DEFAULTS = new AlertSettings(true, List.of(), null, 50, 900, 300, 60);

    static final int MAX_RECIPIENTS = 20;
    private static final Pattern EMAIL = Pattern.compile(
            "[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+");
    private static final Set<String> FIELDS = Set.of("enabled", "recipients", "webhookUrl", "syncErrorsPerHour",
            "eventSyncLagSeconds", "circuitOpenSeconds", "quietPeriodMinutes");
    /** The most of each threshold: a week of lag or quiet, a day of an open breaker. */
    static final Map<String, Integer> MAXIMA = Map.of("syncErrorsPerHour", 1_000_000, "eventSyncLagSeconds", 604_800,
            "circuitOpenSeconds", 86_400, "quietPeriodMinutes", 10_080);

    public AlertSettings {
        recipients = List.copyOf(recipients);
    }

    /** Settings read from JSON, or the problems (each naming its field as {@code alerts.…}) that kept them from being read. */
    public record Parsed(AlertSettings settings, List<String> problems) {
    }

    /**
     * Reads the {@code alerts} object of {@code PUT /api/settings}; a field left out keeps its
     * current value, {@code webhookUrl} null or "" removes the webhook, and the masked URL that
     * {@code GET} shows keeps the stored one.
     */
    public static Parsed fromJson(JsonNode json, AlertSettings current) {
        List<String> problems = new ArrayList<>();
        if (json == null || !json.isObject()) {
            return new Parsed(null, List.of("alerts must be an object: {\"enabled\":true,\"recipients\":[…],…}"));
        }
        json.fieldNames().forEachRemaining(name -> {
            if (!FIELDS.contains(name)) {
                problems.add("unknown alert setting: alerts." + name);
            }
        });
        boolean enabled = current.enabled();
        JsonNode enabledNode = json.get("enabled");
        if (enabledNode != null) {
            if (enabledNode.isBoolean()) {
                enabled = enabledNode.booleanValue();
            } else {
                problems.add("alerts.enabled must be true or false");
            }
        }
        List<String> recipients = current.recipients();
        JsonNode recipientsNode = json.get("recipients");
        if (recipientsNode != null) {
            recipients = recipients(recipientsNode, problems);
        }
        String webhookUrl = current.webhookUrl();
        JsonNode webhookNode = json.get("webhookUrl");
        if (webhookNode != null) {
            if (webhookNode.isNull() || (webhookNode.isTextual() && webhookNode.textValue().isBlank())) {
                webhookUrl = null;
            } else if (!webhookNode.isTextual()) {
                problems.add("alerts.webhookUrl must be a URL (text) or null for none");
            } else if (current.webhookUrl() == null || !webhookNode.textValue().trim().equals(WebhookUrl.masked(current.webhookUrl()))) {
                String url = webhookNode.textValue().trim();
                String problem = WebhookUrl.problem(url);
                if (problem != null) {
                    problems.add("alerts.webhookUrl " + problem);
                } else {
                    webhookUrl = url;
                }
            }
        }
        int errors = whole(json, "syncErrorsPerHour", current.syncErrorsPerHour(), problems);
        int lag = whole(json, "eventSyncLagSeconds", current.eventSyncLagSeconds(), problems);
        int open = whole(json, "circuitOpenSeconds", current.circuitOpenSeconds(), problems);
        int quiet = whole(json, "quietPeriodMinutes", current.quietPeriodMinutes(), problems);
        if (!problems.isEmpty()) {
            return new Parsed(null, problems);
        }
        return new Parsed(new AlertSettings(enabled, recipients, webhookUrl, errors, lag, open, quiet), List.of());
    }

    private static List<String> recipients(JsonNode node, List<String> problems) {
        if (!node.isArray()) {
            problems.add("alerts.recipients must be a list of e-mail addresses");
            return List.of();
        }
        if (node.size() > MAX_RECIPIENTS) {
            problems.add("alerts.recipients may name at most " + MAX_RECIPIENTS + " addresses, not " + node.size());
        }
        List<String> addresses = new ArrayList<>();
        ArrayNode list = (ArrayNode) node;
        for (int i = 0; i < list.size(); i++) {
            JsonNode item = list.get(i);
            String address = item.isTextual() ? item.textValue().trim() : null;
            if (address == null || address.length() > 254 || !EMAIL.matcher(address).matches()) {
                problems.add("alerts.recipients[" + i + "] is not an e-mail address"
                        + (address == null ? "" : ": '" + (address.length() > 80 ? address.substring(0, 80) + "…" : address) + "'"));
            } else if (!addresses.contains(address)) {
                addresses.add(address);
            }
        }
        return addresses;
    }

    private static int whole(JsonNode json, String name, int current, List<String> problems) {
        JsonNode node = json.get(name);
        if (node == null) {
            return current;
        }
        int max = MAXIMA.get(name);
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < 1 || node.intValue() > max) {
            problems.add("alerts." + name + " must be a whole number from 1 to " + max);
            return current;
        }
        return node.intValue();
    }

    /** Whether anyone would be told: on, with a recipient or a webhook. */
    public boolean delivers() {
        return enabled && (!recipients.isEmpty() || webhookUrl != null);
    }

    /** As stored: the webhook URL whole. */
    public Map<String, Object> asStoredJson() {
        Map<String, Object> json = asJson();
        json.put("webhookUrl", webhookUrl);
        return json;
    }

    /** As the admin API shows it: the webhook URL's user-info and query masked. */
    public Map<String, Object> asJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("enabled", enabled);
        json.put("recipients", recipients);
        json.put("webhookUrl", WebhookUrl.masked(webhookUrl));
        json.put("syncErrorsPerHour", syncErrorsPerHour);
        json.put("eventSyncLagSeconds", eventSyncLagSeconds);
        json.put("circuitOpenSeconds", circuitOpenSeconds);
        json.put("quietPeriodMinutes", quietPeriodMinutes);
        return json;
    }

    /** For logs: the webhook by its origin only (its path and query may hold a token). */
    @Override
    public String toString() {
        Map<String, Object> json = asJson();
        json.put("webhookUrl", webhookUrl == null ? null : WebhookUrl.origin(webhookUrl) + "/…");
        return "AlertSettings" + json;
    }
}

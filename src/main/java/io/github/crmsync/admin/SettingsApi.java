package io.github.crmsync.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.crmsync.alerts.AlertSettings;
import io.github.crmsync.alerts.AlertSettingsStore;
import io.github.crmsync.quota.QuotaSettings;
import io.github.crmsync.quota.QuotaSettingsStore;
import io.github.crmsync.requests.InvalidInput;
import io.swagger.v3.oas.annotations.media.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code GET /api/settings} and {@code PUT /api/settings}: the API-budget thresholds and allocation,
 * and the alert settings, stored in the database so that every replica, the usage report, the route
 * policy, the alerts and the JMX bean work with the same values. A PUT without {@code alerts} keeps
 * the alert settings; one with {@code alerts} only keeps the API-budget settings (and, changing
 * nothing a bulk run depends on, needs no confirmation while one runs).
 */
public final class SettingsApi {

    @Schema(name = "ApiBudgetSettings", requiredProperties = {"lowerThresholdPercent", "upperThresholdPercent", "allocation", "alerts"})
    public record Settings(int lowerThresholdPercent, int upperThresholdPercent, @Schema(nullable = true) Long allocation,
                           Alerts alerts) {
        static Settings of(QuotaSettings settings, AlertSettings alerts) {
            return new Settings(settings.lowerThresholdPercent(), settings.upperThresholdPercent(), settings.allocation(),
                    Alerts.of(alerts));
        }
    }

    /** The alert settings as answered: the webhook URL's user-info and query masked as {@code ***}. */
    @Schema(name = "AlertSettings", requiredProperties = {"enabled", "recipients", "webhookUrl", "syncErrorsPerHour",
            "eventSyncLagSeconds", "circuitOpenSeconds", "quietPeriodMinutes"})
    public record Alerts(boolean enabled, List<String> recipients,
                         @Schema(nullable = true, description = "user-info and query shown as ***; sent back unchanged, it keeps the stored URL")
                         String webhookUrl,
                         @Schema(minimum = "1") int syncErrorsPerHour, @Schema(minimum = "1") int eventSyncLagSeconds,
                         @Schema(minimum = "1") int circuitOpenSeconds, @Schema(minimum = "1") int quietPeriodMinutes) {
        static Alerts of(AlertSettings a) {
            return new Alerts(a.enabled(), a.recipients(), (String) a.asJson().get("webhookUrl"), a.syncErrorsPerHour(),
                    a.eventSyncLagSeconds(), a.circuitOpenSeconds(), a.quietPeriodMinutes());
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(SettingsApi.class);

    private final QuotaSettingsStore store;
    private final AlertSettingsStore alerts;
    private final Consumer<String> beforeSave;

    /**
     * @param beforeSave called with the request's {@code confirm} parameter right before an API save
     *                   (the bulk-run guard: a save while a bulk run is active needs
     *                   {@code ?confirm=true} and stops the run); it refuses by throwing
     */
    public SettingsApi(QuotaSettingsStore store, AlertSettingsStore alerts, Consumer<String> beforeSave) {
        this.store = store;
        this.alerts = alerts;
        this.beforeSave = beforeSave;
    }

    public Settings get() {
        return Settings.of(store.current(), alerts.current());
    }

    public Settings put(SettingsBody body, String confirm) {
        if (body == null) {
            throw new InvalidInput("The request has no JSON body.");
        }
        JsonNode json = body.asJson();
        List<String> problems = new ArrayList<>();
        AlertSettings alertSettings = null;
        QuotaSettings quota = null;
        JsonNode alertsJson = json != null && json.isObject() ? json.get("alerts") : null;
        if (alertsJson != null) {
            AlertSettings.Parsed parsed = AlertSettings.fromJson(alertsJson, alerts.current());
            problems.addAll(parsed.problems());
            alertSettings = parsed.settings();
        }
        boolean alertsOnly = alertsJson != null && json.size() == 1;
        if (!alertsOnly) {
            JsonNode budget = json;
            if (alertsJson != null) {
                budget = ((ObjectNode) json).deepCopy();
                ((ObjectNode) budget).remove("alerts");
            }
            QuotaSettings.Parsed parsed = QuotaSettings.fromJson(budget);
            problems.addAll(0, parsed.problems());
            quota = parsed.settings();
        }
        if (!problems.isEmpty()) {
            throw new InvalidInput("The settings are not valid.", problems);
        }
        if (quota != null) {
            beforeSave.accept(confirm);
            save(quota);
        }
        if (alertSettings != null) {
            alerts.save(alertSettings);
            LOG.info("Alert settings saved: {}", alertSettings);
        }
        return get();
    }

    /**
     * The one place settings are saved (the API and the JMX bean both come here), so that what must
     * happen around a save (e.g. confirming when a bulk run would be stopped) is added once.
     */
    public QuotaSettings save(QuotaSettings settings) {
        store.save(settings);
        LOG.info("API-budget settings saved: thresholds {} % / {} %, allocation {}", settings.lowerThresholdPercent(),
                settings.upperThresholdPercent(), settings.allocation() == null ? "none" : settings.allocation());
        return store.current();
    }
}

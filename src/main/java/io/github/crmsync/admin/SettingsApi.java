package io.github.crmsync.admin;

import io.github.crmsync.quota.QuotaSettings;
import io.github.crmsync.quota.QuotaSettingsStore;
import io.github.crmsync.requests.InvalidInput;
import io.swagger.v3.oas.annotations.media.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Consumer;

/**
 * {@code GET /api/settings} and {@code PUT /api/settings}: the API-budget thresholds and allocation,
 * stored in the database so that every replica, the usage report, the route policy and the JMX
 * bean work with the same values.
 */
public final class SettingsApi {

    @Schema(name = "ApiBudgetSettings", requiredProperties = {"lowerThresholdPercent", "upperThresholdPercent", "allocation"})
    public record Settings(int lowerThresholdPercent, int upperThresholdPercent, @Schema(nullable = true) Long allocation) {
        static Settings of(QuotaSettings settings) {
            return new Settings(settings.lowerThresholdPercent(), settings.upperThresholdPercent(), settings.allocation());
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(SettingsApi.class);

    private final QuotaSettingsStore store;
    private final Consumer<String> beforeSave;

    /**
     * @param beforeSave called with the request's {@code confirm} parameter right before an API save
     *                   (the bulk-run guard: a save while a bulk run is active needs
     *                   {@code ?confirm=true} and stops the run); it refuses by throwing
     */
    public SettingsApi(QuotaSettingsStore store, Consumer<String> beforeSave) {
        this.store = store;
        this.beforeSave = beforeSave;
    }

    public Settings get() {
        return Settings.of(store.current());
    }

    public Settings put(SettingsBody body, String confirm) {
        if (body == null) {
            throw new InvalidInput("The request has no JSON body.");
        }
        QuotaSettings.Parsed parsed = QuotaSettings.fromJson(body.asJson());
        if (parsed.settings() == null) {
            throw new InvalidInput("The settings are not valid.", parsed.problems());
        }
        beforeSave.accept(confirm);
        return Settings.of(save(parsed.settings()));
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

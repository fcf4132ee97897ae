package io.github.crmsync.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.crmsync.quota.QuotaSettings;
import io.github.crmsync.quota.QuotaSettingsStore;
import org.apache.camel.Exchange;

import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/settings} and {@code PUT /api/settings}: the API-budget thresholds and allocation,
 * stored in the database so that every replica, the usage report, the route policy and the JMX
 * bean work with the same values.
 */
public final class SettingsApi {

    private static final Logger LOG = LoggerFactory.getLogger(SettingsApi.class);

    private final QuotaSettingsStore store;
    private final Predicate<Exchange> saveAllowed;

    /**
     * @param saveAllowed asked right before an API save (the bulk-run guard: a save while a bulk run
     *                    is active needs {@code ?confirm=true} and stops the run); when it says no it
     *                    has set the answer itself
     */
    public SettingsApi(QuotaSettingsStore store, Predicate<Exchange> saveAllowed) {
        this.store = store;
        this.saveAllowed = saveAllowed;
    }

    public void get(Exchange exchange) {
        HttpAnswers.json(exchange, 200, store.current().asJson());
    }

    public void put(Exchange exchange) {
        JsonNode body = HttpAnswers.jsonBody(exchange);
        if (body == null) {
            return;
        }
        QuotaSettings.Parsed parsed = QuotaSettings.fromJson(body);
        if (parsed.settings() == null) {
            HttpAnswers.problems(exchange, 400, "The settings are not valid.", parsed.problems());
            return;
        }
        if (saveAllowed.test(exchange)) {
            HttpAnswers.json(exchange, 200, save(parsed.settings()).asJson());
        }
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

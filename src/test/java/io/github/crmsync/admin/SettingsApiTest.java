package io.github.crmsync.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crmsync.alerts.AlertSettingsStore;
import io.github.crmsync.quota.QuotaSettings;
import io.github.crmsync.quota.QuotaSettingsStore;
import io.github.crmsync.requests.Conflict;
import io.github.crmsync.requests.InvalidInput;
import io.github.crmsync.testing.RouteTestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** PUT /api/settings with and without alerts: what is saved, what is kept, and when a running bulk sync is asked. */
class SettingsApiTest {

    private final List<String> guardAsked = new ArrayList<>();
    private SettingsApi api;
    private AlertSettingsStore alerts;

    @BeforeEach
    void emptied() throws Exception {
        DataSource dataSource = RouteTestDatabase.emptied();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE setting");
        }
        alerts = new AlertSettingsStore(dataSource);
        // a bulk run is active: the guard refuses every save it is asked about
        api = new SettingsApi(new QuotaSettingsStore(dataSource, new QuotaSettings(40, 80, null)), alerts, confirm -> {
            guardAsked.add(String.valueOf(confirm));
            throw new Conflict("A bulk sync is running; saving stops it", Map.of("requiresConfirmation", true));
        });
    }

    private static SettingsBody body(String json) throws Exception {
        return new SettingsBody(new ObjectMapper().readTree(json));
    }

    @Test
    void alertsAloneAreSavedWithoutAskingTheBulkRunAndKeepTheBudget() throws Exception {
        SettingsApi.Settings saved = api.put(body("{\"alerts\":{\"recipients\":[\"ops@example.com\"],\"quietPeriodMinutes\":5}}"), null);
        assertThat(guardAsked).isEmpty();
        assertThat(saved.lowerThresholdPercent()).isEqualTo(40);
        assertThat(saved.alerts().recipients()).containsExactly("ops@example.com");
        assertThat(alerts.current().quietPeriodMinutes()).isEqualTo(5);
        assertThat(alerts.current().syncErrorsPerHour()).as("left out: the default kept").isEqualTo(50);
    }

    @Test
    void theBudgetStillAsksTheBulkRunAndNothingIsSavedWhenItRefuses() throws Exception {
        assertThatThrownBy(() -> api.put(body("{\"lowerThresholdPercent\":30,\"upperThresholdPercent\":80,\"allocation\":null,"
                + "\"alerts\":{\"recipients\":[\"ops@example.com\"]}}"), null)).isInstanceOf(Conflict.class);
        assertThat(guardAsked).containsExactly("null");
        assertThat(api.get().lowerThresholdPercent()).isEqualTo(40);
        assertThat(api.get().alerts().recipients()).as("nothing of a refused save is kept").isEmpty();
    }

    @Test
    void everyProblemOfBothPartsIsNamedInOneAnswerBeforeAnyoneIsAsked() throws Exception {
        assertThatThrownBy(() -> api.put(body("{\"lowerThresholdPercent\":90,\"upperThresholdPercent\":80,"
                + "\"alerts\":{\"syncErrorsPerHour\":0}}"), null))
                .isInstanceOfSatisfying(InvalidInput.class, refused -> assertThat(refused.body().get("problems")).isEqualTo(List.of(
                        "lowerThresholdPercent (90) must be below upperThresholdPercent (80)",
                        "alerts.syncErrorsPerHour must be a whole number from 1 to 1000000")));
        assertThat(guardAsked).isEmpty();
        assertThatThrownBy(() -> api.put(body("{\"alerts\":{}, \"allocation\":5}"), null))
                .isInstanceOfSatisfying(InvalidInput.class, refused -> assertThat(refused.body().get("problems")).isEqualTo(List.of(
                        "lowerThresholdPercent is required", "upperThresholdPercent is required")));
    }
}

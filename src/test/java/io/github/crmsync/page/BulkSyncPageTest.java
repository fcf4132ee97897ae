package io.github.crmsync.page;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.LoggedInBrowser;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.SimulatedWorld;
import io.github.crmsync.testing.WholeService;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The bulk-sync section in a real browser: a run started from the page advances its progress bar
 * to completion; saving a mapping while another run is active asks first, Cancel leaves the run
 * going, Confirm stops it (SETTINGS_CHANGED) and saves.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BulkSyncPageTest {

    private static final Duration PATIENCE = Duration.ofSeconds(90);

    @RegisterExtension
    static final WholeService whole = WholeService.inWorld(2000)
            // the org's usage is read every second while idle, so that a run can be held waiting for capacity
            .with("crmsync.quota.limits-poll-cron", "* * * * * ?")
            .with("crmsync.quota.limits-poll-idle-ms", "1000")
            .withSandboxMappings();
    @RegisterExtension
    static final LoggedInBrowser page = LoggedInBrowser.to(whole);
    private SimulatedWorld world;
    private RunningService service;

    @BeforeAll
    void start() throws Exception {
        world = whole.world();
        service = whole.service();
    }

    @Test
    void aRunStartedFromThePageAdvancesToCompletionAndSavingDuringAnotherAsksBeforeStoppingIt() {
        page.browser().open(service.serviceUrl() + "/");
        await().atMost(PATIENCE).until(() -> page.browser().field("bulk-start").isEnabled());

        // 1. a run from start to completion, watched on the progress bar
        page.browser().click("bulk-start");
        List<Double> seen = new ArrayList<>();
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(200)).until(() -> {
            seen.add(Double.parseDouble(page.browser().field("bulk-progress").getAttribute("aria-valuenow")));
            return "COMPLETED".equals(page.browser().field("bulk-progress").getAttribute("data-status"));
        });
        assertThat(page.browser().field("bulk-progress").getAttribute("aria-valuenow")).isEqualTo("100");
        assertThat(seen).as("the bar only moves forward").isSorted();
        assertThat(seen).as("the bar moves before the run completes: %s", seen).anyMatch(p -> p > 0 && p < 100);
        assertThat(page.browser().text("bulk-status")).contains("COMPLETED");
        long firstRun = Http.get(service.serviceUrl() + "/api/bulk-sync/runs?limit=1").json().path("runs").get(0).path("id").asLong();
        await().atMost(PATIENCE).until(() -> page.browser().all("#bulk-history-rows tr[data-run='" + firstRun + "']").size() == 1);
        assertThat(page.browser().all("#bulk-history-rows tr[data-run='" + firstRun + "']").get(0).getText()).contains("COMPLETED");
        page.browser().screenshot("bulk-completed-1280", "bulk");

        // 2. another run, held waiting for API capacity (the org at 50 %) so that it is still active
        //    however long the operator takes to save
        world.salesforce.addApiRequests("other-client", 50_000);
        await().atMost(PATIENCE).until(() -> !current().path("canStart").asBoolean());
        Http.Answer started = Http.post(service.serviceUrl() + "/api/bulk-sync", "");
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        long secondRun = started.json().path("id").asLong();
        await().atMost(PATIENCE).until(() -> page.browser().field("bulk-stop").isEnabled());
        await().atMost(PATIENCE).until(() -> page.browser().text("bulk-status").contains("WAITING_FOR_CAPACITY"));
        // held before staging: the number stays put, and the bar shows the API's own
        double apiPercent = current().path("run").path("percent").asDouble();
        assertThat(Double.parseDouble(page.browser().field("bulk-progress").getAttribute("aria-valuenow"))).isEqualTo(apiPercent);
        assertThat(page.browser().text("bulk-status")).contains(String.format(java.util.Locale.ROOT, "%.1f %%", apiPercent));
        page.browser().screenshot("bulk-running-1280", "bulk");

        int saved = Http.get(service.serviceUrl() + "/api/mappings").json().path("mappings").size();
        page.browser().click("mapping-add");
        page.browser().choose("map-object-" + saved, "LEAD");
        page.browser().choose("map-intercom-" + saved, "custom_attributes.notes");
        page.browser().choose("map-salesforce-" + saved, "Notes__c");
        page.browser().choose("map-direction-" + saved, "INTERCOM_TO_SALESFORCE");
        page.browser().click("mapping-save");
        await().atMost(PATIENCE).until(() -> page.browser().field("modal").isDisplayed());
        assertThat(page.browser().text("modal-text")).contains("Bulk sync #" + secondRun + " is running", "stops it");
        page.browser().windowScreenshot("bulk-confirmation-modal-1280", "mappings");

        page.browser().click("modal-cancel");
        assertThat(page.browser().field("modal").isDisplayed()).isFalse();
        assertThat(page.browser().text("mapping-status")).isEqualTo("Not saved; the bulk sync goes on.");
        assertThat(current().path("run").path("id").asLong()).isEqualTo(secondRun);
        assertThat(current().path("run").path("finishedAt").isNull()).as("the run goes on").isTrue();
        assertThat(Http.get(service.serviceUrl() + "/api/mappings").json().path("mappings").size()).isEqualTo(saved);

        page.browser().click("mapping-save");
        await().atMost(PATIENCE).until(() -> page.browser().field("modal").isDisplayed());
        page.browser().click("modal-confirm");
        await().atMost(PATIENCE).untilAsserted(() ->
                assertThat(page.browser().text("mapping-status")).isEqualTo("Saved. The bulk sync was stopped."));
        await().atMost(PATIENCE).untilAsserted(() -> {
            JsonNode run = run(secondRun);
            assertThat(run.path("status").asText()).isEqualTo("STOPPED");
            assertThat(run.path("stopReason").asText()).isEqualTo("SETTINGS_CHANGED");
        });
        assertThat(Http.get(service.serviceUrl() + "/api/mappings").json().path("mappings").toString())
                .contains("\"objectType\":\"LEAD\",\"intercomAttribute\":\"custom_attributes.notes\",\"salesforceField\":\"Notes__c\"");
        await().atMost(PATIENCE).until(() -> page.browser().all("#bulk-history-rows tr[data-run='" + secondRun + "']").stream()
                .anyMatch(tr -> tr.getText().contains("STOPPED (SETTINGS_CHANGED)")));
        page.browser().screenshot("bulk-stopped-1280", "bulk");
        world.salesforce.resetApiRequests();
    }

    private JsonNode current() {
        return Http.get(service.serviceUrl() + "/api/bulk-sync/current").json();
    }

    private JsonNode run(long id) {
        for (JsonNode run : Http.get(service.serviceUrl() + "/api/bulk-sync/runs?limit=20").json().path("runs")) {
            if (run.path("id").asLong() == id) {
                return run;
            }
        }
        throw new AssertionError("no run " + id);
    }
}

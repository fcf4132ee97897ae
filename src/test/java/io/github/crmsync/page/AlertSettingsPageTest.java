package io.github.crmsync.page;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.crmsync.testing.Browser;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.WholeService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.WebElement;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The page's Alerts section in headless Chromium: the API's problems shown, then the alert settings
 * saved for every replica, the webhook's token never shown again. Screenshots in target/screenshots/.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AlertSettingsPageTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @RegisterExtension
    static final WholeService whole = WholeService.inWorld(50);
    private Browser browser;

    @BeforeAll
    void start() throws Exception {
        browser = new Browser();
        browser.logIn(whole.service().serviceUrl(), RunningService.ADMIN_USER, RunningService.ADMIN_PASSWORD);
    }

    @AfterAll
    void stop() throws Exception {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void alertSettingsAreSavedFromThePageAndTheApisProblemsShown() {
        String url = whole.service().serviceUrl();
        browser.open(url + "/");
        await().atMost(PATIENCE).until(() -> "50".equals(browser.field("alert-errors").getAttribute("value")));
        assertThat(browser.field("alert-enabled").isSelected()).isTrue();

        type("alert-recipients", "ops@example.com, not-an-address");
        type("alert-webhook", "ftp://hooks.example.com/x");
        type("alert-errors", "0");
        browser.click("alerts-save");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(browser.text("alerts-status")).isEqualTo("Not saved: fix the problems shown."));
        assertThat(browser.text("alerts-problems")).contains("alerts.recipients[1] is not an e-mail address: 'not-an-address'",
                "alerts.webhookUrl must be an http:// or https:// URL, not ftp:",
                "alerts.syncErrorsPerHour must be a whole number from 1 to 1000000");
        browser.screenshot("alerts-invalid-1280", "alerts");
        assertThat(Http.get(url + "/api/settings").json().path("alerts").path("recipients")).isEmpty();

        type("alert-recipients", "ops@example.com, oncall@example.com");
        type("alert-webhook", "https://hooks.example.com/crmsync?token=page-secret");
        type("alert-errors", "25");
        type("alert-lag", "600");
        type("alert-breaker", "120");
        type("alert-quiet", "30");
        browser.click("alerts-save");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(browser.text("alerts-status")).isEqualTo("Saved."));
        assertThat(browser.field("alerts-problems").isDisplayed()).isFalse();
        assertThat(browser.field("alert-webhook").getAttribute("value")).as("the token is not shown again")
                .isEqualTo("https://hooks.example.com/crmsync?***");

        JsonNode alerts = Http.get(url + "/api/settings").json().path("alerts");
        assertThat(alerts.toString()).isEqualTo("{\"enabled\":true,\"recipients\":[\"ops@example.com\",\"oncall@example.com\"],"
                + "\"webhookUrl\":\"https://hooks.example.com/crmsync?***\",\"syncErrorsPerHour\":25,\"eventSyncLagSeconds\":600,"
                + "\"circuitOpenSeconds\":120,\"quietPeriodMinutes\":30}");

        // saving again with the masked URL shown keeps the stored one; switching alerts off is kept too
        browser.click("alert-enabled");
        browser.click("alerts-save");
        await().atMost(PATIENCE).until(() -> !Http.get(url + "/api/settings").json().path("alerts").path("enabled").asBoolean());
        assertThat(whole.service().bean("alertSettingsStore", io.github.crmsync.alerts.AlertSettingsStore.class).current()
                .webhookUrl()).isEqualTo("https://hooks.example.com/crmsync?token=page-secret");
        browser.open(url + "/");
        await().atMost(PATIENCE).until(() -> "30".equals(browser.field("alert-quiet").getAttribute("value")));
        assertThat(browser.field("alert-enabled").isSelected()).isFalse();
        browser.screenshot("alerts-1280", "alerts");
        browser.resize(Browser.NARROW);
        browser.screenshot("alerts-400", "alerts");
        browser.resize(Browser.WIDE);
    }

    private void type(String id, String text) {
        WebElement input = browser.field(id);
        input.clear();
        input.sendKeys(text);
    }
}

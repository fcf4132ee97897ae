package io.github.crmsync.page;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.crmsync.sandbox.seed.SeedPerson;
import io.github.crmsync.testing.Browser;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.LoggedInBrowser;
import io.github.crmsync.testing.IntercomClientForTests;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.SalesforceClient;
import io.github.crmsync.testing.SimulatedWorld;
import io.github.crmsync.testing.WholeService;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The settings page in a real browser (headless Chromium) against the service and both
 * simulators: logging in, editing mappings with the API's validation, the API-usage indicator
 * following the org's counter, a sync error retried away after the data is fixed, and the alert
 * settings saved with the API's problems shown (the webhook's token never shown again).
 * Screenshots of each section land in target/screenshots/.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SettingsPageTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @RegisterExtension
    static final WholeService whole = WholeService.inWorld(500)
            // the /limits poll every second while idle, so the usage indicator follows the org quickly
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
        assertThat(Http.post(service.serviceUrl() + "/api/event-sync/run", "").status()).isEqualTo(200);
    }

    @Test
    void withoutALoginThePageIsTheLoginFormAndTheApiRefusesAWrongPasswordIsSaidSo() throws Exception {
        try (Browser stranger = new Browser()) {
            stranger.open(service.serviceUrl() + "/");
            assertThat(stranger.driver.findElements(By.id("mappings"))).as("no page before logging in").isEmpty();
            assertThat(stranger.field("login-form").isDisplayed()).isTrue();
            assertThat(stranger.fetch("/api/mappings")).isEqualTo("{\"error\":\"Authentication required\"}");
            stranger.screenshot("login-1280", "login-form");

            stranger.field("username").sendKeys(RunningService.ADMIN_USER);
            stranger.field("password").sendKeys("not-the-password");
            stranger.click("login-button");
            await().atMost(PATIENCE).until(() -> !stranger.all(".login-message").isEmpty());
            assertThat(stranger.all(".login-message").get(0).getText()).isEqualTo("The user name or password is wrong.");
            assertThat(stranger.driver.findElements(By.id("mappings"))).isEmpty();
        }
    }

    @Test
    void anAddedMappingShowsTheApisProblemInlineAndOnceCorrectedIsSaved() {
        page.browser().open(service.serviceUrl() + "/");
        int saved = Http.get(service.serviceUrl() + "/api/mappings").json().path("mappings").size();
        await().atMost(PATIENCE).until(() -> page.browser().all("#mapping-rows tr[data-row]").size() == saved);

        page.browser().click("mapping-add");
        int row = saved;
        page.browser().choose("map-object-" + row, "CONTACT");
        page.browser().choose("map-intercom-" + row, "custom_attributes.notes");
        page.browser().choose("map-salesforce-" + row, "Name");
        page.browser().choose("map-direction-" + row, "INTERCOM_TO_SALESFORCE");

        String problem = validationProblem(Map.of("objectType", "CONTACT", "intercomAttribute", "custom_attributes.notes",
                "salesforceField", "Name", "direction", "INTERCOM_TO_SALESFORCE"));
        String prefix = "contact: Intercom custom_attributes.notes → Salesforce Name: ";
        assertThat(problem).startsWith(prefix);
        await().atMost(PATIENCE).untilAsserted(() ->
                assertThat(page.browser().text("map-problem-" + row)).isEqualTo(problem.substring(prefix.length())));
        assertThat(page.browser().text("mapping-problems")).contains(problem);
        page.browser().screenshot("mappings-invalid-1280", "mappings");

        page.browser().click("mapping-save");
        await().atMost(PATIENCE).untilAsserted(() ->
                assertThat(page.browser().text("mapping-status")).isEqualTo("Not saved: fix the problems shown."));
        assertThat(Http.get(service.serviceUrl() + "/api/mappings").json().path("mappings").size()).isEqualTo(saved);

        page.browser().choose("map-salesforce-" + row, "Notes__c");
        await().atMost(PATIENCE).until(() -> !page.browser().field("map-problem-" + row).isDisplayed()
                && !page.browser().field("mapping-problems").isDisplayed());
        page.browser().click("mapping-save");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(page.browser().text("mapping-status")).isEqualTo("Saved."));

        JsonNode stored = Http.get(service.serviceUrl() + "/api/mappings").json().path("mappings");
        assertThat(stored.size()).isEqualTo(saved + 1);
        assertThat(stored.toString()).contains("\"intercomAttribute\":\"custom_attributes.notes\",\"salesforceField\":\"Notes__c\","
                + "\"direction\":\"INTERCOM_TO_SALESFORCE\"");
        page.browser().screenshot("mappings-1280", "mappings");
    }

    @Test
    void theUsageSegmentsFollowTheOrgsCounterAndTheTierWithThemAndTheEventDeliveryAllocationShows() {
        page.browser().open(service.serviceUrl() + "/");
        await().atMost(PATIENCE).until(() -> page.browser().field("usage-seg-others").getAttribute("data-value") != null);
        long othersBefore = Long.parseLong(page.browser().field("usage-seg-others").getAttribute("data-value"));
        assertThat(page.browser().text("usage-tier")).isEqualTo("ALL");

        world.salesforce.addApiRequests("other-client", 45_000);

        await().atMost(PATIENCE).untilAsserted(() -> {
            WebElement others = page.browser().field("usage-seg-others");
            assertThat(Long.parseLong(others.getAttribute("data-value"))).isGreaterThanOrEqualTo(othersBefore + 45_000);
            assertThat(page.browser().text("usage-tier")).isEqualTo("NO_BULK_SYNC");
        });
        JsonNode usage = Http.get(service.serviceUrl() + "/api/salesforce-usage").json();
        double othersWidth = width("usage-seg-others");
        double ownWidth = width("usage-seg-own");
        double remainingWidth = width("usage-seg-remaining");
        double barWidth = page.browser().field("usage-bar").getRect().width;
        assertThat(othersWidth / barWidth).isCloseTo(usage.path("othersUsed").asDouble() / 100_000, org.assertj.core.data.Offset.offset(0.02));
        assertThat(remainingWidth / barWidth).isCloseTo(usage.path("remaining").asDouble() / 100_000, org.assertj.core.data.Offset.offset(0.02));
        assertThat(ownWidth).as("the service's own few calls still show").isPositive();
        assertThat(page.browser().text("usage-others")).startsWith(String.format("%,d", usage.path("othersUsed").asLong()));
        assertThat(page.browser().text("usage-limit")).isEqualTo("100,000");
        assertThat(page.browser().driver.findElement(By.cssSelector("#tier-table tr.current")).getAttribute("data-tier"))
                .isEqualTo("NO_BULK_SYNC");
        // the org's event delivery allocation, shown as /limits reports it (the simulator's does)
        await().atMost(PATIENCE).untilAsserted(() -> {
            JsonNode delivery = Http.get(service.serviceUrl() + "/api/salesforce-usage").json().path("eventDelivery");
            assertThat(page.browser().field("event-delivery").isDisplayed()).isTrue();
            assertThat(page.browser().text("event-delivery-max")).isEqualTo("50,000");
            assertThat(page.browser().text("event-delivery-used")).startsWith(String.format("%,d", delivery.path("used").asLong()));
            assertThat(page.browser().text("event-delivery-remaining")).isEqualTo(String.format("%,d", delivery.path("remaining").asLong()));
        });
        page.browser().screenshot("usage-1280", "usage");
    }

    @Test
    void anErrorRowShowsItsDetailsAndGoesOnceTheFixedRecordIsRetried() {
        SeedPerson p = world.unusedPerson(SimulatedWorld.inBoth(false));
        IntercomClientForTests intercom = new IntercomClientForTests(world.intercom.baseUrl());
        assertThat(intercom.update(p.intercom().id(), Map.of("custom_attributes",
                Map.of("nickname", "A nickname far longer than the forty characters Salesforce takes"))).status()).isEqualTo(200);
        long id = await().atMost(PATIENCE).until(() -> errorId(p), found -> found != null);

        page.browser().open(service.serviceUrl() + "/");
        page.browser().field("filter-text").sendKeys(p.intercom().id());
        page.browser().click("filter-apply");
        String row = "#error-rows tr[data-error='" + id + "']";
        await().atMost(PATIENCE).until(() -> page.browser().all(row).size() == 1 && page.browser().all("#error-rows tr").size() == 1);
        assertThat(page.browser().all(row).get(0).getText()).contains("STRING_TOO_LONG", "EVENT", p.salesforce().id());
        page.browser().screenshot("errors-1280", "errors");

        page.browser().all(row + " td").get(2).click();
        await().atMost(PATIENCE).until(() -> page.browser().field("details").isDisplayed());
        assertThat(page.browser().text("details-remote")).contains("Nickname__c", "at most 40");
        assertThat(page.browser().text("details-fields")).contains("STRING_TOO_LONG", p.salesforce().id(), p.intercom().id());
        page.browser().screenshot("error-details-1280", "details");
        page.browser().click("details-close");
        assertThat(page.browser().field("details").isDisplayed()).isFalse();

        world.intercom.setWebhookUrl(null); // the fix must reach Salesforce by the retry only
        try {
            assertThat(intercom.update(p.intercom().id(), Map.of("custom_attributes", Map.of("nickname", "Short nick")))
                    .status()).isEqualTo(200);
        } finally {
            world.intercom.setWebhookUrl("http://127.0.0.1:" + world.serverPort + "/intercom/webhooks");
        }
        page.browser().driver.findElement(By.cssSelector(row + " .retry-button")).click();

        await().atMost(PATIENCE).until(() -> page.browser().all(row).isEmpty());
        assertThat(page.browser().text("errors-status")).isEqualTo("Error " + id + " resolved: the record is in sync.");
        assertThat(SalesforceClient.asOtherClient(world.salesforce.baseUrl()).get("Contact", p.salesforce().id())
                .path("Nickname__c").asText()).isEqualTo("Short nick");
        assertThat(Http.get(service.serviceUrl() + "/api/sync-errors/" + id).status()).isEqualTo(404);
    }

    @Test
    void nothingTheBrowserReceivesHoldsASecretAndTheSessionCookieIsOutOfScriptsReach() {
        page.browser().open(service.serviceUrl() + "/");
        List<String> received = new ArrayList<>();
        received.add(page.browser().driver.getPageSource());
        for (String path : List.of("/", "/app.js", "/app.css", "/login", "/api/mappings", "/api/schemas",
                "/api/salesforce-usage", "/api/sync-errors?direction=ALL", "/api/settings", "/api/bulk-sync/current")) {
            received.add(page.browser().fetch(path));
        }
        assertThat(page.browser().fetch("/api/schemas")).contains("\"Notes__c\"", "\"custom_attributes.notes\"");
        List<String> secrets = List.of(RunningService.ADMIN_PASSWORD, "sandbox-token", "sandbox-webhook-secret",
                "sandbox-secret", "embedded-postgres-trusts-local-connections");
        for (String body : received) {
            for (String secret : secrets) {
                assertThat(body).doesNotContain(secret);
            }
        }
        assertThat((String) page.browser().script("return document.cookie")).doesNotContain("crmsync_session");
    }

    @Test
    void everySectionFitsAWideAndANarrowWindow() {
        page.browser().open(service.serviceUrl() + "/");
        await().atMost(PATIENCE).until(() -> !page.browser().all("#mapping-rows tr[data-row]").isEmpty());
        for (String section : List.of("mappings", "usage", "bulk", "errors")) {
            page.browser().screenshot(section + "-section-1280", section);
        }
        try {
            page.browser().resize(Browser.NARROW);
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(((Number) page.browser().script(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth")).intValue())
                    .as("no sideways scrolling at 400 px").isLessThanOrEqualTo(0));
            assertThat(page.browser().all("#mapping-rows tr.row-problem")).as("no empty problem rows under valid mappings")
                    .isNotEmpty().noneMatch(WebElement::isDisplayed);
            for (String section : List.of("mappings", "usage", "bulk", "errors")) {
                assertThat(page.browser().field(section).getRect().width).isLessThanOrEqualTo(400);
                page.browser().windowScreenshot(section + "-400", section);
            }
        } finally {
            page.browser().resize(Browser.WIDE);
        }
    }

    private double width(String id) {
        return page.browser().field(id).getRect().width;
    }

    private String validationProblem(Map<String, String> added) {
        List<Object> set = new ArrayList<>();
        Http.get(service.serviceUrl() + "/api/mappings").json().path("mappings").forEach(set::add);
        set.add(added);
        Http.Answer answer = Http.post(service.serviceUrl() + "/api/mappings/validate", Http.json(set));
        assertThat(answer.status()).as(answer.body()).isEqualTo(400);
        return answer.json().path("problems").get(0).asText();
    }

    private Long errorId(SeedPerson p) {
        JsonNode rows = Http.get(service.serviceUrl() + "/api/sync-errors?text=" + p.intercom().id()).json().path("errors");
        for (JsonNode row : rows) {
            if (row.path("errorCode").asText().equals("STRING_TOO_LONG")) {
                return row.path("id").asLong();
            }
        }
        return null;
    }

    @Test
    void alertSettingsAreSavedFromThePageAndTheApisProblemsShown() {
        String url = service.serviceUrl();
        page.browser().open(url + "/");
        await().atMost(PATIENCE).until(() -> "50".equals(page.browser().field("alert-errors").getAttribute("value")));
        assertThat(page.browser().field("alert-enabled").isSelected()).isTrue();

        type("alert-recipients", "ops@example.com, not-an-address");
        type("alert-webhook", "ftp://hooks.example.com/x");
        type("alert-errors", "0");
        page.browser().click("alerts-save");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(page.browser().text("alerts-status")).isEqualTo("Not saved: fix the problems shown."));
        assertThat(page.browser().text("alerts-problems")).contains("alerts.recipients[1] is not an e-mail address: 'not-an-address'",
                "alerts.webhookUrl must be an http:// or https:// URL, not ftp:",
                "alerts.syncErrorsPerHour must be a whole number from 1 to 1000000");
        page.browser().screenshot("alerts-invalid-1280", "alerts");
        assertThat(Http.get(url + "/api/settings").json().path("alerts").path("recipients")).isEmpty();

        type("alert-recipients", "ops@example.com, oncall@example.com");
        type("alert-webhook", "https://hooks.example.com/crmsync?token=page-secret");
        type("alert-errors", "25");
        type("alert-lag", "600");
        type("alert-breaker", "120");
        type("alert-quiet", "30");
        page.browser().click("alerts-save");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(page.browser().text("alerts-status")).isEqualTo("Saved."));
        assertThat(page.browser().field("alerts-problems").isDisplayed()).isFalse();
        assertThat(page.browser().field("alert-webhook").getAttribute("value")).as("the token is not shown again")
                .isEqualTo("https://hooks.example.com/crmsync?***");

        JsonNode alerts = Http.get(url + "/api/settings").json().path("alerts");
        assertThat(alerts.toString()).isEqualTo("{\"enabled\":true,\"recipients\":[\"ops@example.com\",\"oncall@example.com\"],"
                + "\"webhookUrl\":\"https://hooks.example.com/crmsync?***\",\"syncErrorsPerHour\":25,\"eventSyncLagSeconds\":600,"
                + "\"circuitOpenSeconds\":120,\"quietPeriodMinutes\":30}");

        // saving again with the masked URL shown keeps the stored one; switching alerts off is kept too
        page.browser().click("alert-enabled");
        page.browser().click("alerts-save");
        await().atMost(PATIENCE).until(() -> !Http.get(url + "/api/settings").json().path("alerts").path("enabled").asBoolean());
        assertThat(service.bean("alertSettingsStore", io.github.crmsync.alerts.AlertSettingsStore.class).current()
                .webhookUrl()).isEqualTo("https://hooks.example.com/crmsync?token=page-secret");
        page.browser().open(url + "/");
        await().atMost(PATIENCE).until(() -> "30".equals(page.browser().field("alert-quiet").getAttribute("value")));
        assertThat(page.browser().field("alert-enabled").isSelected()).isFalse();
        page.browser().screenshot("alerts-1280", "alerts");
        page.browser().resize(Browser.NARROW);
        page.browser().screenshot("alerts-400", "alerts");
        page.browser().resize(Browser.WIDE);
    }

    private void type(String id, String text) {
        WebElement input = page.browser().field(id);
        input.clear();
        input.sendKeys(text);
    }
}

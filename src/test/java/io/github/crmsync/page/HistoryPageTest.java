package io.github.crmsync.page;

import io.github.crmsync.sandbox.seed.SeedPerson;
import io.github.crmsync.testing.Browser;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.IntercomClientForTests;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.SalesforceClient;
import io.github.crmsync.testing.SimulatedWorld;
import io.github.crmsync.testing.WholeService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.WebElement;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The page's History section in headless Chromium: a person searched by e-mail shows the values the
 * service wrote to their records, newest first, with the value before and after, the direction and
 * the sync type. Screenshots at 1280 and 400 px wide land in target/screenshots/.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HistoryPageTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @RegisterExtension
    static final WholeService whole = WholeService.inWorld(200).withSandboxMappings();
    private SimulatedWorld world;
    private RunningService service;
    private Browser browser;

    @BeforeAll
    void start() throws Exception {
        world = whole.world();
        service = whole.service();
        pollNow();
        browser = new Browser();
        browser.logIn(service.serviceUrl(), RunningService.ADMIN_USER, RunningService.ADMIN_PASSWORD);
    }

    @AfterAll
    void stop() throws Exception {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void aPersonSearchedByEmailShowsTheirTimelineNewestFirst() {
        SeedPerson p = world.unusedPerson(SimulatedWorld.inBoth(false));
        SalesforceClient salesforce = SalesforceClient.asOtherClient(world.salesforce.baseUrl());
        assertThat(salesforce.update("Contact", p.salesforce().id(), Map.of("Phone", "+1 555 0100 0001")).status()).isEqualTo(204);
        pollNow();
        assertThat(salesforce.update("Contact", p.salesforce().id(), Map.of("Phone", "+1 555 0100 0002")).status()).isEqualTo(204);
        pollNow();
        assertThat(new IntercomClientForTests(world.intercom.baseUrl()).update(p.intercom().id(),
                Map.of("custom_attributes", Map.of("nickname", "Page nick"))).status()).isEqualTo(200);
        await().atMost(PATIENCE).until(() -> Http.get(service.serviceUrl() + "/api/history?intercomId=" + p.intercom().id())
                .json().path("changes").size() == 3);

        browser.resize(Browser.WIDE);
        browser.open(service.serviceUrl() + "/#history");
        browser.choose("history-key", "email");
        browser.field("history-value").sendKeys(p.intercom().email());
        browser.click("history-find");
        await().atMost(PATIENCE).until(() -> browser.all("#history-rows tr[data-change]").size() == 3);

        List<String> rows = browser.all("#history-rows tr[data-change]").stream().map(WebElement::getText).toList();
        assertThat(rows.get(0)).contains("Nickname__c").contains("Page nick").contains("IC → SF").contains("EVENT");
        assertThat(rows.get(1)).contains("phone").contains("+1 555 0100 0001 → +1 555 0100 0002").contains("SF → IC");
        assertThat(rows.get(2)).contains("phone").contains("→ +1 555 0100 0001");
        assertThat(browser.text("history-status")).contains(p.salesforce().id()).contains(p.intercom().id());
        browser.screenshot("history-1280", "history");

        browser.resize(Browser.NARROW);
        try {
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(((Number) browser.script(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth")).intValue())
                    .as("no sideways scrolling at 400 px").isLessThanOrEqualTo(0));
            assertThat(browser.all("#history-rows tr[data-change]").get(1).getText())
                    .contains("+1 555 0100 0001 → +1 555 0100 0002");
            browser.screenshot("history-400", "history");
        } finally {
            browser.resize(Browser.WIDE);
        }
    }

    @Test
    void aSearchForSomeoneNeverWrittenSaysSo() {
        browser.open(service.serviceUrl() + "/#history");
        browser.choose("history-key", "intercomId");
        browser.field("history-value").sendKeys("no-such-contact");
        browser.click("history-find");
        await().atMost(PATIENCE).untilAsserted(() ->
                assertThat(browser.text("history-rows")).isEqualTo("Nothing written for this person."));
    }

    private void pollNow() {
        assertThat(Http.post(service.serviceUrl() + "/api/event-sync/run", "").status()).isEqualTo(200);
    }
}

package io.github.crmsync.page;

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
    @RegisterExtension
    static final LoggedInBrowser page = LoggedInBrowser.to(whole);
    private SimulatedWorld world;
    private RunningService service;

    @BeforeAll
    void start() throws Exception {
        world = whole.world();
        service = whole.service();
        pollNow();
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

        page.browser().resize(Browser.WIDE);
        page.browser().open(service.serviceUrl() + "/#history");
        page.browser().choose("history-key", "email");
        page.browser().field("history-value").sendKeys(p.intercom().email());
        page.browser().click("history-find");
        await().atMost(PATIENCE).until(() -> page.browser().all("#history-rows tr[data-change]").size() == 3);

        List<String> rows = page.browser().all("#history-rows tr[data-change]").stream().map(WebElement::getText).toList();
        assertThat(rows.get(0)).contains("Nickname__c").contains("Page nick").contains("IC → SF").contains("EVENT");
        assertThat(rows.get(1)).contains("phone").contains("+1 555 0100 0001 → +1 555 0100 0002").contains("SF → IC");
        assertThat(rows.get(2)).contains("phone").contains("→ +1 555 0100 0001");
        assertThat(page.browser().text("history-status")).contains(p.salesforce().id()).contains(p.intercom().id());
        page.browser().screenshot("history-1280", "history");

        page.browser().resize(Browser.NARROW);
        try {
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(((Number) page.browser().script(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth")).intValue())
                    .as("no sideways scrolling at 400 px").isLessThanOrEqualTo(0));
            assertThat(page.browser().all("#history-rows tr[data-change]").get(1).getText())
                    .contains("+1 555 0100 0001 → +1 555 0100 0002");
            page.browser().screenshot("history-400", "history");
        } finally {
            page.browser().resize(Browser.WIDE);
        }
    }

    @Test
    void aSearchForSomeoneNeverWrittenSaysSo() {
        page.browser().open(service.serviceUrl() + "/#history");
        page.browser().choose("history-key", "intercomId");
        page.browser().field("history-value").sendKeys("no-such-contact");
        page.browser().click("history-find");
        await().atMost(PATIENCE).untilAsserted(() ->
                assertThat(page.browser().text("history-rows")).isEqualTo("Nothing written for this person."));
    }

    private void pollNow() {
        assertThat(Http.post(service.serviceUrl() + "/api/event-sync/run", "").status()).isEqualTo(200);
    }
}

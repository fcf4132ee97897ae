package io.github.crmsync.page;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.crmsync.testing.Browser;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.LoggedInBrowser;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.WholeService;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import java.time.Duration;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The bulk-sync section's preview in headless Chromium: a preview started from the page shows what
 * the API found (pairs, ambiguous matches, the records and fields to update with examples, the calls,
 * requests and time the run would take), and its button starts the run from it. Screenshots at 1280
 * and 400 px wide land in target/screenshots/.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BulkPreviewPageTest {

    private static final Duration PATIENCE = Duration.ofSeconds(90);

    @RegisterExtension
    static final WholeService whole = WholeService.inWorld(300).withSandboxMappings();
    @RegisterExtension
    static final LoggedInBrowser page = LoggedInBrowser.to(whole);
    private RunningService service;

    @BeforeAll
    void start() throws Exception {
        service = whole.service();
    }

    @Test
    void aPreviewStartedFromThePageShowsItsFiguresAndStartsTheRun() {
        page.browser().resize(Browser.WIDE);
        page.browser().open(service.serviceUrl() + "/#bulk");
        await().atMost(PATIENCE).until(() -> page.browser().field("bulk-preview").isEnabled());
        page.browser().click("bulk-preview");
        await().atMost(PATIENCE).until(() -> "COMPLETED".equals(page.browser().field("preview").getAttribute("data-status"))
                && page.browser().field("preview-result").isDisplayed());

        long id = Long.parseLong(page.browser().text("preview-title").replace("Preview #", "").trim());
        JsonNode figures = Http.get(service.serviceUrl() + "/api/bulk-sync/preview/" + id).json().path("figures");
        assertThat(page.browser().text("preview-pairs")).isEqualTo(number(figures.path("pairsInCommon")));
        assertThat(page.browser().text("preview-ambiguous")).isEqualTo(number(figures.path("ambiguousMatches")));
        assertThat(page.browser().text("preview-unchanged")).isEqualTo(number(figures.path("unchanged")));
        JsonNode cost = figures.path("cost");
        assertThat(page.browser().text("preview-sf-calls")).startsWith(number(cost.path("salesforceCalls")) + " (")
                .contains(number(cost.path("salesforceWriteCalls")) + " to write: Collections of 200");
        assertThat(page.browser().text("preview-ic-requests")).startsWith(number(cost.path("intercomRequests")) + " (")
                .contains(number(cost.path("intercomWrites")) + " to write");
        assertThat(page.browser().text("preview-duration")).startsWith("about ").contains("rate-limit floor");
        for (JsonNode direction : figures.path("directions")) {
            String name = direction.path("direction").asText();
            assertThat(direction.path("records").asLong()).as(name).isPositive();
            assertThat(page.browser().text("preview-records-" + name)).endsWith(number(direction.path("records")) + " records to update");
            JsonNode field = direction.path("fields").get(0);
            WebElement row = page.browser().all("[data-direction='" + name + "'] tr[data-field='" + field.path("objectType").asText()
                    + " " + field.path("field").asText() + "']").get(0);
            assertThat(row.findElement(By.className("preview-field-records")).getText()).isEqualTo(number(field.path("records")));
            row.findElement(By.tagName("summary")).click();
            JsonNode sample = field.path("samples").get(0);
            assertThat(row.findElements(By.cssSelector(".preview-samples li"))).hasSize(field.path("samples").size());
            assertThat(row.findElement(By.cssSelector(".preview-samples li")).getText())
                    .contains(" → " + sample.path("after").asText())
                    .contains("(" + sample.path("salesforceId").asText() + " / " + sample.path("intercomId").asText() + ")");
        }
        // the page refreshes the preview every few seconds: the samples a reader opened stay open
        page.browser().script("window.previewRefreshes = 0; window.previewRedrawn = 0;"
                + "new MutationObserver(() => window.previewRefreshes++).observe(document.getElementById('preview-status'), {childList: true});"
                + "new MutationObserver(() => window.previewRedrawn++).observe(document.getElementById('preview-directions'), {childList: true});");
        await().atMost(PATIENCE).until(() -> ((Number) page.browser().script("return window.previewRefreshes")).intValue() >= 2);
        assertThat(((Number) page.browser().script("return window.previewRedrawn")).intValue()).as("the samples drawn again").isZero();
        assertThat(page.browser().all("#preview details[open]")).as("samples still open").hasSize(figures.path("directions").size());
        page.browser().screenshot("bulk-preview-1280", "preview");

        page.browser().resize(Browser.NARROW);
        try {
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(((Number) page.browser().script(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth")).intValue())
                    .as("no sideways scrolling at 400 px").isLessThanOrEqualTo(0));
            page.browser().screenshot("bulk-preview-400", "preview");
        } finally {
            page.browser().resize(Browser.WIDE);
        }

        await().atMost(PATIENCE).until(() -> page.browser().field("bulk-start-from-preview").isEnabled());
        page.browser().click("bulk-start-from-preview");
        await().atMost(PATIENCE).until(() -> {
            JsonNode runs = Http.get(service.serviceUrl() + "/api/bulk-sync/runs?limit=1").json().path("runs");
            return runs.size() == 1 && runs.get(0).path("previewId").asLong() == id
                    && "COMPLETED".equals(runs.get(0).path("status").asText());
        });
        JsonNode run = Http.get(service.serviceUrl() + "/api/bulk-sync/runs?limit=1").json().path("runs").get(0);
        assertThat(run.path("updatedInIntercom").asLong()).isEqualTo(figures.path("directions").get(0).path("records").asLong());
        assertThat(run.path("updatedInSalesforce").asLong()).isEqualTo(figures.path("directions").get(1).path("records").asLong());
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(page.browser().text("bulk-status")).startsWith("Run #" + run.path("id")));
    }

    /** A count as the page writes it (en-US grouping). */
    private static String number(JsonNode value) {
        return String.format(Locale.ROOT, "%,d", value.asLong());
    }
}

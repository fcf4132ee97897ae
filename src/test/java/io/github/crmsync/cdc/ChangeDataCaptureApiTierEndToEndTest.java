package io.github.crmsync.cdc;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.crmsync.mapping.ObjectType;
import io.github.crmsync.matching.RecordLinks;
import io.github.crmsync.sandbox.salesforce.SalesforceSimulator;
import io.github.crmsync.sandbox.seed.SeedPerson;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.IntercomClientForTests;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.SalesforceClient;
import io.github.crmsync.testing.SimulatedWorld;
import io.github.crmsync.testing.WholeService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * At the top Salesforce API usage tier (the inbox app only) the change-event subscriptions pause:
 * a change made meanwhile waits in Salesforce's retention, and when the tier drops the subscriptions
 * resume after the stored replay ids and the change arrives, once, without a poll. The events delivered
 * count against the org's event delivery allocation, which the usage answer reports.
 */
class ChangeDataCaptureApiTierEndToEndTest {

    @RegisterExtension
    static final WholeService whole = WholeService.inWorld(500)
            .with("crmsync.cdc.enabled", "true")
            .with("crmsync.cdc.lease-ms", "3000")
            .with("crmsync.cdc.backstop-poll-cron", "0 0 0 1 1 ? 2098")
            .with("crmsync.quota.limits-poll-cron", "* * * * * ?")
            .with("crmsync.quota.limits-poll-idle-ms", "1500")
            .with("crmsync.quota.tier-check-ms", "300")
            .withSandboxMappings();

    @Test
    void theSubscriptionsPauseAtTheTopTierAndResumeAfterTheStoredReplayIdWhenItDrops() {
        SimulatedWorld world = whole.world();
        RunningService service = whole.service();
        SalesforceClient otherApp = SalesforceClient.asOtherClient(world.salesforce.baseUrl());
        IntercomClientForTests intercom = new IntercomClientForTests(world.intercom.baseUrl());
        String usage = service.serviceUrl() + "/api/salesforce-usage";
        List<String> queries = new CopyOnWriteArrayList<>();
        world.salesforce.onQuery(queries::add);
        await().atMost(Duration.ofSeconds(60)).until(() -> world.salesforce.pubSubSubscriptions() == 2);
        SeedPerson before = linked(world, service);
        SeedPerson during = linked(world, service);
        // a first change: a replay id is stored
        assertThat(otherApp.update("Contact", before.salesforce().id(), Map.of("Title", "Before The Pause")).status())
                .isEqualTo(204);
        await().atMost(Duration.ofSeconds(30)).until(() -> world.intercom.updateCount(before.intercom().id()) == 1);

        world.salesforce.addApiRequests("other-client", 95_000);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(Http.get(usage).json().path("tier").asText()).isEqualTo("INBOX_APP_ONLY"));
        await().atMost(Duration.ofSeconds(30)).until(() -> world.salesforce.pubSubSubscriptions() == 0);
        assertThat(otherApp.update("Contact", during.salesforce().id(), Map.of("Title", "During The Pause")).status())
                .isEqualTo(204);
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                .until(() -> world.intercom.updateCount(during.intercom().id()) == 0);

        queries.clear();
        world.salesforce.resetApiRequests();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(Http.get(usage).json().path("tier").asText()).isEqualTo("ALL"));
        await().atMost(Duration.ofSeconds(30)).until(() -> world.salesforce.pubSubSubscriptions() == 2);
        await().atMost(Duration.ofSeconds(30)).until(() -> world.intercom.updateCount(during.intercom().id()) == 1);
        assertThat(intercom.get(during.intercom().id()).path("custom_attributes").path("job_title").asText())
                .isEqualTo("During The Pause");
        // (no Lead event stored a replay id: the Leads' subscription from now on is followed by their poll)
        assertThat(queries.stream().filter(q -> q.contains("FROM Contact")))
                .as("found by replay after the stored replay id, not by a poll").isEmpty();
        assertThat(world.intercom.updateCount(before.intercom().id())).as("not applied again").isEqualTo(1);

        // the change events cost no API request but count against the org's event delivery allocation,
        // which the usage answer gives as /limits reports it
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode delivery = Http.get(usage).json().path("eventDelivery");
            assertThat(delivery.path("max").asLong()).isEqualTo(SalesforceSimulator.DEFAULT_EVENT_DELIVERY_ALLOCATION);
            assertThat(delivery.path("used").asLong()).isEqualTo(world.salesforce.eventsDelivered()).isGreaterThanOrEqualTo(2);
        });
    }

    private static SeedPerson linked(SimulatedWorld world, RunningService service) {
        SeedPerson p = world.unusedPerson(SimulatedWorld.inBoth(false));
        service.bean("recordLinks", RecordLinks.class).link(ObjectType.CONTACT, p.salesforce().id(), p.intercom().id());
        return p;
    }
}

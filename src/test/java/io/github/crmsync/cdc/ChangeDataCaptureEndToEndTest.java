package io.github.crmsync.cdc;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.crmsync.mapping.AttributeMapping;
import io.github.crmsync.mapping.ObjectType;
import io.github.crmsync.mapping.SandboxMappings;
import io.github.crmsync.matching.RecordLinks;
import io.github.crmsync.sandbox.seed.SeedPerson;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.IntercomClientForTests;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.SalesforceClient;
import io.github.crmsync.testing.SimulatedWorld;
import io.github.crmsync.testing.WholeService;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Salesforce → Intercom through change events, the service against both simulators (the Salesforce
 * one serving the Pub/Sub API): a change arrives without any poll; what the service wrote itself,
 * unmapped fields and unlinked records cost nothing; a restart resumes after the stored replay id;
 * a replay id whose events expired falls back to the poll from its watermark.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChangeDataCaptureEndToEndTest {

    @RegisterExtension
    static final WholeService whole = WholeService.inWorld(600)
            .with("crmsync.cdc.enabled", "true")
            .with("crmsync.cdc.lease-ms", "3000")
            // no scheduled poll within a test: what arrives, arrives by change event (or a poll the test asks for)
            .with("crmsync.cdc.backstop-poll-cron", "0 0 0 1 1 ? 2098");
    private SimulatedWorld world;
    private RunningService service;
    private SalesforceClient otherApp;
    private IntercomClientForTests intercom;
    private final List<String> queries = new CopyOnWriteArrayList<>();

    @BeforeAll
    void start() {
        world = whole.world();
        service = whole.service();
        for (AttributeMapping mapping : SandboxMappings.defaults().all()) {
            Http.Answer created = Http.post(service.serviceUrl() + "/api/mappings", Http.json(Map.of(
                    "objectType", mapping.objectType().name(), "intercomAttribute", mapping.intercomAttribute(),
                    "salesforceField", mapping.salesforceField(), "direction", mapping.direction().name())));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
        }
        otherApp = SalesforceClient.asOtherClient(world.salesforce.baseUrl());
        intercom = new IntercomClientForTests(world.intercom.baseUrl());
        world.salesforce.onQuery(queries::add);
        awaitSubscribed();
    }

    private void awaitSubscribed() {
        await().atMost(Duration.ofSeconds(60)).until(() -> world.salesforce.pubSubSubscriptions() == 2);
    }

    private ChangeEventSync events() {
        return service.bean("changeEventSync", ChangeEventSync.class);
    }

    private SeedPerson linkedContact() {
        SeedPerson p = world.unusedPerson(SimulatedWorld.inBoth(false));
        service.bean("recordLinks", RecordLinks.class).link(ObjectType.CONTACT, p.salesforce().id(), p.intercom().id());
        return p;
    }

    @Test
    @Order(0)
    void theSalesforcePollBecomesTheBackstopAndTheIntercomPollKeepsItsInterval() {
        // the world's crmsync.event.poll-cron is the year 2099; the backstop's, 2098
        assertThat(service.context().getRoute("salesforce-changes-poll").getEndpoint().getEndpointUri()).contains("2098");
        assertThat(service.context().getRoute("intercom-contacts-poll").getEndpoint().getEndpointUri()).contains("2099");
    }

    @Test
    @Order(1)
    void aSalesforceChangeReachesIntercomWithoutAPoll() {
        SeedPerson p = linkedContact();
        queries.clear();
        long intercomRequests = world.intercom.requestCount();

        assertThat(otherApp.update("Contact", p.salesforce().id(), Map.of("Phone", "+1 555 0177 0001",
                "Title", "Head of Events")).status()).isEqualTo(204);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode contact = intercom.get(p.intercom().id());
            assertThat(contact.path("phone").asText()).isEqualTo("+1 555 0177 0001");
            assertThat(contact.path("custom_attributes").path("job_title").asText()).isEqualTo("Head of Events");
        });
        assertThat(queries).as("no SOQL query found the change").isEmpty();
        // one read of the contact, one write (the test's own read above is one more per try: not counted here)
        assertThat(world.intercom.updateCount(p.intercom().id())).isEqualTo(1);
        assertThat(world.intercom.requestCount() - intercomRequests).isGreaterThanOrEqualTo(2);
        assertThat(service.bean("replayIds", ReplayIds.class).get("/data/ContactChangeEvent")).isPresent();
    }

    @Test
    @Order(2)
    void ownWritesUnmappedFieldsAndUnlinkedRecordsCostNothing() {
        SeedPerson linked = linkedContact();
        SeedPerson unlinked = world.unusedPerson(SimulatedWorld.inBoth(false));
        SalesforceClient asTheService = SalesforceClient.login(world.salesforce.baseUrl(), "sandbox-client", "sandbox-secret");
        long received = events().received();
        long ignored = events().ignored();
        long intercomRequests = world.intercom.requestCount();
        queries.clear();

        assertThat(otherApp.update("Contact", linked.salesforce().id(), Map.of("Description", "not mapped")).status())
                .isEqualTo(204);
        assertThat(asTheService.update("Contact", linked.salesforce().id(), Map.of("Phone", "+1 555 0177 0002")).status())
                .isEqualTo(204);
        assertThat(otherApp.update("Contact", unlinked.salesforce().id(), Map.of("Phone", "+1 555 0177 0003")).status())
                .isEqualTo(204);

        await().atMost(Duration.ofSeconds(30)).until(() -> events().received() >= received + 3);
        assertThat(events().ignored() - ignored).isEqualTo(3);
        assertThat(world.intercom.requestCount()).as("no Intercom request").isEqualTo(intercomRequests);
        assertThat(queries).as("no Salesforce query").isEmpty();
    }

    @Test
    @Order(3)
    void aRestartResumesAfterTheStoredReplayId() throws Exception {
        SeedPerson p = linkedContact();
        Map<String, String> properties = new LinkedHashMap<>(world.serviceProperties());
        properties.put("crmsync.cdc.enabled", "true");
        properties.put("crmsync.cdc.lease-ms", "3000");
        properties.put("crmsync.cdc.backstop-poll-cron", "0 0 0 1 1 ? 2098");
        whole.stopService();
        await().atMost(Duration.ofSeconds(30)).until(() -> world.salesforce.pubSubSubscriptions() == 0);

        // made while no replica subscribes: waits on the bus
        assertThat(otherApp.update("Contact", p.salesforce().id(), Map.of("Title", "Changed While Down")).status())
                .isEqualTo(204);
        queries.clear();
        RunningService again = RunningService.start(properties);
        SeedPerson q;
        try {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(intercom.get(p.intercom().id())
                    .path("custom_attributes").path("job_title").asText()).isEqualTo("Changed While Down"));
            assertThat(queries).as("found by replay, not by a poll").isEmpty();
            assertThat(world.intercom.updateCount(p.intercom().id())).isEqualTo(1);
            q = linkedContactIn(again);
        } finally {
            again.close();
        }

        // events after the stored replay id expire while no replica subscribes: the poll catches up
        await().atMost(Duration.ofSeconds(30)).until(() -> world.salesforce.pubSubSubscriptions() == 0);
        assertThat(otherApp.update("Contact", q.salesforce().id(), Map.of("Title", "Expired Event")).status())
                .isEqualTo(204);
        world.salesforce.setChangeEventRetention(Duration.ZERO);
        world.salesforce.setChangeEventRetention(Duration.ofHours(72));
        RunningService third = RunningService.start(properties);
        try {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(intercom.get(q.intercom().id())
                    .path("custom_attributes").path("job_title").asText()).isEqualTo("Expired Event"));
            assertThat(queries).as("the poll read it").isNotEmpty();
            await().atMost(Duration.ofSeconds(30)).until(() -> world.salesforce.pubSubSubscriptions() == 2);
        } finally {
            third.close();
        }
    }

    private SeedPerson linkedContactIn(RunningService running) {
        SeedPerson p = world.unusedPerson(SimulatedWorld.inBoth(false));
        running.bean("recordLinks", RecordLinks.class).link(ObjectType.CONTACT, p.salesforce().id(), p.intercom().id());
        return p;
    }
}

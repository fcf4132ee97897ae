package io.github.crmsync.eventsync;

import io.github.crmsync.sandbox.seed.SeedPerson;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.IntercomClientForTests;
import io.github.crmsync.testing.SimulatedWorld;
import io.github.crmsync.testing.WholeService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A batch whose Salesforce calls take longer than the claim lease is written once: the replica
 * writing it renews its claim, so neither the timer nor "poll now" takes it a second time.
 */
class EventSyncSlowWriteEndToEndTest {

    private static final int CHANGES = 30;

    @RegisterExtension
    static final WholeService whole = WholeService.inWorld(300).withSandboxMappings()
            .with("crmsync.event.intercom-claim-lease-ms", "1000")
            .with("crmsync.event.intercom-batch-window-ms", "200");

    @Test
    void aBatchWhoseWriteOutlastsTheClaimLeaseIsWrittenOnce() {
        SimulatedWorld world = whole.world();
        List<SeedPerson> people = new ArrayList<>();
        for (int i = 0; i < world.seed.people() && people.size() < CHANGES; i++) {
            SeedPerson p = world.seed.person(i);
            if (!p.lead() && p.salesforce() != null && p.intercom() != null && !world.sharesEmail(i)) {
                people.add(p);
            }
        }
        Map<String, Long> writesBefore = new LinkedHashMap<>();
        people.forEach(p -> writesBefore.put(p.salesforce().id(), world.salesforce.writeCount("Contact", p.salesforce().id())));
        // each Salesforce call (the batch's read, then its update) takes longer than the whole lease
        world.salesforce.faults().set(1500, 0, 0, 0);

        IntercomClientForTests intercom = new IntercomClientForTests(world.intercom.baseUrl());
        for (SeedPerson p : people) {
            assertThat(intercom.update(p.intercom().id(), Map.of("custom_attributes", Map.of("seats", seats(p)))).status())
                    .isEqualTo(200);
        }
        // "poll now" claims whatever is free while the timer's batch is being written
        CompletableFuture<Integer> runNow = CompletableFuture.supplyAsync(
                () -> Http.post(whole.service().serviceUrl() + "/api/event-sync/run", "").status());
        await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
            for (SeedPerson p : people) {
                Object value = world.salesforce.record("Contact", p.salesforce().id()).orElseThrow().get("Seats__c");
                assertThat(((Number) value).intValue()).isEqualTo(seats(p));
            }
        });
        assertThat(runNow.join()).isEqualTo(200);
        world.salesforce.faults().set(0, 0, 0, 0);

        Map<String, Long> notWrittenOnce = new LinkedHashMap<>();
        people.forEach(p -> {
            long writes = world.salesforce.writeCount("Contact", p.salesforce().id()) - writesBefore.get(p.salesforce().id());
            if (writes != 1) {
                notWrittenOnce.put(p.salesforce().id(), writes);
            }
        });
        assertThat(notWrittenOnce).as("records not written exactly once (id -> writes)").isEmpty();
    }

    private static int seats(SeedPerson p) {
        return 900 + p.index() % 50;
    }
}

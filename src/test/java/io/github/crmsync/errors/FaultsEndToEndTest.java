package io.github.crmsync.errors;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Both simulators failing as the real services do now and then (5xx, 429 / concurrent-request
 * limit, dropped connections, an expired session mid-run): every change ends either synced or as
 * exactly one sync-error row, none lost and none written twice; once the faults stop, retrying all
 * errors empties the list.
 */
class FaultsEndToEndTest {

    private static final int CHANGES = 40;

    // one redelivery only, so that some changes do end as error rows for the retry to clear
    @RegisterExtension
    static final WholeService whole = WholeService.inWorld(1000)
            .with("crmsync.event.poll-cron", "0/2 * * * * ?")
            .with("crmsync.retry.max-redeliveries", "1")
            .with("crmsync.retry.initial-delay-ms", "50")
            .with("crmsync.retry.max-delay-ms", "500")
            .with("crmsync.retry.circuit-open-ms", "500")
            .with("crmsync.event.intercom-claim-lease-ms", "10000")
            .withSandboxMappings();

    @Test
    void underInjectedFaultsEveryChangeEndsSyncedOrAsOneErrorRowAndRetryingAllEmptiesTheList() throws Exception {
        SimulatedWorld world = whole.world();
        RunningService service = whole.service();
        SalesforceClient[] salesforce = {SalesforceClient.asOtherClient(world.salesforce.baseUrl())};
        IntercomClientForTests intercom = new IntercomClientForTests(world.intercom.baseUrl());
        // a first poll sets the watermarks before anything changes
        assertThat(Http.post(service.serviceUrl() + "/api/event-sync/run", "").status()).isEqualTo(200);

        world.salesforce.faults().update(Map.of("serverErrorRate", 0.10, "tooManyRequestsRate", 0.05,
                "dropConnectionRate", 0.02));
        world.intercom.faults().update(Map.of("serverErrorRate", 0.10, "tooManyRequestsRate", 0.05,
                "dropConnectionRate", 0.02));

        List<SeedPerson> fromIntercom = new ArrayList<>();
        List<SeedPerson> fromSalesforce = new ArrayList<>();
        for (int i = 0; i < CHANGES; i++) {
            SeedPerson a = world.unusedPerson(SimulatedWorld.inBoth(i % 2 == 0));
            fromIntercom.add(a);
            // the test's own requests meet the faults too: send until one gets through
            untilAccepted(() -> intercom.update(a.intercom().id(),
                    Map.of("custom_attributes", Map.of("nickname", "Nick " + a.index()))), 200);
            SeedPerson b = world.unusedPerson(SimulatedWorld.inBoth(i % 2 == 0));
            fromSalesforce.add(b);
            untilAccepted(() -> salesforce[0].update(b.salesforce().type(), b.salesforce().id(),
                    Map.of("Phone", "+1 555 0177 " + String.format("%04d", b.index()))), 204);
            if (i == CHANGES / 2) {
                world.salesforce.expireAllTokens();
                // the test's own session is gone too: log in again (through the faults)
                salesforce[0] = await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                        .until(() -> SalesforceClient.asOtherClient(world.salesforce.baseUrl()), c -> c != null);
            }
        }

        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            for (SeedPerson p : fromIntercom) {
                boolean synced = ("Nick " + p.index()).equals(salesforceValue(world, p, "Nickname__c"));
                assertThat(synced ? 0 : 1).as("Intercom change of %s: synced or one error row", p.intercom().id())
                        .isEqualTo(errorRows(service, "INTERCOM_TO_SALESFORCE", p.intercom().id()));
            }
            for (SeedPerson p : fromSalesforce) {
                boolean synced = ("+1 555 0177 " + String.format("%04d", p.index()))
                        .equals(world.intercom.contact(p.intercom().id()).orElseThrow().get("phone"));
                assertThat(synced ? 0 : 1).as("Salesforce change of %s: synced or one error row", p.salesforce().id())
                        .isEqualTo(errorRows(service, "SALESFORCE_TO_INTERCOM", p.salesforce().id()));
            }
        });
        for (SeedPerson p : fromIntercom) {
            boolean synced = ("Nick " + p.index()).equals(salesforceValue(world, p, "Nickname__c"));
            assertThat(world.salesforce.writeCount(p.salesforce().type(), p.salesforce().id()))
                    .as("Salesforce record %s written once if synced, else never", p.salesforce().id())
                    .isEqualTo(synced ? 1 : 0);
        }
        for (SeedPerson p : fromSalesforce) {
            boolean synced = ("+1 555 0177 " + String.format("%04d", p.index()))
                    .equals(world.intercom.contact(p.intercom().id()).orElseThrow().get("phone"));
            assertThat(world.intercom.updateCount(p.intercom().id()))
                    .as("Intercom contact %s updated once if synced, else never", p.intercom().id())
                    .isEqualTo(synced ? 1 : 0);
        }

        world.salesforce.faults().update(Map.of("serverErrorRate", 0, "tooManyRequestsRate", 0, "dropConnectionRate", 0));
        world.intercom.faults().update(Map.of("serverErrorRate", 0, "tooManyRequestsRate", 0, "dropConnectionRate", 0));
        long rows = Http.get(service.serviceUrl() + "/api/sync-errors?direction=ALL").json().path("total").asLong();
        System.out.printf("Under faults: %d of %d changes ended as error rows; Intercom answered 429 %d times%n",
                rows, 2 * CHANGES, world.intercom.rateLimitedCount());
        Http.Answer retried = Http.post(service.serviceUrl() + "/api/sync-errors/retry?direction=ALL", "");
        assertThat(retried.status()).as(retried.body()).isEqualTo(200);
        assertThat(retried.json().path("resolved").asLong()).as(retried.body()).isEqualTo(rows);
        assertThat(Http.get(service.serviceUrl() + "/api/sync-errors?direction=ALL").json().path("total").asLong())
                .as("no error left after the retry").isZero();
        for (SeedPerson p : fromIntercom) {
            assertThat(salesforceValue(world, p, "Nickname__c")).isEqualTo("Nick " + p.index());
        }
        for (SeedPerson p : fromSalesforce) {
            assertThat(world.intercom.contact(p.intercom().id()).orElseThrow().get("phone"))
                    .isEqualTo("+1 555 0177 " + String.format("%04d", p.index()));
        }
    }

    /** Sends the request again until it is accepted (one request at a time, so it is applied once). */
    private static void untilAccepted(Supplier<Http.Answer> request, int status) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                if (request.get().status() == status) {
                    return;
                }
            } catch (IllegalStateException dropped) {
                // the simulator dropped the connection: nothing was applied
            }
            assertThat(System.nanoTime()).as("accepted within 30 s").isLessThan(deadline);
        }
    }

    private static Object salesforceValue(SimulatedWorld world, SeedPerson p, String field) {
        return world.salesforce.record(p.salesforce().type(), p.salesforce().id()).orElseThrow().get(field);
    }

    private static int errorRows(RunningService service, String direction, String id) {
        JsonNode list = Http.get(service.serviceUrl() + "/api/sync-errors?size=500&direction=" + direction + "&text=" + id).json();
        return list.path("errors").size();
    }
}

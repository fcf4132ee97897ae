package io.github.crmsync.intercom;

import io.github.crmsync.errors.CircuitBreakers;
import io.github.crmsync.sandbox.seed.SeedPerson;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.SalesforceClient;
import io.github.crmsync.testing.SimulatedWorld;
import io.github.crmsync.testing.WholeService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The service behind a load balancer that drops idle keep-alive connections to Intercom without
 * notice: every poll after an idle period still writes its change, with no sync error and no
 * failed call counted against the Intercom circuit breaker.
 */
class IdleConnectionsEndToEndTest {

    private static IdleClosingProxy loadBalancer;

    @RegisterExtension
    static final WholeService whole = WholeService.inWorld(600)
            .beforeStart((world, properties, directory) -> {
                loadBalancer = new IdleClosingProxy("127.0.0.1", world.intercom.port(), 300);
                properties.put("crmsync.intercom.base-url", loadBalancer.baseUrl());
                return loadBalancer;
            })
            .withSandboxMappings();

    @Test
    void changesAfterAnIdlePeriodReachIntercomWithoutAnErrorRow() throws Exception {
        SimulatedWorld world = whole.world();
        RunningService service = whole.service();
        pollNow(service);
        SalesforceClient salesforce = SalesforceClient.asOtherClient(world.salesforce.baseUrl());
        for (int round = 1; round <= 3; round++) {
            // idle until the load balancer has dropped every connection the service's pool holds
            await().atMost(Duration.ofSeconds(30)).until(() -> loadBalancer.open() == 0);
            SeedPerson person = world.unusedPerson(SimulatedWorld.inBoth(false));
            String phone = "+1 555 0160 000" + round;
            assertThat(salesforce.update("Contact", person.salesforce().id(), Map.of("Phone", phone)).status())
                    .isEqualTo(204);
            pollNow(service);
            assertThat(world.intercom.contact(person.intercom().id()).orElseThrow().get("phone"))
                    .as("round %d's change in Intercom", round).isEqualTo(phone);
        }
        assertThat(loadBalancer.closedIdle()).as("connections dropped while idle").isGreaterThanOrEqualTo(3);
        Http.Answer errors = Http.get(service.serviceUrl() + "/api/sync-errors?direction=ALL");
        assertThat(errors.json().path("total").asInt()).as(errors.body()).isZero();
        assertThat(service.bean("circuitBreakers", CircuitBreakers.class).intercom().getMetrics()
                .getNumberOfFailedCalls()).as("Intercom calls that failed").isZero();
    }

    private static void pollNow(RunningService service) {
        Http.Answer answer = Http.post(service.serviceUrl() + "/api/event-sync/run", "");
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    }
}

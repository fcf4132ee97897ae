package io.github.crmsync.intercom;

import io.github.crmsync.errors.CircuitBreakers;
import io.github.crmsync.mapping.MappingStore;
import io.github.crmsync.mapping.SandboxMappings;
import io.github.crmsync.sandbox.seed.SeedPerson;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.SalesforceClient;
import io.github.crmsync.testing.SimulatedWorld;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
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

    @TempDir
    Path dataDir;

    @Test
    void changesAfterAnIdlePeriodReachIntercomWithoutAnErrorRow() throws Exception {
        try (SimulatedWorld world = new SimulatedWorld(dataDir, 600);
             IdleClosingProxy loadBalancer = new IdleClosingProxy("127.0.0.1", world.intercom.port(), 300)) {
            Map<String, String> properties = world.serviceProperties();
            properties.put("crmsync.intercom.base-url", loadBalancer.baseUrl());
            try (RunningService service = RunningService.start(properties)) {
                service.bean("mappingStore", MappingStore.class).seedIfEmpty(SandboxMappings.defaults());
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
        }
    }

    private static void pollNow(RunningService service) {
        Http.Answer answer = Http.post(service.serviceUrl() + "/api/event-sync/run", "");
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    }
}

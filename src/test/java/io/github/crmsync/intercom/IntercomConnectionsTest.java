package io.github.crmsync.intercom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crmsync.sandbox.intercom.IntercomSimulator;
import io.github.crmsync.sandbox.intercom.IntercomSimulatorSettings;
import io.github.crmsync.sandbox.seed.SeedData;
import io.github.crmsync.sandbox.seed.SeedPerson;
import io.github.crmsync.testing.IntercomRoutes;
import org.apache.camel.component.http.HttpEndpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Intercom client against a load balancer that closes idle keep-alive connections without
 * notice: requests after an idle period still succeed, every contact goes through the same few
 * endpoints (one connection pool), and contact ids are encoded in the path.
 */
class IntercomConnectionsTest {

    private static final SeedData SEED = new SeedData(SeedData.DEFAULT_SEED, 300);
    private final ObjectMapper json = new ObjectMapper();
    private IntercomSimulator simulator;
    private IdleClosingProxy loadBalancer;
    private IntercomRoutes routes;
    private IntercomConnections connections;

    private IntercomClient start(Duration validateAfter) throws Exception {
        simulator = new IntercomSimulator(IntercomSimulatorSettings.defaults().withPort(0), SEED);
        simulator.start();
        loadBalancer = new IdleClosingProxy("127.0.0.1", simulator.port(), 300);
        routes = IntercomRoutes.start(loadBalancer.baseUrl(), 20, validateAfter);
        connections = routes.connections;
        return routes.client;
    }

    @AfterEach
    void stop() throws Exception {
        if (routes != null) {
            routes.close();
        }
        if (loadBalancer != null) {
            loadBalancer.close();
        }
        if (simulator != null) {
            simulator.close();
        }
    }

    @Test
    void requestsAfterTheLoadBalancerClosedIdleConnectionsSucceed() throws Exception {
        IntercomClient intercom = start(Duration.ofSeconds(1));
        List<SeedPerson> people = contacts(4);
        for (int round = 1; round <= 4; round++) {
            exerciseEveryOperation(intercom, people.get(round - 1), "+1 555 0100 000" + round);
            // idle until the load balancer has dropped every connection the pool still holds
            await().atMost(Duration.ofSeconds(30)).until(() -> loadBalancer.open() == 0);
        }
        assertThat(loadBalancer.closedIdle()).isGreaterThanOrEqualTo(4);
        assertThat(loadBalancer.accepted()).as("new connections replaced the closed ones").isGreaterThan(1);
    }

    @Test
    void aConnectionClosedRightAfterAnAnswerIsRetriedOnceAtOnce() throws Exception {
        // no check before reuse within the hour: only the retry can save a request on a closed connection
        IntercomClient intercom = start(Duration.ofHours(1));
        List<SeedPerson> people = contacts(3);
        for (int round = 1; round <= 3; round++) {
            exerciseEveryOperation(intercom, people.get(round - 1), "+1 555 0200 000" + round);
            await().atMost(Duration.ofSeconds(30)).until(() -> loadBalancer.open() == 0);
        }
    }

    @Test
    void everyContactGoesThroughTheSameEndpointsWithItsIdEncoded() throws Exception {
        IntercomClient intercom = start(Duration.ofSeconds(1));
        int endpointsBefore = httpEndpoints();
        for (SeedPerson p : contacts(40)) {
            intercom.update(p.intercom().id(), Map.of("phone", "+1 555 0300 " + p.index()));
            assertThat(intercom.get(p.intercom().id()).path("phone").asText()).isEqualTo("+1 555 0300 " + p.index());
        }
        // the routes' own: GET and PUT /contacts, POST /contacts/search, GET /data_attributes
        assertThat(endpointsBefore).as("an endpoint per operation").isEqualTo(4);
        assertThat(httpEndpoints()).as("none more for the contacts").isEqualTo(endpointsBefore);
        assertThat(connections.openConnections()).as("connections reused, not one per contact").isLessThanOrEqualTo(2);

        IntercomApiException unknown = org.junit.jupiter.api.Assertions.assertThrows(IntercomApiException.class,
                () -> intercom.get("../data_attributes?model=contact#"));
        assertThat(unknown.status()).as("an id with path characters stays one path segment").isEqualTo(404);
        assertThat(IntercomClient.encode("a b/c?d#e+f")).isEqualTo("a%20b%2Fc%3Fd%23e%2Bf");
    }

    /** A search (POST), a read and an update, each expected to succeed. */
    private void exerciseEveryOperation(IntercomClient intercom, SeedPerson person, String phone) {
        String id = person.intercom().id();
        JsonNode query = json.createObjectNode().put("field", "id").put("operator", "=").put("value", id);
        assertThat(intercom.searchAll(query)).extracting(c -> c.path("id").asText()).containsExactly(id);
        intercom.update(id, Map.of("phone", phone));
        assertThat(intercom.get(id).path("phone").asText()).isEqualTo(phone);
    }

    private int httpEndpoints() {
        return (int) routes.camel.getEndpoints().stream().filter(e -> e instanceof HttpEndpoint).count();
    }

    private static List<SeedPerson> contacts(int count) {
        List<SeedPerson> found = new ArrayList<>();
        IntStream.range(0, SEED.people()).mapToObj(SEED::person).filter(p -> p.intercom() != null)
                .limit(count).forEach(found::add);
        return found;
    }
}

package io.github.crmsync.intercom;

import io.github.crmsync.sandbox.intercom.IntercomSimulator;
import io.github.crmsync.sandbox.intercom.IntercomSimulatorSettings;
import io.github.crmsync.sandbox.seed.SeedData;
import io.github.crmsync.sandbox.seed.SeedPerson;
import io.github.crmsync.testing.IntercomRoutes;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The Intercom call routes (routes/intercom-api.camel.yaml) against the simulator: the "intercom"
 * circuit breaker opens on 5xx but not on Intercom's refusals, and after a 429 the next request
 * waits for the rate-limit window to reset.
 */
class IntercomCallRoutesTest {

    private static final SeedData SEED = new SeedData(SeedData.DEFAULT_SEED, 100);
    private IntercomSimulator simulator;
    private IntercomRoutes routes;

    @BeforeEach
    void start() throws Exception {
        simulator = new IntercomSimulator(IntercomSimulatorSettings.defaults().withPort(0), SEED);
        simulator.start();
        routes = IntercomRoutes.start(simulator.baseUrl(), Duration.ofMinutes(5));
    }

    @AfterEach
    void stop() {
        routes.close();
        simulator.close();
    }

    @Test
    void refusalsComeBackInIntercomsWordsAndLeaveTheBreakerClosed() {
        for (int i = 0; i < 25; i++) {
            IntercomApiException refused = assertThrows(IntercomApiException.class, () -> routes.client.get("no-such-contact"));
            assertThat(refused.status()).isEqualTo(404);
            assertThat(refused.code()).isEqualTo("not_found");
        }
        assertThat(routes.breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(routes.client.requestCount()).isEqualTo(25);
        assertThat(routes.client.get(person().intercom().id()).path("id").asText()).isEqualTo(person().intercom().id());
    }

    @Test
    void serverErrorsOpenTheBreakerWhichThenRefusesCallsWithoutSendingThem() {
        simulator.faults().update(Map.of("serverErrorRate", 1.0));
        for (int i = 0; i < 10; i++) {
            IntercomApiException failed = assertThrows(IntercomApiException.class,
                    () -> routes.client.get(person().intercom().id()));
            assertThat(failed.status()).isIn(500, 503);
            assertThat(failed.transientFault()).isTrue();
        }
        assertThat(routes.breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
        long served = simulator.requestCount();
        assertThrows(CallNotPermittedException.class, () -> routes.client.update(person().intercom().id(), Map.of("phone", "1")));
        assertThat(simulator.requestCount()).as("nothing sent while the breaker is open").isEqualTo(served);
        assertThat(routes.client.requestCount()).isEqualTo(10);
    }

    @Test
    void afterATooManyRequestsAnswerTheNextRequestWaitsForTheWindowToReset() {
        String id = person().intercom().id();
        long reset;
        long askedAt;
        do { // a 429 early enough in its 10-second window that the wait for its end is plain to see
            simulator.faults().update(Map.of("tooManyRequestsRate", 1.0));
            IntercomApiException limited = assertThrows(IntercomApiException.class, () -> routes.client.get(id));
            assertThat(limited.status()).isEqualTo(429);
            assertThat(limited.code()).isEqualTo("rate_limit_exceeded");
            simulator.faults().update(Map.of("tooManyRequestsRate", 0.0));
            askedAt = System.currentTimeMillis();
            reset = Math.floorDiv(askedAt, 10_000L) * 10_000L + 10_000L;
        } while (reset - askedAt < 1_000);
        assertThat(routes.client.get(id).path("id").asText()).isEqualTo(id);
        assertThat(System.currentTimeMillis()).as("answered once the window had reset").isGreaterThanOrEqualTo(reset);
        assertThat(routes.breaker.getMetrics().getNumberOfFailedCalls()).as("a 429 is no failure of Intercom").isZero();
    }

    private static SeedPerson person() {
        return IntStream.range(0, SEED.people()).mapToObj(SEED::person).filter(p -> p.intercom() != null)
                .findFirst().orElseThrow();
    }
}

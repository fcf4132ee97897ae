package io.github.crmsync.intercom;

import io.github.crmsync.errors.CircuitBreakers;
import io.github.crmsync.errors.FailedWork;
import io.github.crmsync.metrics.SyncMetrics;
import io.github.crmsync.testing.RouteTests;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.apache.camel.BindToRegistry;
import org.apache.camel.Exchange;
import org.apache.camel.Produce;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.Route;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.apache.camel.test.main.junit5.Configure;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The intercom-call template (routes/intercom-api.camel.yaml) as the service loads it, in a Camel Main
 * of its own: the https: endpoint to Intercom is mocked and skipped, the mock answering as Intercom's
 * REST API documents (status, error.list body, X-RateLimit-Remaining/Reset in epoch seconds). The
 * "intercom" circuit breaker opens on 5xx but not on Intercom's refusals, and after a 429 the next
 * request waits for the rate-limit window to reset. (Redelivery of a 5xx is the calling flow's: see
 * SalesforceToIntercomRoutesTest.)
 */
@CamelMainTest(propertyPlaceholderLocations = RouteTests.PROPERTIES, mockEndpointsAndSkip = "https:*")
class IntercomCallRoutesTest {

    private static final String CONTACT = "{\"type\":\"contact\",\"id\":\"6571a0c2e4b0\",\"role\":\"user\"}";

    @BindToRegistry("intercomRateLimit")
    private final IntercomRateLimit rateLimit = new IntercomRateLimit(Clock.systemUTC(), 8);
    @BindToRegistry("intercomAnswers")
    private final IntercomAnswers answers = new IntercomAnswers(rateLimit, SyncMetrics.none());
    @BindToRegistry("intercomCircuitBreaker")
    private final CircuitBreaker breaker = new CircuitBreakers(Duration.ofMinutes(5)).intercom();

    /** When each request reached Intercom (the mock), in epoch milliseconds. */
    private final List<Long> sentAt = new CopyOnWriteArrayList<>();
    private volatile Answer answer = new Answer(200, CONTACT, Map.of());

    @Produce
    private ProducerTemplate template;
    private IntercomClient client;

    record Answer(int status, String body, Map<String, String> headers) {
    }

    @Configure
    protected void configure(MainConfigurationProperties main) {
        main.withRoutesIncludePattern(RouteTests.routes("intercom-api"));
    }

    @BeforeEach
    void answerAsTold() {
        client = new IntercomClient(template, "test-token");
        intercom().whenAnyExchangeReceived(exchange -> {
            sentAt.add(System.currentTimeMillis());
            Answer now = answer;
            exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, now.status());
            now.headers().forEach(exchange.getMessage()::setHeader);
            exchange.getMessage().setBody(now.body());
        });
    }

    @Test
    void everyIntercomOperationIsACallRouteToItsResource() {
        assertThat(template.getCamelContext().getRoutes().stream().filter(FailedWork::isCallRoute).map(Route::getRouteId))
                .containsExactlyInAnyOrder("intercom-search-contacts", "intercom-list-contacts", "intercom-get-contact",
                        "intercom-update-contact", "intercom-data-attributes");

        client.update("6571a0c2e4b0", Map.of("phone", "+33 1 23 45 67 89"));

        MockEndpoint contacts = intercom();
        assertThat(contacts.getReceivedCounter()).isEqualTo(1);
        Exchange put = contacts.getReceivedExchanges().get(0);
        assertThat(put.getMessage().getHeader(Exchange.HTTP_PATH)).isEqualTo("/6571a0c2e4b0");
        assertThat(put.getMessage().getHeader("Authorization")).isEqualTo("Bearer test-token");
        assertThat(put.getMessage().getBody(String.class)).isEqualTo("{\"phone\":\"+33 1 23 45 67 89\"}");
    }

    @Test
    void refusalsComeBackInIntercomsWordsAndLeaveTheBreakerClosed() {
        answer = new Answer(404, error("not_found", "User Not Found"), Map.of());
        for (int i = 0; i < 25; i++) {
            IntercomApiException refused = assertThrows(IntercomApiException.class, () -> client.get("no-such-contact"));
            assertThat(refused.status()).isEqualTo(404);
            assertThat(refused.code()).isEqualTo("not_found");
            assertThat(refused.getMessage()).contains("User Not Found");
        }
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(client.requestCount()).isEqualTo(25);

        answer = new Answer(200, CONTACT, Map.of());
        assertThat(client.get("6571a0c2e4b0").path("id").asText()).isEqualTo("6571a0c2e4b0");
    }

    @Test
    void serverErrorsOpenTheBreakerWhichThenRefusesCallsWithoutSendingThem() {
        answer = new Answer(503, error("service_unavailable", "Sorry, the API service is temporarily unavailable"), Map.of());
        for (int i = 0; i < 10; i++) {
            IntercomApiException failed = assertThrows(IntercomApiException.class, () -> client.get("6571a0c2e4b0"));
            assertThat(failed.status()).isEqualTo(503);
            assertThat(failed.transientFault()).isTrue();
        }
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);

        assertThrows(CallNotPermittedException.class, () -> client.update("6571a0c2e4b0", Map.of("phone", "1")));

        assertThat(sentAt).as("nothing sent while the breaker is open").hasSize(10);
        assertThat(client.requestCount()).isEqualTo(10);
    }

    @Test
    void afterATooManyRequestsAnswerTheNextRequestWaitsForTheWindowToReset() {
        long reset = System.currentTimeMillis() / 1000 + 2; // Intercom: the window's end, in epoch seconds
        answer = new Answer(429, error("rate_limit_exceeded", "Exceeded rate limit of 167 in 10_seconds"),
                Map.of("X-RateLimit-Limit", "167", "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", String.valueOf(reset)));
        IntercomApiException limited = assertThrows(IntercomApiException.class, () -> client.get("6571a0c2e4b0"));
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.code()).isEqualTo("rate_limit_exceeded");

        answer = new Answer(200, CONTACT, Map.of("X-RateLimit-Limit", "167", "X-RateLimit-Remaining", "166",
                "X-RateLimit-Reset", String.valueOf(reset + 10)));
        assertThat(client.get("6571a0c2e4b0").path("id").asText()).isEqualTo("6571a0c2e4b0");

        assertThat(sentAt).hasSize(2);
        assertThat(sentAt.get(1)).as("sent once the window had reset").isGreaterThanOrEqualTo(reset * 1000);
        assertThat(breaker.getMetrics().getNumberOfFailedCalls()).as("a 429 is no failure of Intercom").isZero();
    }

    /** The mock of Intercom's contacts resource (GET and PUT /contacts/{id}). */
    private MockEndpoint intercom() {
        return RouteTests.mock(template.getCamelContext(), "https:api.intercom.io/contacts");
    }

    private static String error(String code, String message) {
        return "{\"type\":\"error.list\",\"request_id\":\"000e3ve6e7b4ao0cqqj0\",\"errors\":[{\"code\":\"" + code
                + "\",\"message\":\"" + message + "\"}]}";
    }
}

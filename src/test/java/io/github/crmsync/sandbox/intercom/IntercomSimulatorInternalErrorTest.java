package io.github.crmsync.sandbox.intercom;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.crmsync.sandbox.seed.SeedData;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** A failure inside the simulator is answered as Intercom answers its own (500, error list) and logged, never swallowed. */
class IntercomSimulatorInternalErrorTest {

    private final List<LogEvent> logged = new CopyOnWriteArrayList<>();
    private final AbstractAppender capture = new AbstractAppender("simulator-errors", null, null, true, Property.EMPTY_ARRAY) {
        @Override
        public void append(LogEvent event) {
            logged.add(event.toImmutable());
        }
    };
    private IntercomSimulator simulator;

    @BeforeEach
    void start() throws Exception {
        capture.start();
        ((Logger) LogManager.getLogger(IntercomSimulator.class)).addAppender(capture);
        simulator = new IntercomSimulator(IntercomSimulatorSettings.defaults().withPort(0), new SeedData(SeedData.DEFAULT_SEED, 200));
        simulator.start();
    }

    @AfterEach
    void stop() {
        simulator.close();
        ((Logger) LogManager.getLogger(IntercomSimulator.class)).removeAppender(capture);
        capture.stop();
    }

    @Test
    void aHandlerThatThrowsIsAnswered500WithAnIntercomErrorListAndLogged() throws Exception {
        IllegalStateException bug = new IllegalStateException("a bug in the search hook");
        simulator.onSearch(body -> {
            throw bug;
        });
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> answer = http.send(search(), HttpResponse.BodyHandlers.ofString());

        assertThat(answer.statusCode()).isEqualTo(500);
        assertThat(answer.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        JsonNode body = IntercomHttp.MAPPER.readTree(answer.body());
        assertThat(body.path("type").asText()).isEqualTo("error.list");
        assertThat(body.path("request_id").asText()).isNotBlank();
        assertThat(body.path("errors").path(0).path("code").asText()).isEqualTo("server_error");
        assertThat(body.path("errors").path(0).path("message").asText()).isNotBlank();
        assertThat(logged).as("the failure is logged with its stack trace")
                .anySatisfy(event -> assertThat(event.getThrown()).isSameAs(bug));

        simulator.onSearch(null);
        assertThat(http.send(search(), HttpResponse.BodyHandlers.ofString()).statusCode())
                .as("the simulator serves on after the failure").isEqualTo(200);
    }

    private HttpRequest search() {
        return HttpRequest.newBuilder(URI.create(simulator.baseUrl() + "/contacts/search"))
                .header("Authorization", "Bearer sandbox-token").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"query\":{\"field\":\"role\",\"operator\":\"=\",\"value\":\"user\"}}")).build();
    }
}

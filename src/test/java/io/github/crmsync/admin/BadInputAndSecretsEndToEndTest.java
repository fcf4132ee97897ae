package io.github.crmsync.admin;

import io.github.crmsync.intercom.WebhookSignature;
import io.github.crmsync.sandbox.seed.SeedPerson;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.LogCapture;
import io.github.crmsync.testing.IntercomClientForTests;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.SalesforceClient;
import io.github.crmsync.testing.SimulatedWorld;
import io.github.crmsync.testing.WholeService;
import org.apache.camel.component.salesforce.SalesforceComponent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What a careless or hostile client sends, and what the service lets out: malformed JSON to every
 * endpoint that reads JSON answers 400 with a message (no stack trace), and in a run that goes
 * through syncing, faults, an expired session, bad signatures and bad bodies, none of the configured
 * secrets shows up in any answer or in the service's log.
 */
class BadInputAndSecretsEndToEndTest {

    private static final String DB_PASSWORD = "Db-Pa55word-Never-Logged";
    private static final String MALFORMED = "{\"objectType\": \"CONTACT\", ";

    /** Everything logged from before the service starts until it has stopped. */
    private static final StringWriter LOG = new StringWriter();

    @RegisterExtension
    static final WholeService whole = WholeService.inWorld(500)
            .with("crmsync.db.password", DB_PASSWORD)
            .with("crmsync.retry.initial-delay-ms", "20")
            .with("crmsync.retry.max-delay-ms", "100")
            .beforeStart((world, properties, directory) -> {
                String appender = LogCapture.start(LOG);
                return () -> LogCapture.stop(appender);
            })
            .withSandboxMappings();

    @Test
    void malformedJsonIsRefusedWith400AndNoSecretReachesAnswersOrTheLog() throws Exception {
        List<Http.Answer> answers = new ArrayList<>();
        SimulatedWorld world = whole.world();
        RunningService service = whole.service();
        String url = service.serviceUrl();

        // malformed JSON to every endpoint that reads JSON
        Map<String, Http.Answer> malformed = new LinkedHashMap<>();
        malformed.put("POST /api/mappings", Http.post(url + "/api/mappings", MALFORMED));
        malformed.put("PUT /api/mappings/1", Http.put(url + "/api/mappings/1", MALFORMED));
        malformed.put("POST /api/mappings/validate", Http.post(url + "/api/mappings/validate", MALFORMED));
        malformed.put("PUT /api/settings", Http.put(url + "/api/settings", MALFORMED));
        byte[] body = MALFORMED.getBytes(StandardCharsets.UTF_8);
        WebhookSignature signature = new WebhookSignature("sandbox-webhook-secret");
        malformed.put("POST /intercom/webhooks (signed)", Http.postBytes(url + "/intercom/webhooks", body,
                "X-Hub-Signature", signature.hubSignature(body)));
        malformed.put("POST /intercom/canvas/initialize (signed)", Http.postBytes(url + "/intercom/canvas/initialize",
                body, "X-Body-Signature", signature.bodySignature(body)));
        malformed.forEach((endpoint, answer) -> {
            assertThat(answer.status()).as(endpoint + ": " + answer.body()).isEqualTo(400);
            assertThat(answer.json().path("error").asText()).as(endpoint).isNotBlank();
            assertThat(answer.body()).as(endpoint).doesNotContain("Exception").doesNotContain("\tat ")
                    .doesNotContain("at io.github").doesNotContain("at org.apache");
        });
        answers.addAll(malformed.values());
        answers.add(Http.postBytes(url + "/intercom/webhooks", body, "X-Hub-Signature", "sha1=forged"));
        answers.add(Http.postBytes(url + "/intercom/canvas/initialize", body));

        // a run with sync, faults and an expired session, so that errors and retries are logged
        IntercomClientForTests intercom = new IntercomClientForTests(world.intercom.baseUrl());
        SalesforceClient salesforce = SalesforceClient.asOtherClient(world.salesforce.baseUrl());
        answers.add(Http.post(url + "/api/event-sync/run", ""));
        SeedPerson p = world.unusedPerson(SimulatedWorld.inBoth(false));
        SeedPerson q = world.unusedPerson(SimulatedWorld.inBoth(false));
        assertThat(intercom.update(p.intercom().id(), Map.of("custom_attributes",
                Map.of("nickname", "A nickname far longer than the forty characters Salesforce takes"))).status()).isEqualTo(200);
        assertThat(salesforce.update("Contact", q.salesforce().id(), Map.of("Phone", "+1 555 0123 4567")).status()).isEqualTo(204);
        world.salesforce.expireAllTokens();
        world.intercom.faults().update(Map.of("serverErrorRate", 1.0));
        answers.add(Http.post(url + "/api/event-sync/run", ""));
        world.intercom.faults().update(Map.of("serverErrorRate", 0.0));
        await().atMost(Duration.ofSeconds(30)).until(() ->
                Http.get(url + "/api/sync-errors?direction=ALL").json().path("total").asLong() >= 1);
        answers.add(Http.get(url + "/api/sync-errors?direction=ALL"));
        answers.add(Http.get(url + "/api/salesforce-usage"));
        answers.add(Http.get(url + "/api/settings"));
        answers.add(Http.get(url + "/api/mappings"));
        answers.add(Http.post(url + "/api/sync-errors/retry?direction=ALL", ""));
        answers.add(Http.get(service.managementUrl() + "/observe/health"));
        String sessionToken = service.context().getComponent("salesforce", SalesforceComponent.class).getSession().getAccessToken();
        whole.stopService(); // the log of its stop is checked too
        List<String> secrets = List.of("sandbox-secret", "sandbox-token", "sandbox-webhook-secret", DB_PASSWORD, sessionToken,
                "Bearer ");
        String logged = LOG.toString();
        assertThat(logged).as("the log was captured").contains("Salesforce API tier");
        for (String secret : secrets) {
            assertThat(logged).as("the log holds no " + secret).doesNotContain(secret);
            for (Http.Answer answer : answers) {
                assertThat(answer.body()).as("no answer holds " + secret).doesNotContain(secret);
            }
        }
    }

}

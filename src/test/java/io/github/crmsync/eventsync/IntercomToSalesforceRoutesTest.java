package io.github.crmsync.eventsync;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crmsync.intercom.IntercomApiException;
import io.github.crmsync.intercom.WebhookReplayGuard;
import io.github.crmsync.intercom.WebhookSignature;
import io.github.crmsync.testing.RouteTestDatabase;
import io.github.crmsync.testing.RouteTests;
import io.github.crmsync.testing.SyncErrorHandlingRouteTest;
import org.apache.camel.BindToRegistry;
import org.apache.camel.Exchange;
import org.apache.camel.Produce;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.component.salesforce.api.SalesforceException;
import org.apache.camel.component.salesforce.api.dto.RestError;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.support.RoutePolicySupport;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.apache.camel.test.main.junit5.Configure;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Intercom -> Salesforce intake of routes/intercom-to-salesforce.camel.yaml as the service loads it:
 * the intercom-webhook route (its platform-http: consumer replaced by a direct: endpoint) with the real
 * WebhookIntake and change queue (embedded PostgreSQL), and the claim loop (intercom-changes,
 * write-intercom-changes, write-intercom-batch; its timer replaced) batch after batch while the tier
 * allows. The batch's Java steps are small stand-ins and salesforce: endpoints are mocked and skipped:
 * the shape of the Salesforce write is not what this test checks.
 */
@CamelMainTest(propertyPlaceholderLocations = RouteTests.PROPERTIES, mockEndpointsAndSkip = "salesforce:.*",
        replaceRouteFromWith = {"intercom-webhook=direct:intercom-webhooks", "intercom-changes=direct:intercom-changes",
                "intercom-contacts-poll=direct:intercom-contacts-poll"})
class IntercomToSalesforceRoutesTest extends SyncErrorHandlingRouteTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "route-test-client-secret";

    private final DataSource database = RouteTestDatabase.emptied();
    private final IntercomChanges changes = new IntercomChanges(database, Duration.ofMinutes(2));

    @BindToRegistry("webhookIntake")
    private final WebhookIntake webhookIntake = new WebhookIntake(new WebhookSignature(SECRET), changes,
            new WebhookReplayGuard(database, Duration.ofMinutes(5), Clock.systemUTC()));
    @BindToRegistry("intercomToSalesforce")
    private final BatchSteps intercomToSalesforce = new BatchSteps(changes);
    @BindToRegistry("intercomPoll")
    private final NoPoll intercomPoll = new NoPoll();
    @BindToRegistry("apiQuotaPolicy")
    private final TierPolicy apiQuotaPolicy = new TierPolicy();

    @Produce
    private ProducerTemplate template;

    @Configure
    protected void configure(MainConfigurationProperties main) {
        main.withRoutesIncludePattern(RouteTests.routes("error-handling", "salesforce-api", "intercom-to-salesforce"));
    }

    @Test
    void aSignedWebhookIsStoredAndAnsweredAtOnce() throws Exception {
        Exchange answer = postWebhook(notification("notif_1", "6571a0c2e4b0"), true);

        assertThat(answer.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(200);
        assertThat(JSON.readTree(answer.getMessage().getBody(String.class)))
                .isEqualTo(JSON.readTree("{\"received\":true,\"topic\":\"contact.user.updated\",\"stored\":true}"));
        assertThat(changes.pending()).isEqualTo(1);

        // Intercom's redelivery of the same notification: answered, stored once
        Exchange again = postWebhook(notification("notif_1", "6571a0c2e4b0"), true);
        assertThat(again.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(200);
        assertThat(changes.pending()).isEqualTo(1);
    }

    @Test
    void aWebhookWithoutAValidSignatureIsRefusedWithAJsonErrorAndNotStored() throws Exception {
        Exchange answer = postWebhook(notification("notif_2", "6571a0c2e4b0"), false);

        assertThat(answer.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(401);
        assertThat(JSON.readTree(answer.getMessage().getBody(String.class)).toString())
                .contains("The X-Hub-Signature header is missing or does not match the body.");
        assertThat(changes.pending()).isZero();
    }

    @Test
    void theClaimLoopWritesBatchAfterBatchWhileTheTierAllows() {
        for (int i = 0; i < 3; i++) {
            postWebhook(notification("notif_" + i, "6571a0c2e4b" + i), true);
        }

        template.sendBody("direct:intercom-changes", null);

        MockEndpoint updates = RouteTests.mock(template.getCamelContext(), "salesforce:composite");
        assertThat(updates.getReceivedCounter()).as("one batch of one change after the other").isEqualTo(3);
        assertThat(updates.getReceivedExchanges()).allSatisfy(exchange ->
                assertThat(exchange.getProperty("salesforceCallOf")).isEqualTo("write-intercom-batch"));
        assertThat(changes.pending()).isZero();
    }

    /**
     * Each step has its own redeliveries (2 here): a Salesforce call and the recording of its results
     * tried again after transient failures do not use up those of the steps after them on the same
     * exchange (a batch's calls one after the other, the claim loop's batches).
     */
    @Test
    void eachCallAndEachResultsStepHasItsOwnRedeliveries() {
        for (int i = 0; i < 2; i++) {
            postWebhook(notification("notif_" + i, "6571a0c2e4b" + i), true);
        }
        intercomToSalesforce.callsPerBatch = 2;
        intercomToSalesforce.failuresPerResults = 2;
        // the breaker is not what this test is about: 2 failures in 3 calls would open it
        salesforceBreaker.transitionToDisabledState();
        MockEndpoint updates = RouteTests.mock(template.getCamelContext(), "salesforce:composite");
        Map<String, AtomicInteger> failed = new ConcurrentHashMap<>();
        updates.whenAnyExchangeReceived(exchange -> {
            if (failed.computeIfAbsent(exchange.getMessage().getBody(String.class), call -> new AtomicInteger()).getAndIncrement() < 2) {
                throw new SalesforceException(List.of(new RestError("SERVER_UNAVAILABLE", "Server too busy")), 503);
            }
        });

        template.sendBody("direct:intercom-changes", null);

        assertThat(updates.getReceivedCounter()).as("2 batches of 2 calls, each tried 3 times").isEqualTo(12);
        assertThat(intercomToSalesforce.results).as("each call's results, recorded at the third try").hasValue(12);
        assertThat(changes.pending()).as("both batches written").isZero();
    }

    @Test
    void theClaimLoopStopsAfterTheBatchInHandWhenTheTierNoLongerAllowsEventSync() {
        for (int i = 0; i < 3; i++) {
            postWebhook(notification("notif_" + i, "6571a0c2e4b" + i), true);
        }
        apiQuotaPolicy.batchesAllowed.set(1);

        template.sendBody("direct:intercom-changes", null);

        MockEndpoint updates = RouteTests.mock(template.getCamelContext(), "salesforce:composite");
        assertThat(updates.getReceivedCounter()).isEqualTo(1);
        assertThat(changes.pending()).as("left for the next run").isEqualTo(2);
    }

    private Exchange postWebhook(String body, boolean signed) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return template.request("direct:intercom-webhooks", exchange -> {
            exchange.getMessage().setHeader(Exchange.HTTP_METHOD, "POST");
            exchange.getMessage().setHeader("X-Hub-Signature", signed ? new WebhookSignature(SECRET).hubSignature(bytes)
                    : "sha1=0000000000000000000000000000000000000000");
            exchange.getMessage().setBody(bytes);
        });
    }

    /** A contact.user.updated notification as Intercom sends it. */
    private static String notification(String id, String contactId) {
        long now = System.currentTimeMillis() / 1000;
        return """
                {"type":"notification_event","app_id":"abc123","id":"%s","topic":"contact.user.updated",
                 "data":{"type":"notification_event_data","item":{"type":"contact","id":"%s","role":"user",
                 "email":"ada@example.com","updated_at":%d}},
                 "delivery_status":"pending","delivery_attempts":1,"delivered_at":0,"first_sent_at":%d,"created_at":%d}
                """.formatted(id, contactId, now, now, now);
    }

    /** The batch's Java steps (IntercomToSalesforce) reduced to the claim: one change a batch, one update each by default. */
    public static final class BatchSteps {
        private final IntercomChanges changes;

        BatchSteps(IntercomChanges changes) {
            this.changes = changes;
        }

        private final Map<IntercomChanges.Claim, AtomicInteger> calls = new ConcurrentHashMap<>();
        volatile int callsPerBatch = 1;
        /** How many times each call's results fail to be recorded (Intercom's 503 matching unlinked contacts) before they are. */
        volatile int failuresPerResults;
        private final Map<String, AtomicInteger> failedResults = new ConcurrentHashMap<>();
        final AtomicInteger results = new AtomicInteger();

        public IntercomChanges.Claim claimBatch(boolean now) {
            IntercomChanges.Claim claim = changes.claim("route-test", "user", 1, Duration.ZERO);
            return claim.isEmpty() ? null : claim;
        }

        /** callsPerBatch calls a batch. */
        public String nextCall(IntercomChanges.Claim batch) {
            int call = calls.computeIfAbsent(batch, b -> new AtomicInteger()).getAndIncrement();
            return call < callsPerBatch ? batch.changes().stream().map(IntercomChanges.Change::intercomId).toList() + " call " + call : null;
        }

        public void results(IntercomChanges.Claim batch, String answer) {
            // the Salesforce answer's shape belongs to the write path, not to the loop
            results.incrementAndGet();
            if (failedResults.computeIfAbsent(answer, call -> new AtomicInteger()).getAndIncrement() < failuresPerResults) {
                throw new IntercomApiException(503, "service_unavailable", "Service Unavailable", null);
            }
        }

        public void complete(IntercomChanges.Claim batch) {
            changes.complete(batch.rowIds());
        }

        /** The claims-renewal timer's step: nothing held long enough here to renew. */
        public int renewClaims() {
            return 0;
        }
    }

    /** The polling fallback (IntercomPoll): not under test here. */
    public static final class NoPoll {
        public void collect() {
            throw new UnsupportedOperationException("the Intercom poll is not part of this test");
        }
    }

    /** The quota policy: allows event sync for a number of batches (the tier moved during the run). */
    public static final class TierPolicy extends RoutePolicySupport {
        final AtomicInteger batchesAllowed = new AtomicInteger(Integer.MAX_VALUE);

        public boolean eventSyncAllowedNow() {
            return batchesAllowed.decrementAndGet() > 0;
        }
    }
}

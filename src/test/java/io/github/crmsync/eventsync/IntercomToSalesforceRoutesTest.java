package io.github.crmsync.eventsync;

import com.fasterxml.jackson.databind.ObjectMapper;
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
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.support.RoutePolicySupport;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.apache.camel.test.main.junit5.Configure;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
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

    /** The batch's Java steps (IntercomToSalesforce) reduced to the claim: one change a batch, one update each. */
    public static final class BatchSteps {
        private final IntercomChanges changes;

        BatchSteps(IntercomChanges changes) {
            this.changes = changes;
        }

        private final Set<IntercomChanges.Claim> sent = new HashSet<>();

        public IntercomChanges.Claim claimBatch(boolean now) {
            IntercomChanges.Claim claim = changes.claim("route-test", "user", 1, Duration.ZERO);
            return claim.isEmpty() ? null : claim;
        }

        /** One call a batch. */
        public String nextCall(IntercomChanges.Claim batch) {
            return sent.add(batch) ? batch.changes().stream().map(IntercomChanges.Change::intercomId).toList().toString() : null;
        }

        public void results(IntercomChanges.Claim batch, Object answer) {
            // the Salesforce answer's shape belongs to the write path, not to the loop
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

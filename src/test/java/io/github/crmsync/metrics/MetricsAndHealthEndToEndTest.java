package io.github.crmsync.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.crmsync.deploy.MonitoringQueries;
import io.github.crmsync.sandbox.seed.SeedPerson;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.IntercomClientForTests;
import io.github.crmsync.testing.PrometheusScrape;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.SalesforceClient;
import io.github.crmsync.testing.SimulatedWorld;
import io.github.crmsync.testing.WholeService;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What an operator sees on the management server while the service syncs: the business metrics
 * on {@code /observe/metrics} move with the work, and readiness (remote systems reachable) is told
 * apart from liveness (the service itself works).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MetricsAndHealthEndToEndTest {

    private static final String REPLICA = "metrics-test-replica";

    /** What Micrometer logs when a meter cannot be registered (Prometheus refuses it). */
    private static final java.util.List<String> registrationFailures = new java.util.concurrent.CopyOnWriteArrayList<>();
    private static final AbstractAppender micrometerLog = new AbstractAppender("micrometer-warnings", null, null, true,
            Property.EMPTY_ARRAY) {
        @Override
        public void append(LogEvent event) {
            String message = event.getMessage().getFormattedMessage();
            if (message.contains("registration has failed")) {
                registrationFailures.add(message);
            }
        }
    };

    static {
        // listening before the service starts (the extension below starts it)
        micrometerLog.start();
        ((Logger) LogManager.getLogger("io.micrometer")).addAppender(micrometerLog);
    }

    // no /limits poll in the middle of a before/after comparison
    @RegisterExtension
    static final WholeService whole = WholeService.inWorld(1000)
            .with("crmsync.replica-id", REPLICA)
            .with("crmsync.quota.limits-poll-cron", "0 0 0 1 1 ? 2099")
            .withSandboxMappings();
    private SimulatedWorld world;
    private RunningService service;

    @BeforeAll
    void start() {
        world = whole.world();
        service = whole.service();
        // Micrometer logs only its first refusal per JVM as a warning: listen too
        service.bean("metricsRegistry", MeterRegistry.class).config()
                .onMeterRegistrationFailed((id, reason) -> registrationFailures.add(id + ": " + reason));
        pollNow();
    }

    @AfterAll
    void stopListening() {
        ((Logger) LogManager.getLogger("io.micrometer")).removeAppender(micrometerLog);
    }

    @Test
    @Order(1)
    void businessMetricsMoveWithAnEndToEndSyncInBothDirections() throws Exception {
        IntercomClientForTests intercom = new IntercomClientForTests(world.intercom.baseUrl());
        SalesforceClient salesforce = SalesforceClient.asOtherClient(world.salesforce.baseUrl());
        SeedPerson toSalesforce = world.unusedPerson(SimulatedWorld.inBoth(false));
        SeedPerson toIntercom = world.unusedPerson(SimulatedWorld.inBoth(false));
        SeedPerson broken = world.unusedPerson(SimulatedWorld.inBoth(false));
        PrometheusScrape before = scrape();
        long callsBefore = countedInDatabase();

        // Intercom -> Salesforce through the signed webhook, and one value Salesforce cannot take
        assertThat(intercom.update(toSalesforce.intercom().id(), Map.of("custom_attributes", Map.of("seats", 4321)))
                .status()).isEqualTo(200);
        assertThat(intercom.update(broken.intercom().id(), Map.of("custom_attributes",
                Map.of("nickname", "A nickname far longer than the forty characters Salesforce takes"))).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> world.salesforce.record("Contact", toSalesforce.salesforce().id())
                .map(r -> r.get("Seats__c") instanceof Number n && n.intValue() == 4321).orElse(false));
        // Salesforce -> Intercom through a poll
        assertThat(salesforce.update("Contact", toIntercom.salesforce().id(), Map.of("Phone", "+1 555 0142 4242")).status())
                .isEqualTo(204);
        pollNow();
        assertThat(intercom.get(toIntercom.intercom().id()).path("phone").asText()).isEqualTo("+1 555 0142 4242");

        PrometheusScrape after = await().atMost(Duration.ofSeconds(30)).until(this::scrape,
                s -> s.sum("crmsync_sync_errors_total", Map.of("code", "STRING_TOO_LONG"))
                        > before.sum("crmsync_sync_errors_total", Map.of("code", "STRING_TOO_LONG")));

        assertThat(delta(before, after, "crmsync_records_synced_total",
                Map.of("direction", "INTERCOM_TO_SALESFORCE", "sync_type", "EVENT", "replica", REPLICA)))
                .as("the Salesforce record written").isEqualTo(1);
        assertThat(delta(before, after, "crmsync_records_synced_total",
                Map.of("direction", "SALESFORCE_TO_INTERCOM", "sync_type", "EVENT", "replica", REPLICA)))
                .as("the Intercom contact written").isEqualTo(1);
        JsonNode row = Http.get(service.serviceUrl() + "/api/sync-errors?text=" + broken.intercom().id()).json()
                .path("errors").path(0);
        assertThat(row.path("errorCode").asText()).isEqualTo("STRING_TOO_LONG");
        assertThat(delta(before, after, "crmsync_sync_errors_total",
                Map.of("code", "STRING_TOO_LONG", "direction", "INTERCOM_TO_SALESFORCE", "replica", REPLICA)))
                .as("each failed attempt (the webhook's, then the poll's) as the row counts them")
                .isEqualTo(row.path("attempts").asDouble());
        assertThat(delta(before, after, "crmsync_salesforce_api_calls_total", Map.of("route", "write-intercom-batch")))
                .as("the batch's sObject Collections update").isPositive();
        assertThat(delta(before, after, "crmsync_salesforce_api_calls_total", Map.of("route", "salesforce-poll")))
                .as("the poll's Composite call of both object types' queries").isPositive();
        assertThat(delta(before, after, "crmsync_salesforce_api_calls_total", Map.of()))
                .as("every Salesforce call the service counted in PostgreSQL is on the endpoint too")
                .isEqualTo(countedInDatabase() - callsBefore);
        assertThat(delta(before, after, "crmsync_intercom_requests_total", Map.of("replica", REPLICA))).isPositive();
        double consumption = after.sum("crmsync_salesforce_org_consumption_ratio", Map.of("replica", REPLICA));
        assertThat(consumption).as("the org's consumption as Salesforce reports it")
                .isEqualTo((double) world.salesforce.apiRequestsUsed() / 100_000, org.assertj.core.data.Offset.offset(0.001));
        assertThat(after.has("camel_exchanges_total", Map.of("routeId", "intercom-webhook")))
                .as("Camel's own route metrics are there too").isTrue();
    }

    @Test
    @Order(2)
    void intercom429sAreCountedBesideTheRequests() {
        PrometheusScrape before = scrape();
        world.intercom.faults().set(0, 0, 1.0, 0);
        java.util.concurrent.CompletableFuture<Void> poll = java.util.concurrent.CompletableFuture.runAsync(this::pollNow);
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> delta(before, scrape(), "crmsync_intercom_rate_limited_total",
                    Map.of("replica", REPLICA)) >= 1);
        } finally {
            world.intercom.faults().set(0, 0, 0, 0);
        }
        poll.join();
        PrometheusScrape after = scrape();
        double limited = delta(before, after, "crmsync_intercom_rate_limited_total", Map.of());
        assertThat(limited).isGreaterThanOrEqualTo(1);
        assertThat(delta(before, after, "crmsync_intercom_requests_total", Map.of()))
                .as("the refused requests and the retry that got through").isGreaterThan(limited);
    }

    @Test
    @Order(3)
    void theNumberOfMetersDoesNotGrowWithTheContactsWritten() {
        SalesforceClient salesforce = SalesforceClient.asOtherClient(world.salesforce.baseUrl());
        writeDistinctContacts(salesforce, 20, "0150"); // every route and endpoint of the way used once
        java.util.Set<String> meters = meters();
        java.util.Set<String> series = series();

        java.util.List<SeedPerson> written = writeDistinctContacts(salesforce, 20, "0151");
        // a meter may come on a first passing event of a bounded kind (a redelivery of a route under load),
        // never one per contact: none names a contact written, and they stay fewer than the contacts
        java.util.Set<String> newMeters = new java.util.TreeSet<>(meters());
        newMeters.removeAll(meters);
        java.util.Set<String> newSeries = new java.util.TreeSet<>(series());
        newSeries.removeAll(series);
        for (SeedPerson p : written) {
            for (String key : java.util.List.of(p.salesforce().id(), p.intercom().id(), p.intercom().email())) {
                assertThat(newMeters).as("meters after 20 more contacts").noneMatch(m -> m.contains(key));
                assertThat(newSeries).as("series after 20 more contacts").noneMatch(m -> m.contains(key));
            }
        }
        assertThat(newMeters).as("meters in the registry after 20 more contacts").hasSizeLessThan(written.size() / 4);
        assertThat(newSeries).as("series on /observe/metrics after 20 more contacts").hasSizeLessThan(written.size() / 4);
        assertThat(registrationFailures).as("meters Prometheus refused, from the start").isEmpty();
    }

    /** Changes the phone of {@code count} linked Contacts nobody used yet in Salesforce and polls until Intercom has them. */
    private java.util.List<SeedPerson> writeDistinctContacts(SalesforceClient salesforce, int count, String prefix) {
        java.util.List<SeedPerson> people = new java.util.ArrayList<>();
        java.util.List<Map<String, Object>> records = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            SeedPerson p = world.unusedPerson(SimulatedWorld.inBoth(false));
            people.add(p);
            records.add(Map.of("attributes", Map.of("type", "Contact"), "id", p.salesforce().id(),
                    "Phone", "+1 555 " + prefix + " " + String.format("%04d", i)));
        }
        Http.Answer answer = salesforce.updateMany(Map.of("allOrNone", true, "records", records));
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        pollNow();
        for (int i = 0; i < count; i++) {
            String expected = "+1 555 " + prefix + " " + String.format("%04d", i);
            assertThat(world.intercom.contact(people.get(i).intercom().id()).orElseThrow().get("phone"))
                    .as("contact %d written", i).isEqualTo(expected);
        }
        return people;
    }

    /** The meters (name and tags) in the service's registry; the GC's own are left out (a new GC cause is a new meter). */
    private java.util.Set<String> meters() {
        return service.bean("metricsRegistry", MeterRegistry.class).getMeters().stream()
                .filter(m -> !m.getId().getName().startsWith("jvm.gc"))
                .map(m -> m.getId().getName() + m.getId().getTags())
                .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
    }

    /** The series (name and labels, without the value). */
    private java.util.Set<String> series() {
        return scrape().text().lines().filter(l -> !l.startsWith("#") && !l.isBlank() && !l.startsWith("jvm_gc"))
                .map(l -> l.substring(0, l.lastIndexOf(' ')))
                .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
    }

    @Test
    @Order(4)
    void theDashboardAndAlertRulesQueryOnlyWhatTheServiceExports() {
        // after the tests above, every kind of sample exists (an error, a 429, both directions)
        PrometheusScrape scrape = scrape();
        for (String metric : MonitoringQueries.serviceMetricNames()) {
            assertThat(scrape.labelNames(metric)).as("deploy/monitoring queries %s; /observe/metrics has it", metric)
                    .isNotEmpty();
        }
        for (MonitoringQueries.Series series : MonitoringQueries.testSeries()) {
            assertThat(scrape.labelNames(series.name()))
                    .as("the rules' unit tests feed %s%s; the service exports it with those labels", series.name(), series.labels())
                    .contains(series.labels());
        }
        assertThat(scrape.sum("crmsync_circuit_breaker_state", Map.of("breaker", "salesforce", "replica", REPLICA)))
                .as("closed").isZero();
    }

    @Test
    @Order(5)
    void readinessFollowsTheRemoteSystemsWhileLivenessDoesNot() throws Exception {
        assertThat(Http.get(service.managementUrl() + "/observe/health/ready").status()).isEqualTo(200);
        world.intercom.close();
        Http.Answer ready = await().atMost(Duration.ofSeconds(30)).until(
                () -> Http.get(service.managementUrl() + "/observe/health/ready"), a -> a.status() == 503);
        JsonNode down = null;
        for (JsonNode check : ready.json().path("checks")) {
            if (check.path("name").asText().equals("intercom")) {
                down = check;
            }
        }
        assertThat(down).as(ready.body()).isNotNull();
        assertThat(down.path("status").asText()).isEqualTo("DOWN");

        // the calls that keep failing open this replica's Intercom circuit breaker, which readiness reports
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            Http.post(service.serviceUrl() + "/api/event-sync/run", "");
            Http.Answer health = Http.get(service.managementUrl() + "/observe/health/ready");
            JsonNode breaker = null;
            for (JsonNode check : health.json().path("checks")) {
                if (check.path("name").asText().equals("circuit-breaker-intercom")) {
                    breaker = check;
                }
            }
            assertThat(breaker).as(health.body()).isNotNull();
            assertThat(breaker.path("status").asText()).as(health.body()).isEqualTo("DOWN");
            assertThat(breaker.toString()).as(health.body()).contains("OPEN");
        });
        assertThat(scrape().sum("crmsync_circuit_breaker_state", Map.of("breaker", "intercom", "replica", REPLICA)))
                .as("the breaker's gauge, which the dashboard and the CrmsyncCircuitBreakerOpen alert read")
                .isIn(1.0, 2.0); // open, or half-open if its wait ended since
        Http.Answer live = Http.get(service.managementUrl() + "/observe/health/live");
        assertThat(live.status()).as(live.body()).isEqualTo(200);
        assertThat(live.body()).doesNotContain("intercom", "salesforce", "database", "circuit-breaker");
    }

    private PrometheusScrape scrape() {
        return PrometheusScrape.of(service.managementUrl() + "/observe/metrics");
    }

    private static double delta(PrometheusScrape before, PrometheusScrape after, String metric, Map<String, String> labels) {
        return after.sum(metric, labels) - before.sum(metric, labels);
    }

    /** Salesforce calls as the service counts them in PostgreSQL (all routes, all time). */
    private long countedInDatabase() throws Exception {
        try (var c = service.bean("dataSource", javax.sql.DataSource.class).getConnection();
             var rs = c.createStatement().executeQuery("SELECT coalesce(sum(calls), 0) FROM salesforce_api_call")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private void pollNow() {
        Http.Answer answer = Http.post(service.serviceUrl() + "/api/event-sync/run", "");
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    }
}

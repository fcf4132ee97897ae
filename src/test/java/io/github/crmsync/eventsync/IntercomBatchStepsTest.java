package io.github.crmsync.eventsync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crmsync.database.Database;
import io.github.crmsync.database.EmbeddedDatabase;
import io.github.crmsync.errors.SyncErrorStore;
import io.github.crmsync.eventsync.IntercomToSalesforce.Batch;
import io.github.crmsync.intercom.IntercomClient;
import io.github.crmsync.mapping.AttributeMapping;
import io.github.crmsync.mapping.Direction;
import io.github.crmsync.mapping.IntercomSchema;
import io.github.crmsync.mapping.MappingSet;
import io.github.crmsync.mapping.MappingStore;
import io.github.crmsync.mapping.ObjectType;
import io.github.crmsync.mapping.SalesforceSchema;
import io.github.crmsync.mapping.SchemaCache;
import io.github.crmsync.mapping.Schemas;
import io.github.crmsync.matching.RecordLinks;
import io.github.crmsync.salesforce.SalesforceQueries;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.salesforce.SalesforceComponent;
import org.apache.camel.component.salesforce.SalesforceEndpointConfig;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Java steps of an Intercom -> Salesforce batch are redelivered by the route's error handling
 * when a call inside them fails (here the schema cache's first read, as a passing 503 does): the
 * step done again must do the whole step, not only what was left after the failure, else the
 * changes it had not reached are completed without ever being written.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IntercomBatchStepsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SF_1 = "0035e00000BatchAAA";
    private static final String SF_2 = "0035e00000BatchBAA";

    @TempDir
    static Path dataDir;
    private EmbeddedDatabase postgres;
    private Database database;
    private CamelContext camel;
    private CamelContext intercomSide;
    private final AtomicInteger schemaReadsToFail = new AtomicInteger();

    @BeforeAll
    void start() throws Exception {
        postgres = EmbeddedDatabase.start(dataDir, 0);
        database = Database.open(postgres.jdbcUrl(), postgres.user(), "", 4, "batch-steps-test");
        camel = new DefaultCamelContext();
        // only for the API version a Composite request's subrequest urls carry
        SalesforceComponent salesforce = new SalesforceComponent();
        SalesforceEndpointConfig config = new SalesforceEndpointConfig();
        config.setApiVersion("60.0");
        salesforce.setConfig(config);
        camel.addComponent("salesforce", salesforce);
        // Intercom's search for other contacts with a matched e-mail: there are none
        intercomSide = new DefaultCamelContext();
        intercomSide.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:intercom-search-contacts").routeId("intercom-search-contacts")
                        .setBody(exchange -> JSON.createObjectNode().put("type", "list").put("total_count", 0)
                                .set("data", JSON.createArrayNode()));
            }
        });
        intercomSide.start();
    }

    @AfterAll
    void stop() throws Exception {
        camel.close();
        intercomSide.close();
        database.close();
        postgres.close();
    }

    @BeforeEach
    void emptyTables() throws Exception {
        try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE intercom_change, record_link, sync_error, attribute_mapping");
        }
    }

    @Test
    void aBatchWhosePreparationFailedIsPreparedWholeWhenItsStepIsDoneAgain() {
        IntercomToSalesforce batches = batchesWithTwoContactChanges(true, true);
        Batch batch = batches.claimBatch(true);
        schemaReadsToFail.set(1);

        assertThatThrownBy(() -> batches.nextCall(batch)).hasMessageContaining("503");
        String call = batches.nextCall(batch);

        assertThat(call).as("the redelivered step's Composite call").isNotNull().contains(SF_1, SF_2);
    }

    @Test
    void aBatchWhoseReadResultsFailedToApplyAppliesThemWholeWhenItsStepIsDoneAgain() throws Exception {
        IntercomToSalesforce batches = batchesWithTwoContactChanges(true, false);
        Batch batch = batches.claimBatch(true);
        assertThat(batches.nextCall(batch)).as("links without synced values are read first").contains("FROM+Contact");
        String call = readResultsRedeliveredOnceThenNextCall(batches, batch);

        assertThat(call).as("the updates after the redelivered step").isNotNull().contains(SF_1, SF_2);
    }

    /**
     * The read by e-mail matched and linked both contacts before the step failed: the step done again
     * finds them linked (by its own first try) and still writes them, rather than take them for
     * records someone else had linked and complete their changes unwritten.
     */
    @Test
    void aBatchThatLinkedContactsBeforeItsStepFailedWritesThemWhenTheStepIsDoneAgain() throws Exception {
        IntercomToSalesforce batches = batchesWithTwoContactChanges(false, false);
        Batch batch = batches.claimBatch(true);
        assertThat(batches.nextCall(batch)).as("contacts not linked yet are read by e-mail").contains("FROM+Contact", "Email");
        String call = readResultsRedeliveredOnceThenNextCall(batches, batch);

        assertThat(call).as("the updates after the redelivered step").isNotNull().contains(SF_1, SF_2);
        assertThat(new RecordLinks(database.dataSource()).salesforceIdsByIntercomId(List.of("ic-1", "ic-2")))
                .containsEntry("ic-1", SF_1).containsEntry("ic-2", SF_2);
    }

    /**
     * The answer to the batch's read applied while the schema cache's first read fails, then done again
     * as the route's redelivery does; the batch's next call.
     */
    private String readResultsRedeliveredOnceThenNextCall(IntercomToSalesforce batches, Batch batch) throws Exception {
        String answer = readAnswer();
        schemaReadsToFail.set(1);
        assertThatThrownBy(() -> batches.results(batch, answer)).hasMessageContaining("503");
        batches.results(batch, answer);
        return batches.nextCall(batch);
    }

    /** Salesforce's answer to the batch's one query: both records, with the phone Intercom had before. */
    private static String readAnswer() throws Exception {
        return JSON.writeValueAsString(Map.of("compositeResponse", List.of(Map.of(
                "referenceId", "read0", "httpStatusCode", 200, "httpHeaders", Map.of(),
                "body", Map.of("totalSize", 2, "done", true, "records", List.of(
                        record(SF_1, "ic-1", "+1 555 0100"), record(SF_2, "ic-2", "+1 555 0100")))))));
    }

    private static Map<String, Object> record(String id, String intercomId, String phone) {
        return Map.of("attributes", Map.of("type", "Contact", "url", "/services/data/v60.0/sobjects/Contact/" + id),
                "Id", id, "Email", intercomId + "@example.com", "Phone", phone);
    }

    /**
     * Two contacts whose phone changed in Intercom; {@code linked}: to their Salesforce Contacts (else
     * matched by e-mail), {@code stored}: with their synced values (no read).
     */
    private IntercomToSalesforce batchesWithTwoContactChanges(boolean linked, boolean stored) {
        MappingStore mappings = new MappingStore(database.dataSource());
        mappings.create(AttributeMapping.of(ObjectType.CONTACT, "phone", "Phone", Direction.INTERCOM_TO_SALESFORCE));
        MappingSet mapped = mappings.current();
        RecordLinks links = new RecordLinks(database.dataSource());
        IntercomChanges changes = new IntercomChanges(database.dataSource(), Duration.ofMinutes(2));
        Map<String, String> sfIds = Map.of("ic-1", SF_1, "ic-2", SF_2);
        sfIds.forEach((icId, sfId) -> {
            if (linked) {
                links.link(ObjectType.CONTACT, sfId, icId);
            }
            if (stored) {
                links.rememberIntercomStates(Map.of(icId, SyncedValues.of(mapped, ObjectType.CONTACT,
                        contact(icId, "+1 555 0100", 10))));
            }
            changes.add(contact(icId, "+1 555 0199", 20), "WEBHOOK", "notif-" + icId);
        });
        SchemaCache schemas = new SchemaCache(this::schemas, Duration.ofHours(1), Clock.systemUTC());
        SyncErrorStore errors = new SyncErrorStore(database.dataSource());
        IntercomClient intercom = new IntercomClient(intercomSide.createProducerTemplate(), "unused");
        RecordSync recordSync = new RecordSync(schemas, intercom, errors, links);
        return new IntercomToSalesforce(changes, mappings, links, intercom, errors,
                new SalesforceQueries(camel.createProducerTemplate()), recordSync, "replica-1", Duration.ZERO);
    }

    private Schemas schemas() {
        if (schemaReadsToFail.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new IllegalStateException("Intercom answered 503 to the data attributes read");
        }
        return new Schemas(SalesforceSchema.fromDescribe(resource("lead-describe.json")),
                SalesforceSchema.fromDescribe(resource("contact-describe.json")),
                IntercomSchema.fromDataAttributes(resource("data-attributes.json")));
    }

    private static JsonNode resource(String name) {
        try (InputStream in = IntercomBatchStepsTest.class.getResourceAsStream("/mapping/" + name)) {
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode contact(String id, String phone, long updatedAt) {
        return JSON.valueToTree(Map.of("type", "contact", "id", id, "role", "user", "email", id + "@example.com",
                "phone", phone, "updated_at", updatedAt));
    }
}

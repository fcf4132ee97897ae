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
    }

    @AfterAll
    void stop() throws Exception {
        camel.close();
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
        IntercomToSalesforce batches = batchesWithTwoLinkedContactChanges(true);
        Batch batch = batches.claimBatch(true);
        schemaReadsToFail.set(1);

        assertThatThrownBy(() -> batches.nextCall(batch)).hasMessageContaining("503");
        String call = batches.nextCall(batch);

        assertThat(call).as("the redelivered step's Composite call").isNotNull().contains(SF_1, SF_2);
    }

    @Test
    void aBatchWhoseReadResultsFailedToApplyAppliesThemWholeWhenItsStepIsDoneAgain() throws Exception {
        IntercomToSalesforce batches = batchesWithTwoLinkedContactChanges(false);
        Batch batch = batches.claimBatch(true);
        assertThat(batches.nextCall(batch)).as("links without synced values are read first").contains("FROM+Contact");
        String answer = JSON.writeValueAsString(Map.of("compositeResponse", List.of(Map.of(
                "referenceId", "read0", "httpStatusCode", 200, "httpHeaders", Map.of(),
                "body", Map.of("totalSize", 2, "done", true, "records", List.of(
                        record(SF_1, "+1 555 0100"), record(SF_2, "+1 555 0100")))))));
        schemaReadsToFail.set(1);

        assertThatThrownBy(() -> batches.results(batch, answer)).hasMessageContaining("503");
        batches.results(batch, answer);
        String call = batches.nextCall(batch);

        assertThat(call).as("the updates after the redelivered step").isNotNull().contains(SF_1, SF_2);
    }

    private static Map<String, Object> record(String id, String phone) {
        return Map.of("attributes", Map.of("type", "Contact", "url", "/services/data/v60.0/sobjects/Contact/" + id),
                "Id", id, "Email", id.toLowerCase() + "@example.com", "Phone", phone);
    }

    /** Two linked contacts whose phone changed in Intercom; {@code stored}: with their synced values (no read). */
    private IntercomToSalesforce batchesWithTwoLinkedContactChanges(boolean stored) {
        MappingStore mappings = new MappingStore(database.dataSource());
        mappings.create(AttributeMapping.of(ObjectType.CONTACT, "phone", "Phone", Direction.INTERCOM_TO_SALESFORCE));
        MappingSet mapped = mappings.current();
        RecordLinks links = new RecordLinks(database.dataSource());
        IntercomChanges changes = new IntercomChanges(database.dataSource(), Duration.ofMinutes(2));
        Map<String, String> sfIds = Map.of("ic-1", SF_1, "ic-2", SF_2);
        sfIds.forEach((icId, sfId) -> {
            links.link(ObjectType.CONTACT, sfId, icId);
            if (stored) {
                links.rememberIntercomStates(Map.of(icId, SyncedValues.of(mapped, ObjectType.CONTACT,
                        contact(icId, "+1 555 0100", 10))));
            }
            changes.add(contact(icId, "+1 555 0199", 20), "WEBHOOK", "notif-" + icId);
        });
        SchemaCache schemas = new SchemaCache(this::schemas, Duration.ofHours(1), Clock.systemUTC());
        SyncErrorStore errors = new SyncErrorStore(database.dataSource());
        RecordSync recordSync = new RecordSync(schemas, new IntercomClient(camel.createProducerTemplate(), "unused"),
                errors, links);
        return new IntercomToSalesforce(changes, mappings, links, null, errors,
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

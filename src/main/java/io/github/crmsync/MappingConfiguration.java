package io.github.crmsync;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crmsync.admin.MappingsApi;
import io.github.crmsync.admin.SchemasApi;
import io.github.crmsync.bulksync.BulkRunGuard;
import io.github.crmsync.intercom.IntercomClient;
import io.github.crmsync.mapping.IntercomSchema;
import io.github.crmsync.mapping.MappingStore;
import io.github.crmsync.mapping.SalesforceSchema;
import io.github.crmsync.mapping.SandboxMappings;
import io.github.crmsync.mapping.SchemaCache;
import io.github.crmsync.mapping.Schemas;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.ProducerTemplate;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;

/** The attribute mappings and the two systems' schemas they are checked against, and their admin API. */
public class MappingConfiguration implements CamelConfiguration {

    /** The stored mappings; the sandbox starts with its defaults. */
    @BindToRegistry(value = "mappingStore", lazy = true)
    public MappingStore mappingStore(DataSource dataSource, ServiceSettings settings) {
        MappingStore mappings = new MappingStore(dataSource);
        if (settings.sandbox()) {
            mappings.seedIfEmpty(SandboxMappings.defaults());
        }
        return mappings;
    }

    @BindToRegistry(value = "schemaCache", lazy = true)
    public SchemaCache schemaCache(ProducerTemplate template, IntercomClient intercom) {
        return new SchemaCache(() -> loadSchemas(template, intercom), Duration.ofMinutes(10), Clock.systemUTC());
    }

    @BindToRegistry(value = "schemasApi", lazy = true)
    public SchemasApi schemasApi(SchemaCache schemas) {
        return new SchemasApi(schemas);
    }

    /** Saving a mapping while a bulk sync runs asks the bulk-run guard first. */
    @BindToRegistry(value = "mappingsApi", lazy = true)
    public MappingsApi mappingsApi(MappingStore mappings, SchemaCache schemas, BulkRunGuard guard) {
        return new MappingsApi(mappings, schemas, guard::allowSave);
    }

    private static Schemas loadSchemas(ProducerTemplate template, IntercomClient intercom) {
        ObjectMapper json = new ObjectMapper();
        try {
            SalesforceSchema lead = SalesforceSchema.fromDescribe(json.readTree(describe(template, "Lead")));
            SalesforceSchema contact = SalesforceSchema.fromDescribe(json.readTree(describe(template, "Contact")));
            return new Schemas(lead, contact, IntercomSchema.fromDataAttributes(intercom.contactDataAttributes()));
        } catch (IOException e) {
            throw new UncheckedIOException("A schema answer is not JSON", e);
        }
    }

    private static String describe(ProducerTemplate template, String sObject) {
        return template.requestBodyAndHeader("direct:salesforce-describe", null, "sObjectName", sObject, String.class);
    }
}

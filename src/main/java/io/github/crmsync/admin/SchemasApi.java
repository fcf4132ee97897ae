package io.github.crmsync.admin;

import io.github.crmsync.mapping.IntercomAttribute;
import io.github.crmsync.mapping.SalesforceField;
import io.github.crmsync.mapping.SalesforceSchema;
import io.github.crmsync.mapping.SchemaCache;
import io.github.crmsync.mapping.Schemas;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.github.crmsync.requests.Unavailable;
import io.swagger.v3.oas.annotations.media.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Comparator;
import java.util.List;

/**
 * {@code GET /api/schemas}: the live schemas mappings are validated against (Salesforce Lead and
 * Contact fields, Intercom contact data attributes), for the settings page's pickers. Read-only,
 * from the same cache as validation, so the pickers offer what validation accepts.
 */
public final class SchemasApi {

    @Schema(name = "Schemas", requiredProperties = {"salesforce", "intercom"})
    public record Answer(SalesforceFields salesforce, List<Attribute> intercom) {
    }

    /** The fields of each Salesforce object, by name. */
    @Schema(requiredProperties = {"CONTACT", "LEAD"})
    public record SalesforceFields(@JsonProperty("CONTACT") List<Field> contact, @JsonProperty("LEAD") List<Field> lead) {
    }

    @Schema(name = "SalesforceField", requiredProperties = {"name", "label", "type", "updateable", "nillable", "length",
            "precision", "scale", "restrictedPicklist", "picklistValues"})
    public record Field(String name, String label, @Schema(description = "the describe call's type, e.g. string, picklist")
            String type, boolean updateable, boolean nillable, int length, int precision, int scale,
                        boolean restrictedPicklist, List<String> picklistValues) {
    }

    @Schema(name = "IntercomAttribute", requiredProperties = {"name", "dataType", "apiWritable", "custom", "options"})
    public record Attribute(String name, @Schema(description = "Intercom's data_type, e.g. string, integer") String dataType,
                            boolean apiWritable, boolean custom, @Schema(nullable = true) List<String> options) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(SchemasApi.class);

    private final SchemaCache schemas;

    public SchemasApi(SchemaCache schemas) {
        this.schemas = schemas;
    }

    public Answer answer() {
        Schemas current;
        try {
            current = schemas.current();
        } catch (RuntimeException e) {
            LOG.warn("The live schemas could not be read: {}", e.toString());
            throw new Unavailable("The live schemas could not be read from Salesforce or Intercom; try again shortly.");
        }
        return asJson(current);
    }

    static Answer asJson(Schemas schemas) {
        return new Answer(new SalesforceFields(fields(schemas.contact()), fields(schemas.lead())),
                schemas.intercom().attributes().stream().sorted(Comparator.comparing(IntercomAttribute::fullName))
                        .map(a -> new Attribute(a.fullName(), a.dataType().apiName(), a.apiWritable(), a.isCustom(), a.options()))
                        .toList());
    }

    private static List<Field> fields(SalesforceSchema schema) {
        return schema.fields().stream().sorted(Comparator.comparing(SalesforceField::name))
                .map(f -> new Field(f.name(), f.label(), f.type().describeName(), f.updateable(), f.nillable(), f.length(),
                        f.precision(), f.scale(), f.restrictedPicklist(), f.picklistValues()))
                .toList();
    }
}

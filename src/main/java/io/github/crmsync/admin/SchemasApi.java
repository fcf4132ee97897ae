package io.github.crmsync.admin;

import io.github.crmsync.mapping.IntercomAttribute;
import io.github.crmsync.mapping.SalesforceField;
import io.github.crmsync.mapping.SalesforceSchema;
import io.github.crmsync.mapping.SchemaCache;
import io.github.crmsync.mapping.Schemas;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/schemas}: the live schemas mappings are validated against (Salesforce Lead and
 * Contact fields, Intercom contact data attributes), for the settings page's pickers. Read-only,
 * from the same cache as validation, so the pickers offer what validation accepts.
 */
public final class SchemasApi {

    private static final Logger LOG = LoggerFactory.getLogger(SchemasApi.class);

    private final SchemaCache schemas;

    public SchemasApi(SchemaCache schemas) {
        this.schemas = schemas;
    }

    public void answer(Exchange exchange) {
        Schemas current;
        try {
            current = schemas.current();
        } catch (RuntimeException e) {
            LOG.warn("The live schemas could not be read: {}", e.toString());
            HttpAnswers.error(exchange, 503, "The live schemas could not be read from Salesforce or Intercom; try again shortly.");
            return;
        }
        HttpAnswers.json(exchange, 200, asJson(current));
    }

    static Map<String, Object> asJson(Schemas schemas) {
        Map<String, Object> salesforce = new LinkedHashMap<>();
        salesforce.put("CONTACT", fields(schemas.contact()));
        salesforce.put("LEAD", fields(schemas.lead()));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("salesforce", salesforce);
        json.put("intercom", schemas.intercom().attributes().stream()
                .sorted(Comparator.comparing(IntercomAttribute::fullName)).map(SchemasApi::attribute).toList());
        return json;
    }

    private static List<Map<String, Object>> fields(SalesforceSchema schema) {
        return schema.fields().stream().sorted(Comparator.comparing(SalesforceField::name)).map(f -> {
            Map<String, Object> field = new LinkedHashMap<>();
            field.put("name", f.name());
            field.put("label", f.label());
            field.put("type", f.type().describeName());
            field.put("updateable", f.updateable());
            field.put("nillable", f.nillable());
            field.put("length", f.length());
            field.put("precision", f.precision());
            field.put("scale", f.scale());
            field.put("restrictedPicklist", f.restrictedPicklist());
            field.put("picklistValues", f.picklistValues());
            return field;
        }).toList();
    }

    private static Map<String, Object> attribute(IntercomAttribute a) {
        Map<String, Object> attribute = new LinkedHashMap<>();
        attribute.put("name", a.fullName());
        attribute.put("dataType", a.dataType().apiName());
        attribute.put("apiWritable", a.apiWritable());
        attribute.put("custom", a.isCustom());
        attribute.put("options", a.options());
        return attribute;
    }
}

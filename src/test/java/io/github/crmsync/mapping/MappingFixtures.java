package io.github.crmsync.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/** The sandbox schemas as the live APIs describe them (src/test/resources/mapping/), for tests. */
final class MappingFixtures {

    static final SalesforceSchema CONTACT = SalesforceSchema.fromDescribe(json("contact-describe.json"));
    static final SalesforceSchema LEAD = SalesforceSchema.fromDescribe(json("lead-describe.json"));
    static final IntercomSchema INTERCOM = IntercomSchema.fromDataAttributes(json("data-attributes.json"));
    static final Schemas SCHEMAS = new Schemas(LEAD, CONTACT, INTERCOM);

    private MappingFixtures() {
    }

    static JsonNode json(String resource) {
        try (InputStream in = MappingFixtures.class.getResourceAsStream("/mapping/" + resource)) {
            if (in == null) {
                throw new IllegalStateException("Missing test resource " + resource);
            }
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A Contact field of the sandbox. */
    static SalesforceField sf(String name) {
        return CONTACT.field(name).orElseThrow(() -> new IllegalArgumentException("No Contact field " + name));
    }

    /** An Intercom attribute of the sandbox; {@code plan} is short for {@code custom_attributes.plan}. */
    static IntercomAttribute ic(String name) {
        return INTERCOM.attribute(name).or(() -> INTERCOM.attribute(AttributeMapping.CUSTOM_PREFIX + name))
                .orElseThrow(() -> new IllegalArgumentException("No Intercom attribute " + name));
    }

    static SalesforceField field(String name, SalesforceFieldType type, int length, int precision, int scale) {
        return new SalesforceField(name, name, type, length, precision, scale, true, true, false, List.of());
    }

    static IntercomAttribute attribute(String name, IntercomDataType type) {
        return new IntercomAttribute(AttributeMapping.CUSTOM_PREFIX + name, type, true, List.of());
    }
}

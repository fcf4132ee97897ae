package io.github.crmsync.salesforce;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import org.apache.camel.component.salesforce.api.dto.AbstractDescribedSObjectBase;
import org.apache.camel.component.salesforce.api.dto.Attributes;
import org.apache.camel.component.salesforce.api.dto.SObjectDescription;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One record's changed fields for an sObject Collections update, without generated DTO classes:
 * the fields are whatever the mappings name, and a null value clears the field.
 */
public final class SObjectPatch extends AbstractDescribedSObjectBase {

    private final Map<String, Object> fields;

    public SObjectPatch(String sObjectType, String id, Map<String, Object> fields) {
        Attributes attributes = new Attributes();
        attributes.setType(sObjectType);
        setAttributes(attributes);
        setId(id);
        this.fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    @JsonAnyGetter
    public Map<String, Object> fields() {
        return fields;
    }

    @Override
    public SObjectDescription description() {
        SObjectDescription description = new SObjectDescription();
        description.setName(getAttributes().getType());
        return description;
    }
}

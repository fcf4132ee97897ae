package io.github.crmsync.salesforce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.component.salesforce.api.utils.JsonUtils;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SObjectPatchTest {

    @Test
    void serialisesAsCamelSalesforceSendsItOnlyTheIdTypeAndChangedFieldsWithNullsKept() throws Exception {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("Plan__c", "Pro");
        fields.put("Nickname__c", null);
        ObjectMapper mapper = JsonUtils.createObjectMapper();
        JsonNode json = mapper.readTree(mapper.writeValueAsString(new SObjectPatch("Contact", "0035e0000000001AAA", fields)));

        assertThat(json.path("attributes").path("type").asText()).isEqualTo("Contact");
        assertThat(json.path("Id").asText()).isEqualTo("0035e0000000001AAA");
        assertThat(json.path("Plan__c").asText()).isEqualTo("Pro");
        assertThat(json.has("Nickname__c")).isTrue();
        assertThat(json.path("Nickname__c").isNull()).isTrue();
        assertThat(json.has("OwnerId")).isFalse();
        assertThat(json.has("Name")).isFalse();
    }
}

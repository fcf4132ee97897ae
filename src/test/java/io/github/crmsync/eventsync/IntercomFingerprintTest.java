package io.github.crmsync.eventsync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crmsync.mapping.MappingSet;
import io.github.crmsync.mapping.ObjectType;
import io.github.crmsync.mapping.SandboxMappings;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class IntercomFingerprintTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final MappingSet MAPPINGS = SandboxMappings.defaults();

    private static String of(Map<String, Object> contact) {
        JsonNode node = JSON.valueToTree(contact);
        return IntercomFingerprint.of(MAPPINGS, ObjectType.CONTACT, node);
    }

    @Test
    void onlyValuesMappedToSalesforceCount() {
        String base = of(Map.of("phone", "+1 1", "custom_attributes", Map.of("plan", "Pro", "seats", 3, "job_title", "CTO")));
        assertThat(of(Map.of("phone", "+1 2", "custom_attributes", Map.of("plan", "Pro", "seats", 3, "job_title", "CEO"))))
                .as("phone and job title go from Salesforce to Intercom").isEqualTo(base);
        assertThat(of(Map.of("phone", "+1 1", "custom_attributes", Map.of("plan", "Team", "seats", 3, "job_title", "CTO"))))
                .isNotEqualTo(base);
        assertThat(of(Map.of("phone", "+1 1", "custom_attributes", Map.of("plan", "Pro", "job_title", "CTO"))))
                .as("a cleared value is a change").isNotEqualTo(base);
    }

    @Test
    void theObjectTypesMappingsDecide() {
        JsonNode contact = JSON.valueToTree(Map.of("custom_attributes", Map.of("plan", "Pro")));
        assertThat(IntercomFingerprint.of(MappingSet.empty(), ObjectType.CONTACT, contact))
                .isNotEqualTo(IntercomFingerprint.of(MAPPINGS, ObjectType.CONTACT, contact));
        assertThat(IntercomFingerprint.of(MAPPINGS, ObjectType.CONTACT, contact)).hasSize(24);
    }
}

package io.github.crmsync.sandbox.intercom;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The spec check the other tests rely on does reject what Intercom's 2.14 description rejects. */
class IntercomSpecTest {

    private static final Map<String, List<String>> JSON = Map.of("Content-Type", List.of("application/json"));

    @Test
    void acceptsTheSpecsOwnErrorExampleForAnyStatus() {
        String error = "{\"type\":\"error.list\",\"request_id\":\"89ce96d9-aae9-4eec-ace2-d68cc4f74879\","
                + "\"errors\":[{\"code\":\"unauthorized\",\"message\":\"Access Token Invalid\"}]}";
        assertThatCode(() -> IntercomSpec.assertValid("GET", "/contacts", 401, JSON, error)).doesNotThrowAnyException();
        assertThatCode(() -> IntercomSpec.assertValid("PUT", "/contacts/abc", 404, JSON, error)).doesNotThrowAnyException();
    }

    @Test
    void rejectsWrongTypesMissingRequiredPropertiesAndUnknownProperties() {
        assertThatThrownBy(() -> IntercomSpec.assertValid("GET", "/contacts", 200, JSON,
                "{\"type\":\"list\",\"data\":[{\"type\":\"contact\",\"id\":123}],\"total_count\":1}"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("/data/0/id");
        assertThatThrownBy(() -> IntercomSpec.assertValid("GET", "/contacts/abc", 404, JSON,
                "{\"type\":\"error.list\",\"errors\":[{\"message\":\"no code\"}]}"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("code");
        assertThatThrownBy(() -> IntercomSpec.assertValid("GET", "/contacts/abc", 200, JSON,
                "{\"type\":\"contact\",\"id\":\"abc\",\"update_at\":1}"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("update_at");
        assertThatThrownBy(() -> IntercomSpec.assertValid("GET", "/nowhere", 200, JSON, "{}"))
                .isInstanceOf(AssertionError.class);
    }
}

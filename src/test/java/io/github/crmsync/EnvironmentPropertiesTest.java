package io.github.crmsync;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** The Camel settings the service reads from the environment itself, because Camel Main does not. */
class EnvironmentPropertiesTest {

    @Test
    void eachSalesforceSettingIsReadBackFromTheVariableItIsDocumentedUnder() {
        for (String option : List.of("loginUrl", "clientId", "clientSecret", "userName", "password", "refreshToken",
                "authenticationType", "lazyLogin")) {
            String key = "camel.component.salesforce." + option;
            Properties read = EnvironmentProperties.fromEnvironment(Map.of(ServiceSettings.envVar(key), "value of " + option));
            assertThat(read).as(ServiceSettings.envVar(key)).containsExactly(Map.entry(key, "value of " + option));
        }
        assertThat(ServiceSettings.envVar("camel.component.salesforce.loginUrl")).isEqualTo("CAMEL_COMPONENT_SALESFORCE_LOGIN_URL");
    }

    @Test
    void thePortsCamelMainSkipsAreReadWhenTheyAreNumbers() {
        Properties read = EnvironmentProperties.fromEnvironment(Map.of("CAMEL_SERVER_PORT", "18080",
                "CAMEL_MANAGEMENT_PORT", " 19876 ", "CAMEL_SERVER_HOST", "0.0.0.0", "PATH", "/usr/bin"));
        assertThat(read).containsOnly(Map.entry("camel.server.port", "18080"), Map.entry("camel.management.port", "19876"));
    }

    @Test
    void aPortVariableKubernetesSetsForAServiceIsIgnored() {
        assertThat(EnvironmentProperties.fromEnvironment(Map.of("CAMEL_SERVER_PORT", "tcp://10.0.0.1:8080",
                "CAMEL_MANAGEMENT_PORT", "tcp://10.0.0.2:9876"))).isEmpty();
    }
}

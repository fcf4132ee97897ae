package io.github.crmsync;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServiceSettingsTest {

    private static ServiceSettings read(Map<String, String> values) {
        return ServiceSettings.from(key -> Optional.ofNullable(values.get(key)));
    }

    @Test
    void environmentVariablesAreNamedAsCamelNamesThemAndTheServicesOwnKeysPlainly() {
        assertThat(ServiceSettings.envVar("camel.component.salesforce.userName")).isEqualTo("CAMEL_COMPONENT_SALESFORCE_USER_NAME");
        assertThat(ServiceSettings.envVar("camel.component.salesforce.clientSecret")).isEqualTo("CAMEL_COMPONENT_SALESFORCE_CLIENT_SECRET");
        assertThat(ServiceSettings.envVar("crmsync.admin.username")).isEqualTo("CRMSYNC_ADMIN_USERNAME");
        assertThat(ServiceSettings.envVar("crmsync.intercom.access-token")).isEqualTo("CRMSYNC_INTERCOM_ACCESS_TOKEN");
    }

    @Test
    void sandboxIsTheDefaultAndNeedsNoCredentials() {
        ServiceSettings settings = read(Map.of());
        assertThat(settings.mode()).isEqualTo(ServiceSettings.Mode.SANDBOX);
        assertThat(settings.sandboxSalesforcePort()).isEqualTo(8091);
        assertThat(settings.sandboxIntercomPort()).isEqualTo(8092);
        assertThat(settings.sandboxSmtpPort()).isEqualTo(3025);
        assertThat(settings.sandboxPeople()).isEqualTo(5000);
    }

    @Test
    void liveModeWithoutCredentialsNamesEveryMissingSettingAndItsEnvironmentVariable() {
        assertThatThrownBy(() -> read(Map.of("crmsync.mode", "live")))
                .isInstanceOf(ServiceSettings.MissingSettingsException.class)
                .hasMessageContaining("crmsync.db.url (environment variable CRMSYNC_DB_URL)")
                .hasMessageContaining("crmsync.db.password (environment variable CRMSYNC_DB_PASSWORD)")
                .hasMessageContaining("crmsync.intercom.access-token (environment variable CRMSYNC_INTERCOM_ACCESS_TOKEN)")
                .hasMessageContaining("crmsync.intercom.client-secret (environment variable CRMSYNC_INTERCOM_CLIENT_SECRET)")
                .hasMessageContaining("camel.component.salesforce.clientId (environment variable CAMEL_COMPONENT_SALESFORCE_CLIENT_ID)")
                .hasMessageContaining("camel.component.salesforce.clientSecret (environment variable CAMEL_COMPONENT_SALESFORCE_CLIENT_SECRET)")
                .hasMessageContaining("camel.component.salesforce.userName and camel.component.salesforce.password")
                .hasMessageContaining("crmsync.admin.password (environment variable CRMSYNC_ADMIN_PASSWORD)");
    }

    @Test
    void liveModeWithEverythingStartsAndListsOnlyWhatIsStillMissing() {
        Map<String, String> values = new HashMap<>(Map.of("crmsync.mode", "live",
                "crmsync.db.url", "jdbc:postgresql://db/crmsync", "crmsync.db.user", "crmsync", "crmsync.db.password", "pw",
                "crmsync.intercom.access-token", "tok", "crmsync.intercom.client-secret", "cs",
                "camel.component.salesforce.clientId", "id", "camel.component.salesforce.clientSecret", "secret",
                "camel.component.salesforce.refreshToken", "refresh", "crmsync.admin.password", "admin-pw"));
        assertThat(read(values).mode()).isEqualTo(ServiceSettings.Mode.LIVE);
        assertThat(read(values).adminUsername()).isEqualTo("admin");

        values.remove("crmsync.db.password");
        assertThatThrownBy(() -> read(values)).hasMessageContaining("crmsync.db.password")
                .hasMessageNotContaining("crmsync.db.url").hasMessageNotContaining("clientId");
    }

    @Test
    void badValuesAreNamed() {
        assertThatThrownBy(() -> read(Map.of("crmsync.mode", "production")))
                .hasMessage("crmsync.mode must be 'sandbox' or 'live', not 'production'");
        assertThatThrownBy(() -> read(Map.of("crmsync.sandbox.people", "lots")))
                .hasMessage("crmsync.sandbox.people must be a whole number, not 'lots'");
    }

    @Test
    void toStringNeverShowsSecrets() {
        ServiceSettings settings = read(Map.of("crmsync.db.password", "db-secret-value",
                "crmsync.intercom.access-token", "token-secret-value", "crmsync.intercom.client-secret", "client-secret-value",
                "crmsync.admin.password", "admin-secret-value"));
        assertThat(settings.toString()).doesNotContain("db-secret-value", "token-secret-value", "client-secret-value",
                "admin-secret-value");
    }

    @Test
    void eachReplicaHasItsOwnIdUnlessOneIsConfigured() {
        assertThat(read(Map.of("crmsync.replica-id", "crmsync-0")).replicaId()).isEqualTo("crmsync-0");
        String first = read(Map.of()).replicaId();
        String second = read(Map.of()).replicaId();
        assertThat(first).as("two replicas on one host (or one restarted) differ").isNotEqualTo(second);
        assertThat(first.substring(0, first.lastIndexOf('-')))
                .as("the host name, then a random suffix").isEqualTo(second.substring(0, second.lastIndexOf('-'))).isNotBlank();
    }
}

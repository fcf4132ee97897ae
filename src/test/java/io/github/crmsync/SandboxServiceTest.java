package io.github.crmsync;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.RunningService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The service as a newcomer starts it: sandbox mode, one process, healthy. */
class SandboxServiceTest {

    @TempDir
    Path dataDir;

    @Test
    void startsInSandboxModeAndIsHealthyWithDatabaseAndBothRemoteSystemsReachable() throws Exception {
        Map<String, String> properties = RunningService.sandboxProperties(dataDir);
        properties.put("camel.main.jmxEnabled", "true");
        try (RunningService service = RunningService.start(properties)) {
            var mbeans = java.lang.management.ManagementFactory.getPlatformMBeanServer();
            assertThat(mbeans.queryNames(new javax.management.ObjectName("org.apache.camel:context=crmsync,type=routes,*"), null))
                    .as("routes are manageable over JMX").isNotEmpty();
            Http.Answer health = Http.get(service.managementUrl() + "/observe/health");
            assertThat(health.status()).as(health.body()).isEqualTo(200);
            JsonNode body = health.json();
            assertThat(body.path("status").asText()).isEqualTo("UP");
            assertThat(body.path("checks").toString()).contains("database", "salesforce", "intercom");
            for (JsonNode check : body.path("checks")) {
                assertThat(check.path("status").asText()).as(check.toString()).isEqualTo("UP");
            }
            assertThat(Http.get(service.managementUrl() + "/observe/health/ready").status()).isEqualTo(200);
            assertThat(Http.get(service.managementUrl() + "/observe/health/live").status()).isEqualTo(200);

            Http.Answer mail = Http.get(service.serviceUrl() + "/sandbox/mail");
            assertThat(mail.status()).isEqualTo(200);
            assertThat(mail.json().path("messages").isArray()).isTrue();

            String salesforce = "http://127.0.0.1:" + properties.get("crmsync.sandbox.salesforce-port");
            String intercom = "http://127.0.0.1:" + properties.get("crmsync.sandbox.intercom-port");
            assertThat(Http.get(salesforce + "/sandbox/state").status()).isEqualTo(200);
            assertThat(Http.get(intercom + "/contacts", "Authorization", "Bearer sandbox-token").json()
                    .path("total_count").asInt()).isPositive();
            assertThat(Http.get(service.serviceUrl() + "/api/mappings").json().path("mappings").size())
                    .as("the sandbox ships a mapping set").isPositive();

            try (var c = service.bean("dataSource", javax.sql.DataSource.class).getConnection();
                 var rs = c.createStatement().executeQuery(
                         "SELECT count(*) FROM qrtz_scheduler_state WHERE sched_name = 'crmsync'")) {
                rs.next();
                assertThat(rs.getInt(1)).as("Quartz checks in to its clustered JDBC job store").isEqualTo(1);
            }
            try (var c = service.bean("dataSource", javax.sql.DataSource.class).getConnection();
                 var rs = c.createStatement().executeQuery("SELECT count(*) FROM qrtz_cron_triggers WHERE sched_name = 'crmsync'")) {
                rs.next();
                assertThat(rs.getInt(1)).as("the Intercom and Salesforce polls and the /limits poll are stored triggers").isEqualTo(3);
            }
        }
        assertThat(portIsFree(Integer.parseInt(properties.get("crmsync.sandbox.salesforce-port")))).isTrue();
        assertThat(portIsFree(Integer.parseInt(properties.get("crmsync.sandbox.intercom-port")))).isTrue();
        assertThat(portIsFree(Integer.parseInt(properties.get("crmsync.sandbox.smtp-port")))).isTrue();
    }

    @Test
    void liveModeWithoutCredentialsRefusesToStartNamingWhatIsMissingAndLeavesNothingRunning() {
        Map<String, String> properties = RunningService.sandboxProperties(dataDir);
        properties.put("crmsync.mode", "live");
        assertThatThrownBy(() -> RunningService.start(properties))
                .hasStackTraceContaining("crmsync.mode=live needs settings that are missing")
                .hasStackTraceContaining("CRMSYNC_DB_URL")
                .hasStackTraceContaining("CAMEL_COMPONENT_SALESFORCE_CLIENT_SECRET")
                .hasStackTraceContaining("CRMSYNC_INTERCOM_ACCESS_TOKEN");
        assertThat(portIsFree(Integer.parseInt(properties.get("camel.server.port")))).isTrue();
    }

    private static boolean portIsFree(int port) {
        try (ServerSocket socket = new ServerSocket(port)) {
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}

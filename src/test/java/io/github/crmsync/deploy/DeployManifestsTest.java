package io.github.crmsync.deploy;

import io.github.crmsync.ServiceSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

import org.yaml.snakeyaml.Yaml;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Everything under deploy/ parses and refers only to settings, environment variables, files, route
 * files, Secret keys, ports and endpoints the project has, so the manifests cannot quietly rot.
 */
class DeployManifestsTest {

    private static final Path PROJECT = Path.of("").toAbsolutePath();

    @TempDir
    Path copy;

    @Test
    void theManifestsReferToNothingTheProjectLacks() throws IOException {
        assertThat(Files.list(PROJECT.resolve("deploy/kubernetes"))).isNotEmpty();
        assertThat(Files.list(PROJECT.resolve("deploy/camel-k"))).isNotEmpty();
        assertThat(DeployManifestCheck.problems(PROJECT, PROJECT.resolve("deploy"))).isEmpty();
    }

    @Test
    void thePlainDeploymentGivesTheServiceEverySettingLiveModeNeeds() throws IOException {
        Map<String, String> env = new HashMap<>();
        Map<?, ?> configMap = yaml("deploy/kubernetes/configmap.yaml");
        ((Map<?, ?>) configMap.get("data")).forEach((k, v) -> env.put(k.toString(), v.toString()));
        Map<?, ?> pod = (Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) yaml("deploy/kubernetes/deployment.yaml").get("spec"))
                .get("template")).get("spec");
        for (Object container : (List<?>) pod.get("containers")) {
            for (Object variable : (List<?>) ((Map<?, ?>) container).get("env")) {
                env.putIfAbsent(((Map<?, ?>) variable).get("name").toString(), "from-the-secret");
            }
        }
        assertThat(ServiceSettings.from(key -> Optional.ofNullable(env.get(ServiceSettings.envVar(key)))).sandbox()).isFalse();
    }

    @Test
    void theCamelKIntegrationGivesTheServiceEverySettingLiveModeNeeds() throws IOException {
        Properties properties = new Properties();
        properties.load(new StringReader(((Map<?, ?>) yaml("deploy/camel-k/configmap.yaml").get("data"))
                .get("crmsync.properties").toString()));
        properties.load(new StringReader(((Map<?, ?>) yaml("deploy/camel-k/secret.template.yaml").get("stringData"))
                .get("credentials.properties").toString()));
        assertThat(ServiceSettings.from(key -> Optional.ofNullable(properties.getProperty(key))).sandbox()).isFalse();
    }

    private static Map<?, ?> yaml(String file) throws IOException {
        return new Yaml().load(Files.readString(PROJECT.resolve(file)));
    }

    /** Each row: a file under deploy/, a text in it, what it is changed to, and the problem then named. */
    @ParameterizedTest(name = "{0}: {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            kubernetes/deployment.yaml  | key: CRMSYNC_DB_PASSWORD }          | key: CRMSYNC_DB_PASSWD }            | comes from key CRMSYNC_DB_PASSWD, which Secret crmsync-credentials does not have
            kubernetes/deployment.yaml  | name: crmsync-credentials, key: CRMSYNC_DB_URL } | name: db, key: CRMSYNC_DB_URL } | CRMSYNC_DB_URL comes from Secret db, which deploy/ does not define
            kubernetes/deployment.yaml  | path: /observe/health/ready       | path: /healthz                     | readinessProbe asks /healthz, not the management server's /observe/health/ready
            kubernetes/deployment.yaml  | containerPort: 9876               | containerPort: 9000                | livenessProbe asks port management (9000), not camel.management.port 9876
            kubernetes/deployment.yaml  | name: crmsync-config              | name: crmsync-settings             | ConfigMap crmsync-settings, which deploy/ does not define
            kubernetes/configmap.yaml   | CRMSYNC_EVENT_POLL_CRON:          | CRMSYNC_POLL_CRON:                 | sets CRMSYNC_POLL_CRON, which is no environment variable the service reads
            kubernetes/configmap.yaml   | CAMEL_MANAGEMENT_PORT: "9876"     | CAMEL_MANAGEMENT_PORT: "9990"      | livenessProbe asks port management (9876), not camel.management.port 9990
            kubernetes/secret.template.yaml | CRMSYNC_DB_PASSWORD: REPLACE_ME | CRMSYNC_DB_PASSWORD: hunter2       | holds a value for CRMSYNC_DB_PASSWORD that is not a REPLACE_ME placeholder
            kubernetes/deployment.yaml  | prometheus.io/path: /observe/metrics | prometheus.io/path: /metrics    | has Prometheus scrape /metrics, not camel.metrics.path /observe/metrics
            kubernetes/service.yaml     | targetPort: http                  | targetPort: management             | publishes the management port (management): only http belongs in the Service
            kubernetes/networkpolicy.yaml | - port: http                    | - port: management                 | opens the management port to every source
            kubernetes/kustomization.yaml | - service.yaml                  | - ingress.yaml                     | lists ingress.yaml, which is not there
            camel-k/integration.yaml    | contentKey: inbox-app.camel.yaml  | contentKey: inbox.camel.yaml       | runs route file inbox.camel.yaml, which routes/ does not have
            camel-k/integration.yaml    | - configmap:crmsync-camel-k-config | - configmap:crmsync-k-config      | mounts configmap:crmsync-k-config, which deploy/ does not define
            camel-k/integration.yaml    | intercom-salesforce-sync:0.1.0-SNAPSHOT | intercom-salesforce-sync:0.0.9 | does not depend on the service's jar mvn:io.github.crmsync:intercom-salesforce-sync:0.1.0-SNAPSHOT
            camel-k/integration.yaml    | camel.main.configurationClasses   | camel.main.configClasses           | sets camel.main.configClasses, which is no setting of the service
            camel-k/configmap.yaml      | crmsync.event.poll-cron           | crmsync.event.poll-crontab         | sets crmsync.event.poll-crontab, which is no setting of the service
            camel-k/configmap.yaml      | crmsync.mode = live               | crmsync.mode = {{crmsync.no-such-key}} | {{crmsync.no-such-key}} is no setting of the service
            camel-k/secret.template.yaml | crmsync.db.password = REPLACE_ME | crmsync.db.pasword = REPLACE_ME    | sets crmsync.db.pasword, which is no setting of the service
            Dockerfile                  | target/intercom-salesforce-sync-*.jar | target/app.jar                 | copies target/app.jar, which the build does not make
            Dockerfile                  | COPY target/lib/ /app/lib/        | COPY target/lib/ /app/libs/        | puts the dependencies in /app/libs/, but the jar's manifest looks in /app/lib/
            """)
    void aManifestThatRefersToSomethingMissingIsNamed(String file, String text, String changed, String problem)
            throws IOException {
        Path deploy = copy.resolve("deploy");
        try (Stream<Path> files = Files.walk(PROJECT.resolve("deploy"))) {
            for (Path source : files.toList()) {
                Path target = deploy.resolve(PROJECT.resolve("deploy").relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
        Path broken = deploy.resolve(file);
        String original = Files.readString(broken);
        assertThat(original).as("the row's text is in " + file).contains(text);
        Files.writeString(broken, original.replace(text, changed));

        List<String> problems = DeployManifestCheck.problems(PROJECT, deploy);
        assertThat(problems).as("problems").anySatisfy(p -> assertThat(p).contains(problem));
    }
}

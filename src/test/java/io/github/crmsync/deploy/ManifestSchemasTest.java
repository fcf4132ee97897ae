package io.github.crmsync.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every Kubernetes object in deploy/camel-k and deploy/kubernetes is valid against the published
 * schema of its kind, as strictly as {@code kubectl apply --validate=strict} checks it, and the
 * mistakes such a check exists for are refused with the path of the field (see {@link ManifestSchemas}).
 * The Kustomizations have no published schema: DeployManifestsTest checks them, and, where kubectl
 * is on the PATH, kubectl's own kustomize renders them here.
 */
class ManifestSchemasTest {

    private static final Path PROJECT = Path.of("").toAbsolutePath();
    private static final String KUSTOMIZATION = "kustomize.config.k8s.io/v1beta1 Kustomization";

    private static ManifestSchemas schemas;

    @BeforeAll
    static void loadSchemas() throws IOException {
        schemas = new ManifestSchemas();
    }

    @Test
    void everyObjectInDeployIsValidAgainstTheSchemaOfItsKind() throws IOException {
        Map<String, Integer> validated = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        for (Path file : manifests()) {
            for (JsonNode manifest : ManifestSchemas.documents(Files.readString(file))) {
                String kind = manifest.path("apiVersion").asText() + " " + manifest.path("kind").asText();
                if (kind.equals(KUSTOMIZATION)) {
                    continue;
                }
                assertThat(ManifestSchemas.hasSchema(manifest.path("apiVersion").asText(), manifest.path("kind").asText()))
                        .as("a published schema of %s (in %s)", kind, PROJECT.relativize(file)).isTrue();
                schemas.problems(manifest).forEach(p -> problems.add(PROJECT.relativize(file) + ": " + p));
                validated.merge(kind, 1, Integer::sum);
            }
        }
        assertThat(problems).isEmpty();
        assertThat(validated).containsExactlyInAnyOrderEntriesOf(Map.of(
                "camel.apache.org/v1 Integration", 1,
                "apps/v1 Deployment", 1,
                "v1 Service", 1,
                "networking.k8s.io/v1 NetworkPolicy", 1,
                "v1 ConfigMap", 2,
                "v1 Secret", 2));
    }

    /** Each row: a file under deploy/, a text in it, what it is changed to, the path then refused and why. */
    @ParameterizedTest(name = "{0}: {1} -> {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            camel-k/integration.yaml      | '  replicas: 2'                 | '  replicas: 2\\n  replica: 3'     | spec.replica                    | is not defined in the schema
            camel-k/integration.yaml      | '      podMonitor: false'       | '      podMonitors: false'        | spec.traits.prometheus.podMonitors | is not defined in the schema
            camel-k/integration.yaml      | '  replicas: 2'                 | '  replicas: two'                 | spec.replicas                   | integer expected
            camel-k/integration.yaml      | '      kind: deployment'        | '      kind: statefulset'         | spec.traits.deployer.kind       | enum
            camel-k/integration.yaml      | '      enabled: true\\n      podMonitor' | '      enabled: "true"\\n      podMonitor' | spec.traits.prometheus.enabled | boolean expected
            camel-k/integration.yaml      | '  name: intercom-salesforce-sync' | '  name: intercom-salesforce-sync\\n  label:\\n    app: sync' | metadata.label | is not defined in the schema
            camel-k/integration.yaml      | '    container:'                | '    deployment:\\n      rollingUpdateMaxSurge: true\\n    container:' | spec.traits.deployment.rollingUpdateMaxSurge | boolean found
            kubernetes/deployment.yaml    | '  replicas: 2'                 | '  replicas: "two"'               | spec.replicas                   | integer expected
            kubernetes/deployment.yaml    | '        - name: sync\\n          image:' | '        - image:'      | spec.template.spec.containers[0].name | required
            kubernetes/deployment.yaml    | '          image: '             | '          workingDirectory: /app\\n          image: ' | spec.template.spec.containers[0].workingDirectory | is not defined in the schema
            kubernetes/deployment.yaml    | '    matchLabels:'              | '    matchLabel:'                  | spec.selector.matchLabel        | is not defined in the schema
            kubernetes/deployment.yaml    | 'requests: { cpu: 250m'         | 'requests: { cpu: [250m]'         | spec.template.spec.containers[0].resources.requests.cpu | array found
            kubernetes/service.yaml       | '      port: 80'                | '      port: 80\\n      protocol: HTTP' | spec.ports[0].protocol    | enum
            kubernetes/networkpolicy.yaml | '    - Ingress'                 | '    - Incoming'                  | spec.policyTypes[0]             | enum
            kubernetes/configmap.yaml     | 'CRMSYNC_MAIL_PORT: "587"'      | 'CRMSYNC_MAIL_PORT: 587'          | data.CRMSYNC_MAIL_PORT          | string expected
            kubernetes/configmap.yaml     | 'CRMSYNC_MODE: live'            | 'CRMSYNC_MODE: on'                | data.CRMSYNC_MODE               | string expected
            kubernetes/secret.template.yaml | 'stringData:'                 | 'stringdata:'                     | stringdata                      | is not defined in the schema
            """)
    void aBrokenManifestIsRefusedNamingThePath(String file, String text, String changed, String path, String why)
            throws IOException {
        String original = Files.readString(PROJECT.resolve("deploy").resolve(file));
        assertThat(original).as("the row's text is in " + file).contains(text.replace("\\n", "\n"));
        String broken = original.replace(text.replace("\\n", "\n"), changed.replace("\\n", "\n"));

        List<String> problems = new ArrayList<>();
        for (JsonNode manifest : ManifestSchemas.documents(broken)) {
            problems.addAll(schemas.problems(manifest));
        }
        assertThat(problems).as("what the schema refuses").anySatisfy(p -> assertThat(p).startsWith(path + ": ").contains(why));
    }

    /** Each row: a file under deploy/, a text in it, and another way of writing it the API accepts. */
    @ParameterizedTest(name = "{0}: {1} -> {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            kubernetes/service.yaml       | 'targetPort: http'              | 'targetPort: 8080'
            kubernetes/networkpolicy.yaml | '- port: http'                  | '- port: 8080'
            kubernetes/deployment.yaml    | 'requests: { cpu: 250m'         | 'requests: { cpu: 1'
            kubernetes/deployment.yaml    | 'port: management }'            | 'port: 9876 }'
            camel-k/integration.yaml      | '    container:'                | '    deployment:\\n      rollingUpdateMaxSurge: 1\\n    container:'
            camel-k/integration.yaml      | '    container:'                | '    deployment:\\n      rollingUpdateMaxSurge: "25%"\\n    container:'
            """)
    void aFieldWrittenAnotherWayTheApiAcceptsPasses(String file, String text, String changed) throws IOException {
        String original = Files.readString(PROJECT.resolve("deploy").resolve(file));
        assertThat(original).as("the row's text is in " + file).contains(text);
        String changedManifest = original.replace(text, changed.replace("\\n", "\n"));

        for (JsonNode manifest : ManifestSchemas.documents(changedManifest)) {
            assertThat(schemas.problems(manifest)).isEmpty();
        }
    }

    @Test
    void aKindWithoutAKnownSchemaIsRefusedRatherThanPassed() throws IOException {
        String integration = Files.readString(PROJECT.resolve("deploy/camel-k/integration.yaml"))
                .replace("apiVersion: camel.apache.org/v1", "apiVersion: camel.apache.org/v1alpha1");
        JsonNode manifest = ManifestSchemas.documents(integration).get(0);

        assertThatThrownBy(() -> schemas.problems(manifest))
                .hasMessage("no published schema of camel.apache.org/v1alpha1 Integration is known");
    }

    /**
     * What {@code kubectl apply -k} would send: each directory rendered by kubectl's own kustomize,
     * every object in it valid. .ci/run installs Debian's kubectl (1.20, kustomize v2.0.3) where none
     * is on the PATH; a newer one (kustomize v5) renders the same.
     */
    @ParameterizedTest
    @ValueSource(strings = {"deploy/kubernetes", "deploy/camel-k"})
    @EnabledIf("kubectlIsOnThePath")
    void whatKubectlKustomizeRendersIsValidToo(String directory, @TempDir Path work) throws Exception {
        Kustomize rendered = kustomize(PROJECT.resolve(directory), work);
        assertThat(rendered.exit()).as(rendered.errors()).isZero();

        List<JsonNode> objects = ManifestSchemas.documents(rendered.output());
        long listed = 0;
        try (Stream<Path> files = Files.list(PROJECT.resolve(directory))) {
            for (Path file : files.filter(f -> !f.endsWith("kustomization.yaml")).toList()) {
                listed += ManifestSchemas.documents(Files.readString(file)).size();
            }
        }
        assertThat(objects).as("the rendered objects").hasSize((int) listed);
        for (JsonNode object : objects) {
            assertThat(schemas.problems(object)).as(object.path("kind").asText()).isEmpty();
        }
    }

    /** kustomize's own check of a Kustomization: an unknown field is refused by name. */
    @Test
    @EnabledIf("kubectlIsOnThePath")
    void kubectlKustomizeRefusesAnUnknownFieldInAKustomization(@TempDir Path work) throws Exception {
        Path copy = Files.createDirectories(work.resolve("kubernetes"));
        try (Stream<Path> files = Files.list(PROJECT.resolve("deploy/kubernetes"))) {
            for (Path file : files.toList()) {
                Files.copy(file, copy.resolve(file.getFileName()));
            }
        }
        Files.writeString(copy.resolve("kustomization.yaml"),
                Files.readString(copy.resolve("kustomization.yaml")).replace("resources:", "resource:"));

        Kustomize rendered = kustomize(copy, work);
        assertThat(rendered.exit()).isNotZero();
        // kubectl 1.32 writes 'invalid Kustomization: json: unknown field \"resource\"', Debian's 1.20
        // 'json: unknown field "resource"'
        assertThat(rendered.errors()).contains("unknown field", "resource");
    }

    /**
     * kustomize adds the Kustomization's labels to selectors too: the NetworkPolicy it renders must
     * still let the namespace's monitoring pods (which carry only their own labels) reach the
     * management port, and no other pod.
     */
    @Test
    @EnabledIf("kubectlIsOnThePath")
    void afterKustomizeOnlyTheMonitoringPodsReachTheManagementPort(@TempDir Path work) throws Exception {
        Kustomize rendered = kustomize(PROJECT.resolve("deploy/kubernetes"), work);
        assertThat(rendered.exit()).as(rendered.errors()).isZero();
        JsonNode policy = ManifestSchemas.documents(rendered.output()).stream()
                .filter(o -> o.path("kind").asText().equals("NetworkPolicy")).findFirst().orElseThrow();

        assertThat(reachesManagementPort(policy, Map.of("app.kubernetes.io/component", "monitoring")))
                .as("a pod labelled app.kubernetes.io/component=monitoring reaches the management port").isTrue();
        assertThat(reachesManagementPort(policy, Map.of("app.kubernetes.io/component", "sync",
                "app.kubernetes.io/name", "intercom-salesforce-sync")))
                .as("a replica of the service reaches another's management port").isFalse();
        assertThat(reachesManagementPort(policy, Map.of())).as("an unlabelled pod reaches the management port").isFalse();
    }

    /** Whether an ingress rule of the policy that names the management port lets a pod with these labels in. */
    private static boolean reachesManagementPort(JsonNode policy, Map<String, String> podLabels) {
        for (JsonNode rule : policy.path("spec").path("ingress")) {
            boolean management = false;
            for (JsonNode port : rule.path("ports")) {
                management |= port.path("port").asText().equals("management");
            }
            for (JsonNode peer : rule.path("from")) {
                if (management && peer.has("podSelector") && selects(peer.path("podSelector"), podLabels)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A Kubernetes label selector (matchLabels and matchExpressions) applied to a pod's labels. */
    private static boolean selects(JsonNode selector, Map<String, String> labels) {
        for (Map.Entry<String, JsonNode> label : selector.path("matchLabels").properties()) {
            if (!label.getValue().asText().equals(labels.get(label.getKey()))) {
                return false;
            }
        }
        for (JsonNode expression : selector.path("matchExpressions")) {
            String value = labels.get(expression.path("key").asText());
            List<String> values = new ArrayList<>();
            expression.path("values").forEach(v -> values.add(v.asText()));
            boolean ok = switch (expression.path("operator").asText()) {
                case "In" -> value != null && values.contains(value);
                case "NotIn" -> value == null || !values.contains(value);
                case "Exists" -> value != null;
                case "DoesNotExist" -> value == null;
                default -> throw new IllegalArgumentException("no selector operator " + expression.path("operator"));
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private record Kustomize(int exit, String output, String errors) {
    }

    private static Kustomize kustomize(Path directory, Path work) throws IOException, InterruptedException {
        Path errors = work.resolve("kustomize.err");
        assertThat(kubectl()).as("kubectl on the PATH (.ci/run installs Debian's kubernetes-client)").isNotNull();
        Process kubectl = new ProcessBuilder(kubectl().toString(), "kustomize", directory.toString())
                .redirectError(errors.toFile()).start();
        String output = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(kubectl.waitFor(2, TimeUnit.MINUTES)).as("kubectl kustomize ends").isTrue();
        return new Kustomize(kubectl.exitValue(), output, Files.readString(errors));
    }

    /** Skipped on a machine without kubectl, never in CI (CI=true), where .ci/run installs one. */
    static boolean kubectlIsOnThePath() {
        return kubectl() != null || "true".equals(System.getenv("CI"));
    }

    private static Path kubectl() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "kubectl");
            if (!dir.isEmpty() && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private static List<Path> manifests() throws IOException {
        try (Stream<Path> camelK = Files.list(PROJECT.resolve("deploy/camel-k"));
             Stream<Path> kubernetes = Files.list(PROJECT.resolve("deploy/kubernetes"))) {
            List<Path> files = Stream.concat(camelK, kubernetes).filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
            assertThat(files).as("manifests").hasSizeGreaterThanOrEqualTo(10);
            return files;
        }
    }
}

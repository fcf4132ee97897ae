package io.github.crmsync.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crmsync.ServiceSettings;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads every file under {@code deploy/} and lists what it refers to that the project does not
 * have: setting keys and environment variables nobody reads, files and route files that are not
 * there, probes and ports other than the management server's, Secret keys the Secret lacks, and
 * values in a Secret template that are not placeholders.
 */
final class DeployManifestCheck {

    static final String PLACEHOLDER = "REPLACE_ME";
    private static final Pattern JAVA_KEY = Pattern.compile("\"((?:crmsync|camel)\\.[A-Za-z0-9.\\-]+[A-Za-z0-9])\"");
    private static final Pattern JAVA_SF_KEY = Pattern.compile("SF \\+ \"([A-Za-z]+)\"");
    private static final Pattern PLACEHOLDER_REF = Pattern.compile("\\{\\{([^}:]+)(?::[^}]*)?}}");
    private static final Pattern COPY = Pattern.compile("^COPY\\s+(\\S+)\\s+(\\S+)\\s*$", Pattern.MULTILINE);

    private final Path project;
    private final Path deploy;
    private final Properties application = new Properties();
    private final Set<String> crmsyncKeys = new TreeSet<>();
    private final Set<String> camelKeys = new TreeSet<>();
    private final List<String> problems = new ArrayList<>();
    private final Map<String, Map<String, String>> configMaps = new HashMap<>();
    private final Map<String, Map<String, String>> secrets = new HashMap<>();
    private final List<Map<String, Object>> documents = new ArrayList<>();
    private final Map<Map<String, Object>, Path> fileOf = new java.util.IdentityHashMap<>();

    private DeployManifestCheck(Path project, Path deploy) {
        this.project = project;
        this.deploy = deploy;
    }

    /** What the manifests under {@code deploy} refer to that {@code project} lacks; empty when all is there. */
    static List<String> problems(Path project, Path deploy) throws IOException {
        DeployManifestCheck check = new DeployManifestCheck(project, deploy);
        check.run();
        return check.problems;
    }

    private void run() throws IOException {
        knownKeys();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(deploy)) {
            // deploy/monitoring is Prometheus and Grafana configuration, checked by MonitoringTest with promtool
            files = walk.filter(Files::isRegularFile).filter(f -> !f.startsWith(deploy.resolve("monitoring")))
                    .sorted().toList();
        }
        for (Path file : files) {
            String text = Files.readString(file);
            Matcher ref = PLACEHOLDER_REF.matcher(text);
            while (ref.find()) {
                if (!knownKey(ref.group(1).trim())) {
                    problem(file, "{{" + ref.group(1) + "}} is no setting of the service");
                }
            }
            String name = file.getFileName().toString();
            if (name.endsWith(".yaml") || name.endsWith(".yml")) {
                readYaml(file, text);
            } else if (name.equals("Dockerfile")) {
                checkDockerfile(file, text);
            } else {
                problem(file, "is neither a YAML manifest nor the Dockerfile");
            }
        }
        for (Map<String, Object> doc : documents) {
            Path file = fileOf.get(doc);
            switch (String.valueOf(doc.get("kind"))) {
                case "Deployment" -> checkDeployment(file, doc);
                case "Service" -> checkService(file, doc);
                case "NetworkPolicy" -> checkNetworkPolicy(file, doc);
                case "Integration" -> checkIntegration(file, doc);
                case "Kustomization" -> checkKustomization(file, doc);
                case "ConfigMap", "Secret" -> checkConfigData(file, doc);
                default -> problem(file, "has a " + doc.get("kind") + ", which this check does not know");
            }
        }
    }

    // ------------------------------------------------------------------ what the project has

    private void knownKeys() throws IOException {
        try (var in = Files.newBufferedReader(project.resolve("application.properties"))) {
            application.load(in);
        }
        for (String key : application.stringPropertyNames()) {
            (key.startsWith("crmsync.") ? crmsyncKeys : camelKeys).add(key);
        }
        try (Stream<Path> java = Files.walk(project.resolve("src/main/java"))) {
            for (Path file : java.filter(p -> p.toString().endsWith(".java")).toList()) {
                String source = Files.readString(file);
                Matcher m = JAVA_KEY.matcher(source);
                while (m.find()) {
                    if (!m.group(1).endsWith(".")) {
                        (m.group(1).startsWith("crmsync.") ? crmsyncKeys : camelKeys).add(m.group(1));
                    }
                }
                Matcher sf = JAVA_SF_KEY.matcher(source);
                while (sf.find()) {
                    camelKeys.add("camel.component.salesforce." + sf.group(1));
                }
            }
        }
        ObjectMapper json = new ObjectMapper();
        try (InputStream main = getClass().getResourceAsStream("/META-INF/camel-main-configuration-metadata.json");
             InputStream salesforce = getClass().getResourceAsStream(
                     "/META-INF/org/apache/camel/component/salesforce/salesforce.json")) {
            for (JsonNode option : json.readTree(Objects.requireNonNull(main)).path("properties")) {
                camelKeys.add(option.path("name").asText());
            }
            json.readTree(Objects.requireNonNull(salesforce)).path("componentProperties").fieldNames()
                    .forEachRemaining(option -> camelKeys.add("camel.component.salesforce." + option));
        }
    }

    /** A property key the service or Camel reads (Camel's own keys in any spelling its binding accepts). */
    boolean knownKey(String key) {
        if (key.startsWith("crmsync.")) {
            return crmsyncKeys.contains(key);
        }
        return camelKeys.stream().anyMatch(k -> relaxed(k).equals(relaxed(key)));
    }

    /** An environment variable the service or Camel maps to one of those keys. */
    boolean knownEnvironmentVariable(String name) {
        if (name.startsWith("CRMSYNC_")) {
            return crmsyncKeys.stream().anyMatch(k -> ServiceSettings.envVar(k).equals(name));
        }
        return name.startsWith("CAMEL_") && camelKeys.stream().anyMatch(k -> relaxed(k).equals(relaxed(name)));
    }

    private static String relaxed(String key) {
        return key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "");
    }

    /** A setting's value as the manifests set it (ConfigMap environment) or else application.properties. */
    private String effective(String key) {
        String env = ServiceSettings.envVar(key);
        for (Map<String, String> data : configMaps.values()) {
            if (data.containsKey(env)) {
                return data.get(env);
            }
        }
        return application.getProperty(key);
    }

    // ------------------------------------------------------------------ the manifests

    @SuppressWarnings("unchecked")
    private void readYaml(Path file, String text) {
        Load load = new Load(LoadSettings.builder().build());
        try {
            for (Object doc : load.loadAllFromString(text)) {
                if (!(doc instanceof Map<?, ?> map) || map.get("kind") == null) {
                    problem(file, "holds a YAML document without a kind");
                    continue;
                }
                Map<String, Object> manifest = (Map<String, Object>) map;
                documents.add(manifest);
                fileOf.put(manifest, file);
                String name = String.valueOf(map(manifest, "metadata").get("name"));
                if ("ConfigMap".equals(manifest.get("kind"))) {
                    configMaps.put(name, strings(map(manifest, "data")));
                } else if ("Secret".equals(manifest.get("kind"))) {
                    Map<String, String> data = new LinkedHashMap<>(strings(map(manifest, "stringData")));
                    data.putAll(strings(map(manifest, "data")));
                    secrets.put(name, data);
                }
            }
        } catch (RuntimeException e) {
            problem(file, "is not valid YAML: " + e.getMessage());
        }
    }

    private void checkConfigData(Path file, Map<String, Object> doc) {
        boolean secret = "Secret".equals(doc.get("kind"));
        String name = String.valueOf(map(doc, "metadata").get("name"));
        Map<String, String> data = secret ? secrets.get(name) : configMaps.get(name);
        for (Map.Entry<String, String> e : data.entrySet()) {
            if (e.getKey().endsWith(".properties")) {
                Properties properties = new Properties();
                try {
                    properties.load(new StringReader(e.getValue()));
                } catch (IOException ex) {
                    problem(file, e.getKey() + " is not a properties file");
                }
                for (String key : properties.stringPropertyNames()) {
                    if (!knownKey(key)) {
                        problem(file, name + "/" + e.getKey() + " sets " + key + ", which is no setting of the service");
                    }
                    if (secret && !properties.getProperty(key).contains(PLACEHOLDER)) {
                        problem(file, name + "/" + e.getKey() + " holds a value for " + key + " that is not a " + PLACEHOLDER
                                + " placeholder");
                    }
                }
            } else {
                if (!knownEnvironmentVariable(e.getKey())) {
                    problem(file, name + " sets " + e.getKey() + ", which is no environment variable the service reads");
                }
                if (secret && !e.getValue().contains(PLACEHOLDER)) {
                    problem(file, name + " holds a value for " + e.getKey() + " that is not a " + PLACEHOLDER + " placeholder");
                }
            }
        }
    }

    private void checkDeployment(Path file, Map<String, Object> doc) {
        checkScrapeAnnotations(file, strings(map(map(map(map(doc, "spec"), "template"), "metadata"), "annotations")));
        Map<String, Object> pod = map(map(map(doc, "spec"), "template"), "spec");
        for (Map<String, Object> container : list(pod, "containers")) {
            Map<String, Integer> ports = new HashMap<>();
            for (Map<String, Object> port : list(container, "ports")) {
                ports.put(String.valueOf(port.get("name")), ((Number) port.get("containerPort")).intValue());
            }
            for (Map<String, Object> from : list(container, "envFrom")) {
                String configMap = (String) map(from, "configMapRef").get("name");
                String secret = (String) map(from, "secretRef").get("name");
                if (configMap != null && !configMaps.containsKey(configMap)) {
                    problem(file, "takes its environment from ConfigMap " + configMap + ", which deploy/ does not define");
                }
                if (secret != null && !secrets.containsKey(secret)) {
                    problem(file, "takes its environment from Secret " + secret + ", which deploy/ does not define");
                }
            }
            for (Map<String, Object> env : list(container, "env")) {
                String name = String.valueOf(env.get("name"));
                if (!knownEnvironmentVariable(name)) {
                    problem(file, "sets " + name + ", which is no environment variable the service reads");
                }
                Map<String, Object> ref = map(map(env, "valueFrom"), "secretKeyRef");
                if (!ref.isEmpty()) {
                    Map<String, String> secret = secrets.get(String.valueOf(ref.get("name")));
                    if (secret == null) {
                        problem(file, name + " comes from Secret " + ref.get("name") + ", which deploy/ does not define");
                    } else if (!secret.containsKey(String.valueOf(ref.get("key")))) {
                        problem(file, name + " comes from key " + ref.get("key") + ", which Secret " + ref.get("name")
                                + " does not have");
                    }
                }
            }
            String management = effective("camel.management.port");
            String server = effective("camel.server.port");
            String health = application.getProperty("camel.management.healthPath", "/observe/health");
            checkProbe(file, container, "livenessProbe", health + "/live", ports, management);
            checkProbe(file, container, "readinessProbe", health + "/ready", ports, management);
            if (!map(container, "startupProbe").isEmpty()) {
                checkProbe(file, container, "startupProbe", health + "/live", ports, management);
            }
            if (!ports.containsValue(Integer.parseInt(server))) {
                problem(file, "exposes no container port " + server + " (camel.server.port)");
            }
            if (!ports.containsValue(Integer.parseInt(management))) {
                problem(file, "exposes no container port " + management + " (camel.management.port)");
            }
        }
    }

    private void checkProbe(Path file, Map<String, Object> container, String probe, String path,
                            Map<String, Integer> ports, String managementPort) {
        Map<String, Object> get = map(map(container, probe), "httpGet");
        if (get.isEmpty()) {
            problem(file, "has no " + probe + " on the management server");
            return;
        }
        if (!path.equals(get.get("path"))) {
            problem(file, probe + " asks " + get.get("path") + ", not the management server's " + path);
        }
        Object port = get.get("port");
        Integer number = port instanceof Number n ? Integer.valueOf(n.intValue()) : ports.get(String.valueOf(port));
        if (number == null || number != Integer.parseInt(managementPort)) {
            problem(file, probe + " asks port " + port + (number != null ? " (" + number + ")" : "")
                    + ", not camel.management.port " + managementPort);
        }
    }

    private void checkService(Path file, Map<String, Object> doc) {
        Set<String> containerPorts = new HashSet<>();
        for (Map<String, Object> other : documents) {
            if ("Deployment".equals(other.get("kind"))) {
                for (Map<String, Object> c : list(map(map(map(other, "spec"), "template"), "spec"), "containers")) {
                    list(c, "ports").forEach(p -> containerPorts.add(String.valueOf(p.get("name"))));
                }
            }
        }
        for (Map<String, Object> port : list(map(doc, "spec"), "ports")) {
            if (!containerPorts.contains(String.valueOf(port.get("targetPort")))) {
                problem(file, "targets port " + port.get("targetPort") + ", which no container names");
            }
        }
        for (Map<String, Object> port : list(map(doc, "spec"), "ports")) {
            Object target = port.get("targetPort");
            if ("management".equals(String.valueOf(target)) || effective("camel.management.port").equals(String.valueOf(target))
                    || effective("camel.management.port").equals(String.valueOf(port.get("port")))) {
                problem(file, "publishes the management port (" + target + "): only http belongs in the Service");
            }
        }
        checkScrapeAnnotations(file, strings(map(map(doc, "metadata"), "annotations")));
    }

    /** A rule that opens the management port must say from where (the namespace's monitoring). */
    private void checkNetworkPolicy(Path file, Map<String, Object> doc) {
        for (Map<String, Object> rule : list(map(doc, "spec"), "ingress")) {
            for (Map<String, Object> port : list(rule, "ports")) {
                String number = String.valueOf(port.get("port"));
                if ((number.equals("management") || number.equals(effective("camel.management.port")))
                        && list(rule, "from").isEmpty()) {
                    problem(file, "opens the management port to every source");
                }
            }
        }
    }

    private void checkScrapeAnnotations(Path file, Map<String, String> annotations) {
        if (annotations.containsKey("prometheus.io/path")
                && !annotations.get("prometheus.io/path").equals(application.getProperty("camel.metrics.path"))) {
            problem(file, "has Prometheus scrape " + annotations.get("prometheus.io/path") + ", not camel.metrics.path "
                    + application.getProperty("camel.metrics.path"));
        }
        if (annotations.containsKey("prometheus.io/port")
                && !annotations.get("prometheus.io/port").equals(effective("camel.management.port"))) {
            problem(file, "has Prometheus scrape port " + annotations.get("prometheus.io/port")
                    + ", not camel.management.port " + effective("camel.management.port"));
        }
    }

    private void checkIntegration(Path file, Map<String, Object> doc) throws IOException {
        Map<String, Object> spec = map(doc, "spec");
        Set<String> listed = new TreeSet<>();
        for (Map<String, Object> source : list(spec, "sources")) {
            String key = String.valueOf(source.getOrDefault("contentKey", source.get("name")));
            listed.add(key);
            if (!Files.isRegularFile(project.resolve("routes").resolve(key))) {
                problem(file, "runs route file " + key + ", which routes/ does not have");
            }
        }
        try (Stream<Path> routes = Files.list(project.resolve("routes"))) {
            for (Path route : routes.filter(p -> p.toString().endsWith(".camel.yaml")).toList()) {
                if (!listed.contains(route.getFileName().toString())) {
                    problem(file, "does not run routes/" + route.getFileName());
                }
            }
        }
        String pom = Files.readString(project.resolve("pom.xml"));
        String artifact = "mvn:" + tag(pom, "groupId") + ":" + tag(pom, "artifactId") + ":" + tag(pom, "version");
        if (!((List<?>) spec.getOrDefault("dependencies", List.of())).contains(artifact)) {
            problem(file, "does not depend on the service's jar " + artifact);
        }
        Map<String, Object> traits = map(spec, "traits");
        for (Object property : (List<?>) map(traits, "camel").getOrDefault("properties", List.of())) {
            String key = String.valueOf(property).split("=", 2)[0].trim();
            if (!knownKey(key)) {
                problem(file, "sets " + key + ", which is no setting of the service");
            }
        }
        for (Object config : (List<?>) map(traits, "mount").getOrDefault("configs", List.of())) {
            String[] ref = String.valueOf(config).split(":", 2);
            boolean there = ref.length == 2 && (ref[0].equals("configmap") ? configMaps : secrets).containsKey(ref[1].split("/")[0]);
            if (!there) {
                problem(file, "mounts " + config + ", which deploy/ does not define");
            }
        }
    }

    private void checkKustomization(Path file, Map<String, Object> doc) {
        for (Object resource : (List<?>) doc.getOrDefault("resources", List.of())) {
            if (!Files.exists(file.getParent().resolve(String.valueOf(resource)))) {
                problem(file, "lists " + resource + ", which is not there");
            }
        }
    }

    private void checkDockerfile(Path file, String text) throws IOException {
        String pom = Files.readString(project.resolve("pom.xml"));
        String jar = "target/" + tag(pom, "artifactId") + "-";
        String prefix = tag(pom, "classpathPrefix");
        Matcher copy = COPY.matcher(text);
        boolean copiesJar = false;
        boolean copiesLib = false;
        String jarDir = null;
        String libDir = null;
        while (copy.find()) {
            String from = copy.group(1);
            if (from.startsWith(jar) && from.endsWith(".jar")) {
                copiesJar = true;
                jarDir = copy.group(2).substring(0, copy.group(2).lastIndexOf('/') + 1);
            } else if (from.equals("target/lib/")) {
                copiesLib = true;
                libDir = copy.group(2);
            } else {
                problem(file, "copies " + from + ", which the build does not make");
            }
        }
        if (!copiesJar) {
            problem(file, "does not copy the service's jar (" + jar + "*.jar)");
        }
        if (!copiesLib) {
            problem(file, "does not copy target/lib/, where the jar's manifest finds its dependencies");
        } else if (jarDir != null && !libDir.equals(jarDir + prefix)) {
            problem(file, "puts the dependencies in " + libDir + ", but the jar's manifest looks in " + jarDir + prefix);
        }
    }

    // ------------------------------------------------------------------ helpers

    private static String tag(String pom, String tag) {
        Matcher m = Pattern.compile("<" + tag + ">([^<]+)</" + tag + ">").matcher(pom);
        return m.find() ? m.group(1).trim() : "";
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> parent, String key) {
        Object value = parent == null ? null : parent.get(key);
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Map<String, Object> parent, String key) {
        Object value = parent == null ? null : parent.get(key);
        if (!(value instanceof List<?> l)) {
            return List.of();
        }
        List<Map<String, Object>> maps = new ArrayList<>();
        l.forEach(item -> maps.add(item instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of()));
        return maps;
    }

    private static Map<String, String> strings(Map<String, Object> map) {
        Map<String, String> strings = new LinkedHashMap<>();
        map.forEach((k, v) -> strings.put(k, String.valueOf(v)));
        return strings;
    }

    private void problem(Path file, String what) {
        problems.add(deploy.relativize(file) + ": " + what);
    }
}

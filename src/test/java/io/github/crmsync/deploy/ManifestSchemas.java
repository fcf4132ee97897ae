package io.github.crmsync.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The published schemas of the kinds under {@code deploy/}, made as strict as {@code kubectl apply
 * --validate=strict}: a field the schema does not define is refused (an object schema with
 * {@code properties} and no {@code additionalProperties} or {@code x-kubernetes-preserve-unknown-fields}
 * gets {@code additionalProperties: false}), int-or-string fields take either, and required fields,
 * enums and types are checked by a standard JSON Schema validator (networknt, draft 4: the dialect
 * of Swagger 2.0 and of a CRD's OpenAPI v3.0 schema).
 * <ul>
 *   <li>{@code camel.apache.org/v1 Integration}: the CRD's {@code openAPIV3Schema} from
 *       {@code org.apache.camel.k:camel-k-crds:2.4.0}; its {@code metadata} as the API server reads it,
 *       an {@code ObjectMeta}.</li>
 *   <li>Deployment, Service, NetworkPolicy, ConfigMap, Secret: the Kubernetes API's definitions in
 *       {@code io.fabric8:kubernetes-model-validator:7.5.2} ({@code openshift-generated.json}, Swagger 2.0
 *       made from {@code k8s.io/api} v0.34.1 by kube-openapi, the generator of the API server's own
 *       {@code /openapi/v2}).</li>
 * </ul>
 * No artifact carries a schema of kustomize's {@code Kustomization}: {@link #hasSchema} says so.
 */
final class ManifestSchemas {

    private static final String INTEGRATION_CRD = "/camel.apache.org_integrations.yaml";
    private static final String KUBERNETES_API = "/openshift-generated.json";

    /** apiVersion and kind to the definition that describes them in the Kubernetes API. */
    private static final Map<String, String> KUBERNETES_KINDS = Map.of(
            "v1 ConfigMap", "io.k8s.api.core.v1.ConfigMap",
            "v1 Secret", "io.k8s.api.core.v1.Secret",
            "v1 Service", "io.k8s.api.core.v1.Service",
            "apps/v1 Deployment", "io.k8s.api.apps.v1.Deployment",
            "networking.k8s.io/v1 NetworkPolicy", "io.k8s.api.networking.v1.NetworkPolicy");
    private static final String INTEGRATION = "camel.apache.org/v1 Integration";
    private static final String OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
    private static final String QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity";
    private static final String DEFINITIONS = "#/definitions/";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4);
    private final JsonNode kubernetesDefinitions;
    private final JsonNode integrationSchema;
    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

    ManifestSchemas() throws IOException {
        try (InputStream api = resource(KUBERNETES_API); InputStream crd = resource(INTEGRATION_CRD)) {
            kubernetesDefinitions = JSON.readTree(api).path("definitions");
            JsonNode definition = JSON.valueToTree(new Yaml().load(crd));
            integrationSchema = definition.path("spec").path("versions").get(0).path("schema").path("openAPIV3Schema");
        }
    }

    /** Whether a published schema of this apiVersion and kind is known here. */
    static boolean hasSchema(String apiVersion, String kind) {
        String key = apiVersion + " " + kind;
        return KUBERNETES_KINDS.containsKey(key) || INTEGRATION.equals(key);
    }

    /**
     * Every document of a YAML file, read as kubectl reads it (YAML 1.1: {@code yes}, {@code on} are
     * booleans; a timestamp-like scalar stays a string).
     */
    static List<JsonNode> documents(String yaml) {
        Yaml reader = new Yaml(new SafeConstructor(new LoaderOptions()), new Representer(new DumperOptions()),
                new DumperOptions(), new LoaderOptions(), new Kubectl11Resolver());
        List<JsonNode> documents = new ArrayList<>();
        for (Object document : reader.loadAll(yaml)) {
            if (document != null) {
                documents.add(JSON.valueToTree(document));
            }
        }
        return documents;
    }

    /**
     * What the schema of the manifest's kind refuses, each as the path of the field and why; empty
     * when the manifest is valid.
     *
     * @throws IllegalArgumentException when no schema of its apiVersion and kind is known
     */
    List<String> problems(JsonNode manifest) {
        String key = manifest.path("apiVersion").asText() + " " + manifest.path("kind").asText();
        if (!hasSchema(manifest.path("apiVersion").asText(), manifest.path("kind").asText())) {
            throw new IllegalArgumentException("no published schema of " + key + " is known");
        }
        Schema schema = schemas.computeIfAbsent(key, this::compile);
        List<String> problems = new ArrayList<>();
        for (Error error : schema.validate(manifest)) {
            problems.add(describe(error));
        }
        return problems;
    }

    private Schema compile(String key) {
        ObjectNode document = NODES.objectNode();
        ObjectNode definitions = document.putObject("definitions");
        if (INTEGRATION.equals(key)) {
            ObjectNode root = integrationSchema.deepCopy();
            strict(root);
            // the API server reads a custom resource's metadata as the ObjectMeta of every object
            ((ObjectNode) root.path("properties")).set("metadata", ref(OBJECT_META));
            document.setAll(root);
            copyReachable(OBJECT_META, definitions);
        } else {
            document.putArray("allOf").add(ref(KUBERNETES_KINDS.get(key)));
            copyReachable(KUBERNETES_KINDS.get(key), definitions);
        }
        return registry.getSchema(document);
    }

    /** Copies a definition and every one it refers to, each made strict. */
    private void copyReachable(String name, ObjectNode into) {
        Deque<String> pending = new ArrayDeque<>(List.of(name));
        while (!pending.isEmpty()) {
            String next = pending.pop();
            if (into.has(next)) {
                continue;
            }
            JsonNode definition = kubernetesDefinitions.get(next);
            Objects.requireNonNull(definition, () -> next + " is not in " + KUBERNETES_API);
            ObjectNode copy = definition.deepCopy();
            if (QUANTITY.equals(next)) {
                // a quantity is written as a string or a number (the API server's OpenAPI v3 says so)
                copy = anyOf("string", "number");
            }
            strict(copy);
            into.set(next, copy);
            copy.findValues("$ref").forEach(ref -> pending.push(ref.asText().substring(DEFINITIONS.length())));
        }
    }

    /**
     * Unknown fields refused where the API server would refuse them; int-or-string fields take
     * either. Walks a schema and every schema nested in it.
     */
    private static void strict(ObjectNode schema) {
        boolean intOrString = "int-or-string".equals(schema.path("format").asText())
                || schema.path("x-kubernetes-int-or-string").asBoolean();
        if (intOrString && !schema.has("anyOf")) {
            schema.remove(List.of("type", "format"));
            schema.setAll(anyOf("integer", "string"));
        }
        // (an object schema without properties, such as FieldsV1, is raw JSON and stays open)
        boolean open = schema.has("additionalProperties") || schema.path("x-kubernetes-preserve-unknown-fields").asBoolean();
        if (schema.has("properties") && !open) {
            schema.put("additionalProperties", false);
        }
        for (Iterator<JsonNode> it = schema.path("properties").elements(); it.hasNext(); ) {
            strictNested(it.next());
        }
        strictNested(schema.get("items"));
        strictNested(schema.get("additionalProperties"));
        strictNested(schema.get("not"));
        for (String combinator : List.of("allOf", "anyOf", "oneOf")) {
            schema.path(combinator).forEach(ManifestSchemas::strictNested);
        }
    }

    private static void strictNested(JsonNode node) {
        if (node instanceof ObjectNode nested) {
            strict(nested);
        }
    }

    private static ObjectNode ref(String definition) {
        return NODES.objectNode().put("$ref", DEFINITIONS + definition);
    }

    private static ObjectNode anyOf(String... types) {
        ObjectNode schema = NODES.objectNode();
        ArrayNode anyOf = schema.putArray("anyOf");
        for (String type : types) {
            anyOf.addObject().put("type", type);
        }
        return schema;
    }

    /**
     * The field's path as kubectl writes it ({@code spec.template.spec.containers[0].name}: a missing
     * or unknown field's own path) and the validator's message.
     */
    private static String describe(Error error) {
        StringBuilder path = new StringBuilder();
        NodePath location = error.getInstanceLocation();
        for (int i = 0; i < location.getNameCount(); i++) {
            Object element = location.getElement(i);
            if (element instanceof Integer index) {
                path.append('[').append(index).append(']');
            } else {
                path.append(path.isEmpty() ? "" : ".").append(element);
            }
        }
        if (error.getProperty() != null && Set.of("required", "additionalProperties").contains(error.getKeyword())) {
            path.append(path.isEmpty() ? "" : ".").append(error.getProperty());
        }
        return path + ": " + error.getMessage();
    }

    private static InputStream resource(String name) {
        return Objects.requireNonNull(ManifestSchemas.class.getResourceAsStream(name), name + " is not on the test class path");
    }

    /**
     * YAML 1.1 scalars as kubectl's YAML reader resolves them, except that timestamps stay strings
     * (it hands a timestamp-like scalar to JSON as the text it was).
     */
    private static final class Kubectl11Resolver extends Resolver {
        @Override
        protected void addImplicitResolvers() {
            addImplicitResolver(org.yaml.snakeyaml.nodes.Tag.BOOL, BOOL, "yYnNtTfFoO");
            addImplicitResolver(org.yaml.snakeyaml.nodes.Tag.INT, INT, "-+0123456789");
            addImplicitResolver(org.yaml.snakeyaml.nodes.Tag.FLOAT, FLOAT, "-+0123456789.");
            addImplicitResolver(org.yaml.snakeyaml.nodes.Tag.MERGE, MERGE, "<");
            addImplicitResolver(org.yaml.snakeyaml.nodes.Tag.NULL, NULL, "~nN\0");
            addImplicitResolver(org.yaml.snakeyaml.nodes.Tag.NULL, EMPTY, null);
        }
    }
}

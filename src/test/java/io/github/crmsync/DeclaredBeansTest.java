package io.github.crmsync;

import io.github.crmsync.testing.WholeService;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.DefaultRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The registry of the running service (sandbox mode, the real configuration classes): every bean
 * the routes name resolves to exactly one bound bean, and so does every bean the configuration
 * classes declare.
 */
class DeclaredBeansTest {

    @RegisterExtension
    static final WholeService whole = WholeService.sandbox();

    /** Where routes/*.camel.yaml name a bean: bean and method refs, route policies, thread pools, breakers, error handlers. */
    private static final Pattern BEAN_KEY = Pattern.compile(
            "\\b(?:ref|routePolicy|executorService|circuitBreaker|errorHandlerRef)[ \\t]*:[ \\t]*\"?([A-Za-z][A-Za-z0-9]*)\"?[ \\t]*(?:[,}#]|$)",
            Pattern.MULTILINE);
    /** The route template's errorHandler parameter: its default and the values its users give. */
    private static final Pattern ERROR_HANDLER_PARAMETER = Pattern.compile(
            "name:\\s*errorHandler\\s*,\\s*value:\\s*(\\w+)|- name: errorHandler\\n(?:\\s+description:.*\\n)?\\s+defaultValue:\\s*(\\w+)");
    private static final Pattern HASH_BEAN = Pattern.compile("[\"'\\s]#(?:bean:)?([a-z][A-Za-z0-9]*)(?![:\\w])");

    @Test
    void everyBeanTheRoutesNameIsBoundExactlyOnce() throws IOException {
        Set<String> named = beansNamedByTheRoutes();
        assertThat(named).contains("bulkSync", "apiQuotaPolicy", "intercomWriters", "bulkIntercomWriters",
                "salesforceCircuitBreaker", "intercomCircuitBreaker", "salesforceCallAsStep", "salesforceCallWithRetries",
                "sandboxMailbox", "syncFailures", "apiErrors");
        Registry registry = whole.service().context().getRegistry();
        Map<String, Integer> bindings = new TreeMap<>();
        for (String name : named) {
            bindings.put(name, bindings(registry, name));
        }
        assertThat(bindings).allSatisfy((name, count) -> assertThat(count).as(name).isEqualTo(1));
        for (String name : named) {
            assertThat(registry.lookupByName(name)).as(name).isNotNull();
        }
    }

    @Test
    void everyDeclaredBeanIsBoundExactlyOnce() {
        List<Class<? extends CamelConfiguration>> classes = new ArrayList<>(CrmSyncConfiguration.CAPABILITIES);
        classes.add(CrmSyncConfiguration.class);
        Registry registry = whole.service().context().getRegistry();
        Map<String, Integer> bindings = new TreeMap<>();
        for (Class<? extends CamelConfiguration> type : classes) {
            for (Method method : type.getDeclaredMethods()) {
                BindToRegistry bind = method.getAnnotation(BindToRegistry.class);
                if (bind != null) {
                    String name = bind.value().isEmpty() ? method.getName() : bind.value();
                    bindings.put(name, bindings(registry, name));
                    assertThat(registry.lookupByNameAndType(name, method.getReturnType())).as(name).isNotNull();
                }
            }
        }
        assertThat(bindings).hasSizeGreaterThan(40);
        assertThat(bindings).allSatisfy((name, count) -> assertThat(count).as(name).isEqualTo(1));
    }

    /** How many beans the registry holds under this name: in its supplier part (declared beans) and its plain part. */
    @SuppressWarnings("unchecked")
    private static int bindings(Registry registry, String name) {
        DefaultRegistry main = (DefaultRegistry) registry;
        int count = 0;
        for (Registry part : List.of(main.getSupplierRegistry(), main.getFallbackRegistry())) {
            Map<Class<?>, Object> byType = ((Map<String, Map<Class<?>, Object>>) part).get(name);
            count += byType == null ? 0 : byType.size();
        }
        return count;
    }

    private static Set<String> beansNamedByTheRoutes() throws IOException {
        Set<String> names = new TreeSet<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(Path.of("routes"), "*.camel.yaml")) {
            for (Path file : files) {
                String yaml = Files.readString(file);
                Matcher key = BEAN_KEY.matcher(yaml);
                while (key.find()) {
                    names.add(key.group(1));
                }
                Matcher parameter = ERROR_HANDLER_PARAMETER.matcher(yaml);
                while (parameter.find()) {
                    names.add(parameter.group(1) != null ? parameter.group(1) : parameter.group(2));
                }
                Matcher hash = HASH_BEAN.matcher(yaml);
                while (hash.find()) {
                    names.add(hash.group(1));
                }
            }
        }
        return names;
    }
}

package io.github.crmsync;

import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The service's beans are declared by the configuration classes, not bound or looked up by hand:
 * no registry look-up by name and no registry {@code bind} in src/main/java and src/sandbox/java, and each bean name is
 * declared by one lazy {@code @BindToRegistry} method (lazy: Camel Main post-processes a
 * configuration class it names twice, and an eager factory method runs each time).
 */
class DeclaredBeansSourceTest {

    private static final List<Path> SOURCES = List.of(Path.of("src", "main", "java"), Path.of("src", "sandbox", "java"));
    /** A string look-up (lookupByName, lookupByNameAndType) or a bind by hand (registry.bind, getRegistry().bind). */
    private static final Pattern BY_HAND = Pattern.compile("\\blookupByName\\w*\\s*\\(|(?:[Rr]egistry\\(\\)|\\b[rR]egistry)\\s*\\.\\s*bind\\s*\\(");

    @Test
    void noBeanIsLookedUpByNameOrBoundByHandInTheServicesCode() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path sources : SOURCES) {
            found.addAll(byHand(sources));
        }
        assertThat(found).isEmpty();
    }

    @Test
    void theScanSeesALookUpAndABind() {
        assertThat(byHand("x = context.getRegistry().lookupByNameAndType(\"a\", A.class);")).hasSize(1);
        assertThat(byHand("Object x = registry.lookupByName(\"a\");")).hasSize(1);
        assertThat(byHand("context.getRegistry().bind(\"a\", a);")).hasSize(1);
        assertThat(byHand("registry.bind(\"a\", a);")).hasSize(1);
        assertThat(byHand("registry.findByType(A.class); // by type is how beans are found")).isEmpty();
    }

    @Test
    void eachBeanNameIsDeclaredOnceByALazyFactoryMethod() {
        List<Class<? extends CamelConfiguration>> classes = new ArrayList<>(CrmSyncConfiguration.CAPABILITIES);
        classes.add(0, CrmSyncConfiguration.class);
        Map<String, List<String>> declaredBy = new TreeMap<>();
        List<String> eager = new ArrayList<>();
        for (Class<? extends CamelConfiguration> type : classes) {
            for (Method method : type.getDeclaredMethods()) {
                BindToRegistry bind = method.getAnnotation(BindToRegistry.class);
                if (bind != null) {
                    String name = bind.value().isEmpty() ? method.getName() : bind.value();
                    declaredBy.computeIfAbsent(name, n -> new ArrayList<>()).add(type.getSimpleName() + "." + method.getName());
                    if (!bind.lazy()) {
                        eager.add(type.getSimpleName() + "." + method.getName());
                    }
                }
            }
        }
        assertThat(declaredBy).containsKeys("dataSource", "bulkSync", "mappingsApi", "apiQuotaPolicy", "serviceSettings");
        assertThat(declaredBy).allSatisfy((name, methods) -> assertThat(methods).as(name).hasSize(1));
        assertThat(eager).isEmpty();
    }

    private static List<String> byHand(Path sources) throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                byHand(Files.readString(file)).forEach(line -> found.add(file + ": " + line));
            }
        }
        return found;
    }

    private static List<String> byHand(String source) {
        List<String> found = new ArrayList<>();
        for (String line : source.split("\n")) {
            Matcher m = BY_HAND.matcher(line);
            if (m.find()) {
                found.add(line.trim());
            }
        }
        return found;
    }
}

package io.github.crmsync;

import org.junit.jupiter.api.Test;

import java.io.IOException;
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
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The capability packages form layers: no package imports one that (directly or through others)
 * imports it back. The wiring at the root (the configuration classes: {@code CrmSyncConfiguration} and one per capability)
 * may import every package; nothing imports them.
 */
class LayeringTest {

    private static final Path SOURCES = Path.of("src", "main", "java", "io", "github", "crmsync");
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?io\\.github\\.crmsync\\.([a-z]+)\\.", Pattern.MULTILINE);

    @Test
    void noPackageDependsOnOneThatDependsOnIt() throws IOException {
        Map<String, Set<String>> imports = packageImports();
        assertThat(imports).containsKeys("eventsync", "intercom", "errors", "admin", "bulksync");
        List<String> cycles = new ArrayList<>();
        for (String from : imports.keySet()) {
            for (String to : imports.get(from)) {
                if (reaches(imports, to, from, new TreeSet<>())) {
                    cycles.add(from + " -> " + to + " -> … -> " + from);
                }
            }
        }
        assertThat(cycles).as("package imports %s", imports).isEmpty();
    }

    @Test
    void theCheckSeesACycle() {
        Map<String, Set<String>> imports = Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"));
        assertThat(reaches(imports, "b", "a", new TreeSet<>())).isTrue();
        assertThat(reaches(Map.of("a", Set.of("b"), "b", Set.of()), "b", "a", new TreeSet<>())).isFalse();
    }

    private static boolean reaches(Map<String, Set<String>> imports, String from, String target, Set<String> seen) {
        if (from.equals(target)) {
            return true;
        }
        if (!seen.add(from)) {
            return false;
        }
        for (String next : imports.getOrDefault(from, Set.of())) {
            if (reaches(imports, next, target, seen)) {
                return true;
            }
        }
        return false;
    }

    /** Each package under io.github.crmsync and the other such packages its classes import. */
    private static Map<String, Set<String>> packageImports() throws IOException {
        Map<String, Set<String>> imports = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Path relative = SOURCES.relativize(file);
                if (relative.getNameCount() < 2) {
                    continue; // the wiring at the root
                }
                String pkg = relative.getName(0).toString();
                Set<String> used = imports.computeIfAbsent(pkg, p -> new TreeSet<>());
                Matcher m = IMPORT.matcher(Files.readString(file));
                while (m.find()) {
                    if (!m.group(1).equals(pkg)) {
                        used.add(m.group(1));
                    }
                }
            }
        }
        return imports;
    }
}

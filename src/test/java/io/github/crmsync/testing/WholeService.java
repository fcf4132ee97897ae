package io.github.crmsync.testing;

import io.github.crmsync.mapping.MappingStore;
import io.github.crmsync.mapping.SandboxMappings;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The whole service for a test class, started before its first test and stopped after its last:
 * in live mode against a {@link SimulatedWorld} (PostgreSQL and both simulators owned by the test),
 * or in sandbox mode (the service owns them). Register it on a static field:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final WholeService whole = WholeService.inWorld(400).with("crmsync.bulk.job-poll-ms", "50").withSandboxMappings();
 * }</pre>
 */
public final class WholeService implements BeforeAllCallback, AfterAllCallback {

    private final Integer people;
    private final Map<String, String> overrides = new LinkedHashMap<>();
    private boolean sandboxMappings;
    private Path directory;
    private SimulatedWorld world;
    private RunningService service;

    private WholeService(Integer people) {
        this.people = people;
    }

    /** Live mode against a world of this many seeded people. */
    public static WholeService inWorld(int people) {
        return new WholeService(people);
    }

    /** Sandbox mode: the service starts its own simulators, PostgreSQL and SMTP server. */
    public static WholeService sandbox() {
        return new WholeService(null);
    }

    /** A property the service starts with, over the defaults of its mode. */
    public WholeService with(String key, String value) {
        overrides.put(key, value);
        return this;
    }

    /** The sandbox's default attribute mappings, stored before the first test. */
    public WholeService withSandboxMappings() {
        sandboxMappings = true;
        return this;
    }

    public RunningService service() {
        return service;
    }

    /** The world the service runs against; none in sandbox mode. */
    public SimulatedWorld world() {
        if (world == null) {
            throw new IllegalStateException("a sandbox-mode service owns its simulators; use inWorld(…)");
        }
        return world;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        directory = Files.createTempDirectory("crmsync-" + context.getRequiredTestClass().getSimpleName() + "-");
        try {
            Map<String, String> properties;
            if (people != null) {
                world = new SimulatedWorld(directory, people);
                properties = world.serviceProperties();
            } else {
                properties = RunningService.sandboxProperties(directory.resolve("data"));
            }
            properties.putAll(overrides);
            service = RunningService.start(properties);
            if (sandboxMappings) {
                service.bean("mappingStore", MappingStore.class).seedIfEmpty(SandboxMappings.defaults());
            }
        } catch (Exception | Error e) {
            afterAll(context);
            throw e;
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try (AutoCloseable w = world; AutoCloseable s = service) {
            // the service stops first, then its world
        } finally {
            world = null;
            service = null;
            delete(directory);
        }
    }

    private static void delete(Path directory) throws IOException {
        if (directory == null || !Files.exists(directory)) {
            return;
        }
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }
}

package io.github.crmsync.testing;

import io.github.crmsync.mapping.MappingStore;
import io.github.crmsync.mapping.SandboxMappings;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
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
    private final List<String> removed = new ArrayList<>();
    private boolean sandboxMappings;
    private final List<BeforeStart> beforeStart = new ArrayList<>();
    private final List<AutoCloseable> startedBeside = new ArrayList<>();
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

    /** A property of the mode's defaults the service starts without (e.g. the sandbox's admin password). */
    public WholeService without(String key) {
        removed.add(key);
        return this;
    }

    /** The sandbox's default attribute mappings, stored before the first test. */
    public WholeService withSandboxMappings() {
        sandboxMappings = true;
        return this;
    }

    /** Something a test starts beside the service, before it (a proxy in front of a simulator, Hawtio). */
    @FunctionalInterface
    public interface BeforeStart {
        /**
         * Starts it: {@code world} is null in sandbox mode, {@code properties} are the service's (to
         * change), {@code directory} is the test's (deleted afterwards). What it returns is closed
         * after the service stops.
         */
        AutoCloseable start(SimulatedWorld world, Map<String, String> properties, Path directory) throws Exception;
    }

    public WholeService beforeStart(BeforeStart step) {
        beforeStart.add(step);
        return this;
    }

    /** Stops the service within a test (to check what it logged while stopping); its world stays up. */
    public void stopService() throws Exception {
        try (AutoCloseable s = service) {
            service = null;
        }
    }

    public RunningService service() {
        return service;
    }

    /** Where a sandbox-mode service keeps its data (its database, generated passwords). */
    public Path sandboxDataDirectory() {
        if (people != null) {
            throw new IllegalStateException("a live-mode service keeps its data in its world's database");
        }
        return directory.resolve("data");
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
            removed.forEach(properties::remove);
            for (BeforeStart step : beforeStart) {
                startedBeside.add(step.start(world, properties, directory));
            }
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
        try (AutoCloseable w = world; AutoCloseable b = this::closeStartedBeside; AutoCloseable s = service) {
            // the service stops first, then what was started beside it, then its world
        } finally {
            world = null;
            service = null;
            delete(directory);
        }
    }

    private void closeStartedBeside() throws Exception {
        try {
            for (int i = startedBeside.size() - 1; i >= 0; i--) {
                startedBeside.get(i).close();
            }
        } finally {
            startedBeside.clear();
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

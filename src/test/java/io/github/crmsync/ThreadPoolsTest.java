package io.github.crmsync;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every thread the service runs on comes from Camel's thread-pool manager (thread pool profiles,
 * the EIPs' executorService, {@code ExecutorServiceManager.new...}), which names, manages and shuts
 * them down with the context: no {@code Executors.new...} and no {@code new Thread(} in src/main/java.
 */
class ThreadPoolsTest {

    private static final Path SOURCES = Path.of("src", "main", "java");
    private static final Pattern OWN_THREADS = Pattern.compile("\\bExecutors\\s*\\.\\s*new\\w*|\\bnew\\s+Thread\\s*\\(");

    @Test
    void noThreadOrPoolIsMadeOutsideCamelsThreadPoolManager() throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                found.addAll(ownThreads(SOURCES.relativize(file).toString(), Files.readString(file)));
            }
        }
        assertThat(found).as("threads or pools made outside Camel's ExecutorServiceManager").isEmpty();
    }

    @Test
    void theScanFindsAPoolAndAThreadMadeByHand() {
        String source = """
                ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
                    Thread t = new Thread(r, "mine");
                    return t;
                });
                ExecutorService pool2 = Executors
                        .newSingleThreadExecutor();
                ExecutorService managed = context.getExecutorServiceManager().newFixedThreadPool(this, "ok", 2);
                """;
        assertThat(ownThreads("Example.java", source)).containsExactly(
                "Example.java:1: Executors.newFixedThreadPool", "Example.java:2: new Thread(",
                "Example.java:5: Executors\n        .newSingleThreadExecutor");
    }

    private static List<String> ownThreads(String file, String source) {
        List<String> found = new ArrayList<>();
        Matcher m = OWN_THREADS.matcher(source);
        while (m.find()) {
            int line = 1 + (int) source.substring(0, m.start()).chars().filter(c -> c == '\n').count();
            found.add(file + ":" + line + ": " + m.group());
        }
        return found;
    }
}

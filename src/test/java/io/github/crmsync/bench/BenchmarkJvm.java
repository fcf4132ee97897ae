package io.github.crmsync.bench;

import io.github.crmsync.testing.Http;

import java.nio.file.Path;
import java.util.List;

/** What the benchmarks need of the service's own JVM: its class path under exec:java, whether it answers, its heap. */
final class BenchmarkJvm {

    private BenchmarkJvm() {
    }

    /** Under exec:java the project's class path is the context class loader's, which the service's JVM needs. */
    static void exposeClassPath() {
        if (Thread.currentThread().getContextClassLoader() instanceof java.net.URLClassLoader loader
                && System.getProperty("surefire.test.class.path") == null) {
            StringBuilder cp = new StringBuilder();
            for (java.net.URL u : loader.getURLs()) {
                if (!cp.isEmpty()) {
                    cp.append(java.io.File.pathSeparator);
                }
                cp.append(Path.of(java.net.URI.create(u.toString())));
            }
            System.setProperty("surefire.test.class.path", cp.toString());
        }
    }

    /** The service answers its admin API. */
    static boolean up(String serviceUrl) {
        try {
            return Http.get(serviceUrl + "/api/bulk-sync/current").status() == 200;
        } catch (RuntimeException | AssertionError e) { // starting: no answer yet, or the HTTP server's own 404
            return false;
        }
    }

    /** Waits up to two minutes for the service to answer; fails at once if its JVM ended. */
    static void awaitUp(String serviceUrl, io.github.crmsync.testing.ServiceProcess service, Path log)
            throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!up(serviceUrl)) {
            if (System.nanoTime() > deadline || !service.alive()) {
                throw new IllegalStateException("the service did not start; see " + log);
            }
            Thread.sleep(250);
        }
    }

    /** Heap in use (young + old, in bytes) of the JVM, as {@code jstat -gc} reports it. */
    static long heapUsed(long pid) {
        String[] header = null;
        for (String line : jstat("-gc", pid)) {
            String[] cells = line.trim().split("\\s+");
            if (header == null) {
                header = cells;
                continue;
            }
            double kb = 0;
            for (int i = 0; i < header.length && i < cells.length; i++) {
                if (List.of("S0U", "S1U", "EU", "OU").contains(header[i])) {
                    kb += Double.parseDouble(cells[i]);
                }
            }
            return (long) (kb * 1024);
        }
        return 0;
    }

    /** Heap in use right after a full GC of the JVM ({@code jcmd GC.run}, then {@code jstat -gc}). */
    static long heapAfterGc(long pid) throws Exception {
        Process gc = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid), "GC.run").redirectErrorStream(true).start();
        gc.getInputStream().readAllBytes();
        gc.waitFor();
        return heapUsed(pid);
    }

    /** The named columns of {@code jstat -gcutil} (e.g. {@code O}, old generation in %, {@code FGC}, full GCs), as {@code name=value …}. */
    static String gcutil(long pid, String... columns) {
        List<String> lines = jstat("-gcutil", pid);
        if (lines.size() < 2) {
            return "n/a";
        }
        String[] h = lines.get(0).trim().split("\\s+");
        String[] v = lines.get(1).trim().split("\\s+");
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < h.length && i < v.length; i++) {
            if (List.of(columns).contains(h[i])) {
                out.append(h[i]).append('=').append(v[i]).append(' ');
            }
        }
        return out.toString().trim();
    }

    /** One column's value of {@code jstat -gcutil}. */
    static String gcutilValue(long pid, String column) {
        String pair = gcutil(pid, column);
        return pair.startsWith(column + "=") ? pair.substring(column.length() + 1) : pair;
    }

    private static List<String> jstat(String option, long pid) {
        try {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jstat").toString(), option,
                    Long.toString(pid)).redirectErrorStream(true).start();
            List<String> lines = new String(p.getInputStream().readAllBytes()).lines().toList();
            p.waitFor();
            return lines;
        } catch (Exception e) {
            return List.of();
        }
    }
}

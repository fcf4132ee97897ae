package io.github.crmsync.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The PromQL of deploy/monitoring: the Grafana dashboard's panel queries and the alert rules' expressions. */
public final class MonitoringQueries {

    public static final Path DIRECTORY = Path.of("deploy", "monitoring");
    public static final Path DASHBOARD = DIRECTORY.resolve("grafana-dashboard.json");
    public static final Path RULES = DIRECTORY.resolve("crmsync-rules.yaml");
    public static final Path RULE_TESTS = DIRECTORY.resolve("crmsync-rules.test.yaml");
    private static final Pattern SERVICE_METRIC = Pattern.compile("\\bcrmsync_[a-z_]+");
    private static final Pattern SERIES = Pattern.compile("^\\s*(crmsync_[a-z_]+)\\{([^}]*)}");

    private MonitoringQueries() {
    }

    /** Each panel query, by "panel title / refId". */
    public static Map<String, String> dashboardQueries() {
        try {
            JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
            Map<String, String> queries = new java.util.LinkedHashMap<>();
            for (JsonNode panel : dashboard.path("panels")) {
                for (JsonNode target : panel.path("targets")) {
                    queries.put(panel.path("title").asText() + " / " + target.path("refId").asText(),
                            target.path("expr").asText());
                }
            }
            return queries;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Each alert rule's expression and its annotations' template queries. */
    public static List<String> ruleExpressions() {
        List<String> expressions = new ArrayList<>();
        for (Object group : (List<?>) rules().get("groups")) {
            for (Object rule : (List<?>) ((Map<?, ?>) group).get("rules")) {
                expressions.add(((Map<?, ?>) rule).get("expr").toString());
                Object annotations = ((Map<?, ?>) rule).get("annotations");
                if (annotations != null) {
                    ((Map<?, ?>) annotations).values().forEach(a -> expressions.add(a.toString()));
                }
            }
        }
        return expressions;
    }

    /** The service's metric names the dashboard, the rules and the rules' unit tests use. */
    public static Set<String> serviceMetricNames() {
        Set<String> names = new TreeSet<>();
        dashboardQueries().values().forEach(q -> names.addAll(metricNames(q)));
        ruleExpressions().forEach(q -> names.addAll(metricNames(q)));
        testSeries().forEach(series -> names.add(series.name()));
        return names;
    }

    /** The name and label names of an input series of the rules' unit tests. */
    public record Series(String name, Set<String> labels) {
    }

    /** The input series of the rules' unit tests, by shape (name and label names). */
    public static Set<Series> testSeries() {
        Set<Series> series = new java.util.LinkedHashSet<>();
        for (String line : lines(RULE_TESTS)) {
            String value = line.replaceFirst("^\\s*- series:\\s*'", "");
            Matcher m = SERIES.matcher(value);
            if (!value.equals(line) && m.find()) {
                series.add(new Series(m.group(1), labelNames(m.group(2))));
            }
        }
        return series;
    }

    /** The label names of a {@code a="x",b="y"} list. */
    public static Set<String> labelNames(String labels) {
        Set<String> keys = new TreeSet<>();
        for (String pair : labels.split(",")) {
            if (pair.contains("=")) {
                keys.add(pair.substring(0, pair.indexOf('=')).trim());
            }
        }
        return keys;
    }

    static Set<String> metricNames(String promql) {
        Set<String> names = new TreeSet<>();
        Matcher m = SERVICE_METRIC.matcher(promql);
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }

    private static Map<?, ?> rules() {
        try {
            return new Yaml().load(Files.readString(RULES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

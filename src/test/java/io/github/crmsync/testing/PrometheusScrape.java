package io.github.crmsync.testing;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One scrape of a Prometheus text exposition, read as an operator's query would read it. */
public record PrometheusScrape(String text) {

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    public static PrometheusScrape of(String url) {
        Http.Answer answer = Http.get(url);
        if (answer.status() != 200) {
            throw new AssertionError("GET " + url + " answered " + answer.status() + ": " + answer.body());
        }
        return new PrometheusScrape(answer.body());
    }

    /** The sum of the samples of the metric whose labels include all of {@code labels} (0 when none). */
    public double sum(String metric, Map<String, String> labels) {
        double total = 0;
        for (String line : text.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (line.startsWith("#") || !m.find() || !m.group(1).equals(metric)) {
                continue;
            }
            if (labels(m.group(2)).entrySet().containsAll(labels.entrySet())) {
                total += Double.parseDouble(m.group(3));
            }
        }
        return total;
    }

    public double sum(String metric) {
        return sum(metric, Map.of());
    }

    /** Whether any sample of the metric has all the labels. */
    public boolean has(String metric, Map<String, String> labels) {
        for (String line : text.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (!line.startsWith("#") && m.find() && m.group(1).equals(metric)
                    && labels(m.group(2)).entrySet().containsAll(labels.entrySet())) {
                return true;
            }
        }
        return false;
    }

    /** The label names of each of the metric's samples (e.g. {@code [direction, replica]}). */
    public java.util.Set<java.util.Set<String>> labelNames(String metric) {
        java.util.Set<java.util.Set<String>> shapes = new java.util.HashSet<>();
        for (String line : text.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (!line.startsWith("#") && m.find() && m.group(1).equals(metric)) {
                shapes.add(new java.util.TreeSet<>(labels(m.group(2)).keySet()));
            }
        }
        return shapes;
    }

    private static Map<String, String> labels(String text) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (text != null) {
            Matcher m = LABEL.matcher(text);
            while (m.find()) {
                labels.put(m.group(1), m.group(2));
            }
        }
        return labels;
    }
}

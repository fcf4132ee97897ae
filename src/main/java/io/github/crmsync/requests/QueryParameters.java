package io.github.crmsync.requests;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A request's query string read from the raw query (the access guard lets no parameter through as
 * a header): the first value of each parameter, decoded; an empty value counts as absent.
 */
public final class QueryParameters {

    private QueryParameters() {
    }

    public static Map<String, String> parse(String raw) {
        Map<String, String> parameters = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return parameters;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (!name.isEmpty() && !value.isEmpty()) {
                parameters.putIfAbsent(name, value);
            }
        }
        return parameters;
    }

    /**
     * The whole number parameter {@code name} between {@code min} and {@code max}, {@code otherwise}
     * when absent; when it is not one, {@code otherwise}, and the problem (naming the parameter) added
     * to {@code problems}.
     */
    public static long number(Map<String, String> query, String name, long otherwise, long min, long max,
                              List<String> problems) {
        String value = query.get(name);
        if (value == null) {
            return otherwise;
        }
        try {
            long number = Long.parseLong(value.trim());
            if (number >= min && number <= max) {
                return number;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        problems.add(name + " must be a whole number from " + min + (max == Long.MAX_VALUE ? " up" : " to " + max)
                + ", not '" + value + "'");
        return otherwise;
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return text;
        }
    }
}

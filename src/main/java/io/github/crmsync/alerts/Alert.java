package io.github.crmsync.alerts;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One alert: its kind, a one-line subject, the text of the e-mail and the figures behind it (the
 * webhook's {@code figures}). Built by {@link AlertMessages}, which never puts a secret in it.
 */
public record Alert(AlertKind kind, String subject, String text, Map<String, Object> figures) {

    public Alert {
        figures = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(figures));
    }
}

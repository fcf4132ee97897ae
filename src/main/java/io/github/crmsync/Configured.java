package io.github.crmsync;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;

import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * What the configuration classes share: settings read as the service reads them (Camel's properties,
 * then environment variables), and the one declared bean of a type, for the start-up steps of a
 * {@code configure} method (hooks, health checks, MBeans) that act on declared beans.
 */
final class Configured {

    private Configured() {
    }

    /**
     * The one bean of this type the configuration classes declare, built now if it has not been
     * (they are declared lazy: built once, when first needed, their parameters resolved by type).
     */
    static <T> T bean(CamelContext context, Class<T> type) {
        Map<String, T> found = context.getRegistry().findByTypeWithName(type);
        if (found.size() != 1) {
            throw new IllegalStateException("Expected exactly one bean of type " + type.getName() + " in the registry, found "
                    + (found.isEmpty() ? "none" : found.keySet()));
        }
        return found.values().iterator().next();
    }

    /** Settings from Camel's properties, falling back to environment variables named as Camel names them. */
    static ServiceSettings settings(CamelContext context) {
        PropertiesComponent pc = context.getPropertiesComponent();
        Function<String, Optional<String>> lookup = key -> pc.resolveProperty(key)
                .or(() -> Optional.ofNullable(System.getenv(ServiceSettings.envVar(key))));
        return ServiceSettings.from(lookup);
    }

    /** A setting from Camel's properties or the environment, trimmed; empty when unset or blank. */
    static Optional<String> property(CamelContext context, String key) {
        return context.getPropertiesComponent().resolveProperty(key)
                .or(() -> Optional.ofNullable(System.getenv(ServiceSettings.envVar(key))))
                .map(String::trim).filter(v -> !v.isEmpty());
    }

    /** A positive whole-number setting (a count or milliseconds), or its default when not set. */
    static long positive(CamelContext context, String key, long defaultValue) {
        String value = context.getPropertiesComponent().resolveProperty(key).orElse(String.valueOf(defaultValue)).trim();
        try {
            long number = Long.parseLong(value);
            if (number > 0) {
                return number;
            }
        } catch (NumberFormatException e) {
            // named below
        }
        throw new IllegalArgumentException(key + " must be a positive whole number, not '" + value + "'");
    }
}

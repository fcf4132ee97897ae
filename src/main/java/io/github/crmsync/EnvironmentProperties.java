package io.github.crmsync;

import org.apache.camel.Ordered;
import org.apache.camel.spi.LoadablePropertiesSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;

/**
 * The environment variables of Camel settings that Camel Main 4.18 itself does not apply:
 * {@code CAMEL_SERVER_PORT} and {@code CAMEL_MANAGEMENT_PORT} (it skips every variable ending in
 * {@code _PORT}, taking them for the ones Kubernetes sets for a Service) and the Salesforce
 * component's {@code CAMEL_COMPONENT_SALESFORCE_*} (its filter of component variables never
 * matches). Found by Camel's properties component on its own (a {@code properties-source-factory}
 * in META-INF), so it applies however the service is started; it ranks above application.properties
 * and below system properties and explicit overrides, as Camel ranks the variables it does apply.
 */
public final class EnvironmentProperties implements LoadablePropertiesSource, Ordered {

    private static final Logger LOG = LoggerFactory.getLogger(EnvironmentProperties.class);
    private static final String SALESFORCE = "CAMEL_COMPONENT_SALESFORCE_";
    private static final Map<String, String> PORTS = Map.of(
            "CAMEL_SERVER_PORT", "camel.server.port", "CAMEL_MANAGEMENT_PORT", "camel.management.port");

    private final Properties properties;

    /** Reads this process's environment (the properties component makes it with the no-argument constructor). */
    public EnvironmentProperties() {
        this(System.getenv());
    }

    EnvironmentProperties(Map<String, String> environment) {
        this.properties = fromEnvironment(environment);
    }

    /** The Camel settings these variables stand for, e.g. {@code CAMEL_COMPONENT_SALESFORCE_LOGIN_URL} → {@code camel.component.salesforce.loginUrl}. */
    static Properties fromEnvironment(Map<String, String> environment) {
        Properties p = new Properties();
        environment.forEach((name, value) -> {
            if (PORTS.containsKey(name)) {
                if (value.trim().matches("\\d{1,5}")) {
                    p.setProperty(PORTS.get(name), value.trim());
                } else {
                    // e.g. tcp://10.0.0.1:8080, which Kubernetes sets for a Service named camel-server
                    LOG.warn("{} is not a port number and is ignored", name);
                }
            } else if (name.startsWith(SALESFORCE) && name.length() > SALESFORCE.length()) {
                p.setProperty("camel.component.salesforce." + camelCase(name.substring(SALESFORCE.length())), value);
            }
        });
        return p;
    }

    /** LOGIN_URL → loginUrl: Camel's own naming of a camelCase option as a variable, reversed. */
    private static String camelCase(String underscored) {
        StringBuilder out = new StringBuilder();
        boolean upper = false;
        for (char c : underscored.toLowerCase(Locale.ROOT).toCharArray()) {
            if (c == '_') {
                upper = true;
            } else {
                out.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return out.toString();
    }

    @Override
    public String getName() {
        return "environment";
    }

    @Override
    public String getProperty(String name) {
        return properties.getProperty(name);
    }

    @Override
    public Properties loadProperties() {
        Properties copy = new Properties();
        copy.putAll(properties);
        return copy;
    }

    @Override
    public Properties loadProperties(Predicate<String> filter) {
        Properties copy = new Properties();
        for (String name : properties.stringPropertyNames()) {
            if (filter.test(name)) {
                copy.setProperty(name, properties.getProperty(name));
            }
        }
        return copy;
    }

    @Override
    public void reloadProperties(String location) {
        // the environment does not change while the process runs
    }

    /** Before application.properties (whose locations count from 100): a variable overrides the file. */
    @Override
    public int getOrder() {
        return 50;
    }
}

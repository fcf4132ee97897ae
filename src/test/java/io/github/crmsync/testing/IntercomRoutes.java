package io.github.crmsync.testing;

import io.github.crmsync.errors.CircuitBreakers;
import io.github.crmsync.intercom.IntercomAnswers;
import io.github.crmsync.intercom.IntercomClient;
import io.github.crmsync.intercom.IntercomConnections;
import io.github.crmsync.intercom.IntercomRateLimit;
import io.github.crmsync.metrics.SyncMetrics;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.apache.camel.CamelContext;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;

import java.time.Clock;
import java.time.Duration;
import java.util.Properties;

/**
 * The Intercom call routes (routes/intercom-api.camel.yaml) alone in a Camel context of their own,
 * with the beans they name, pointed at a base URL: the Intercom client as the service wires it,
 * started in about a second.
 */
public final class IntercomRoutes implements AutoCloseable {

    public final CamelContext camel;
    public final IntercomConnections connections;
    public final IntercomClient client;
    public final CircuitBreaker breaker;
    public final IntercomRateLimit rateLimit;
    public final SyncMetrics metrics = SyncMetrics.none();

    private IntercomRoutes(String baseUrl, int maxConnections, Duration validateAfter, Duration breakerOpenFor)
            throws Exception {
        camel = new DefaultCamelContext();
        Properties properties = new Properties();
        properties.setProperty("crmsync.intercom.base-url", baseUrl);
        camel.getPropertiesComponent().setInitialProperties(properties);
        rateLimit = new IntercomRateLimit(Clock.systemUTC(), 8);
        breaker = new CircuitBreakers(breakerOpenFor).intercom();
        camel.getRegistry().bind("intercomRateLimit", rateLimit);
        camel.getRegistry().bind("intercomAnswers", new IntercomAnswers(rateLimit, metrics));
        camel.getRegistry().bind("intercomCircuitBreaker", breaker);
        connections = IntercomConnections.configure(camel.getComponent("http", HttpComponent.class), maxConnections,
                Duration.ofSeconds(15), validateAfter);
        PluginHelper.getRoutesLoader(camel).loadRoutes(
                ResourceHelper.resolveMandatoryResource(camel, "classpath:routes/intercom-api.camel.yaml"));
        camel.start();
        client = new IntercomClient(camel.createProducerTemplate(), "sandbox-token");
    }

    public static IntercomRoutes start(String baseUrl, int maxConnections, Duration validateAfter) throws Exception {
        return new IntercomRoutes(baseUrl, maxConnections, validateAfter, Duration.ofSeconds(10));
    }

    public static IntercomRoutes start(String baseUrl, Duration breakerOpenFor) throws Exception {
        return new IntercomRoutes(baseUrl, 20, Duration.ofSeconds(1), breakerOpenFor);
    }

    @Override
    public void close() {
        camel.stop();
        connections.close();
    }
}

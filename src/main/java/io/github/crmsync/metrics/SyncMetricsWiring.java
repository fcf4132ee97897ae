package io.github.crmsync.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.spi.Registry;

/**
 * The service's business metrics go into the registry Camel's micrometer-prometheus support
 * exports on {@code /observe/metrics} (the bean it binds as {@code metricsRegistry}); with Camel's
 * metrics turned off they still count, in a registry of their own that nothing exports.
 */
public final class SyncMetricsWiring {

    public static final String BEAN_NAME = "syncMetrics";
    /** The name under which Camel's micrometer-prometheus support binds its registry. */
    static final String CAMEL_REGISTRY_BEAN = "metricsRegistry";

    private SyncMetricsWiring() {
    }

    public static SyncMetrics bind(Registry registry, String replicaId) {
        MeterRegistry meters = registry.lookupByNameAndType(CAMEL_REGISTRY_BEAN, MeterRegistry.class);
        if (meters == null) {
            meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        }
        SyncMetrics metrics = new SyncMetrics(meters, replicaId);
        registry.bind(BEAN_NAME, metrics);
        return metrics;
    }
}

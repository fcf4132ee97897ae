package io.github.crmsync;

import io.github.crmsync.errors.CircuitBreakers;
import io.github.crmsync.health.CircuitBreakerHealthCheck;
import io.github.crmsync.health.DatabaseHealthCheck;
import io.github.crmsync.health.ReachabilityHealthCheck;
import io.github.crmsync.metrics.SyncMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheckRegistry;

import javax.sql.DataSource;

/** The business metrics and the health checks. */
public class MetricsConfiguration implements CamelConfiguration {

    /**
     * The service's business metrics go into the registry Camel's micrometer-prometheus support
     * exports on {@code /observe/metrics} (taken by type); with Camel's metrics turned off they still
     * count, in a registry of their own that nothing exports.
     */
    @BindToRegistry(value = "syncMetrics", lazy = true)
    public SyncMetrics syncMetrics(CamelContext context, ServiceSettings settings) {
        MeterRegistry meters = context.getRegistry().findSingleByType(MeterRegistry.class);
        return new SyncMetrics(meters != null ? meters : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                settings.replicaId());
    }

    @Override
    public void configure(CamelContext context) {
        ServiceSettings settings = Configured.bean(context, ServiceSettings.class);
        SyncMetrics metrics = Configured.bean(context, SyncMetrics.class);
        HealthCheckRegistry health = HealthCheckRegistry.get(context);
        health.register(new DatabaseHealthCheck(Configured.bean(context, DataSource.class)));
        String salesforceUrl = context.getPropertiesComponent()
                .resolveProperty(ServiceSettings.SF + "loginUrl").orElse("https://login.salesforce.com");
        health.register(new ReachabilityHealthCheck("salesforce", salesforceUrl));
        health.register(new ReachabilityHealthCheck("intercom", settings.intercomBaseUrl()));
        CircuitBreakers breakers = Configured.bean(context, CircuitBreakers.class);
        health.register(new CircuitBreakerHealthCheck(breakers.salesforce()));
        health.register(new CircuitBreakerHealthCheck(breakers.intercom()));
        metrics.circuitBreakerState("salesforce", () -> CircuitBreakerHealthCheck.stateOf(breakers.salesforce()));
        metrics.circuitBreakerState("intercom", () -> CircuitBreakerHealthCheck.stateOf(breakers.intercom()));
    }
}

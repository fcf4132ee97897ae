package io.github.crmsync;

import io.github.crmsync.admin.SalesforceUsageApi;
import io.github.crmsync.admin.ServiceOperations;
import io.github.crmsync.admin.SettingsApi;
import io.github.crmsync.admin.SyncErrorsApi;
import io.github.crmsync.errors.CircuitBreakers;
import io.github.crmsync.eventsync.EventSyncLag;
import io.github.crmsync.quota.ApiQuotaPolicy;
import io.github.crmsync.quota.QuotaSettingsStore;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.spi.ManagementAgent;
import org.apache.camel.support.LifecycleStrategySupport;

/** The service's MBean ({@link ServiceOperations}): its operations over JMX and Jolokia. */
public class OperationsConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) {
        ServiceOperations operations = new ServiceOperations(Configured.bean(context, ProducerTemplate.class),
                Configured.bean(context, SalesforceUsageApi.class), Configured.bean(context, QuotaSettingsStore.class),
                Configured.bean(context, SettingsApi.class), Configured.bean(context, ApiQuotaPolicy.class),
                Configured.bean(context, CircuitBreakers.class), Configured.bean(context, SyncErrorsApi.class));
        operations.eventSyncLag(Configured.bean(context, EventSyncLag.class));
        // registered once the context (and its JMX agent, when enabled) runs
        context.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onContextStarted(CamelContext started) {
                ManagementAgent agent = started.getManagementStrategy().getManagementAgent();
                if (agent != null) {
                    try {
                        agent.register(operations, ServiceOperations.objectName());
                    } catch (Exception e) {
                        throw new IllegalStateException("Registering the service's MBean failed", e);
                    }
                }
            }

            @Override
            public void onContextStopping(CamelContext stopping) {
                ManagementAgent agent = stopping.getManagementStrategy().getManagementAgent();
                if (agent != null) {
                    try {
                        agent.unregister(ServiceOperations.objectName());
                    } catch (Exception ignored) {
                        // the platform server goes away with the JVM anyway
                    }
                }
            }
        });
    }
}

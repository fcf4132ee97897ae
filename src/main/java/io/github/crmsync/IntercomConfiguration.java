package io.github.crmsync;

import io.github.crmsync.bulksync.BulkSyncSettings;
import io.github.crmsync.intercom.IntercomAnswers;
import io.github.crmsync.intercom.IntercomClient;
import io.github.crmsync.intercom.IntercomConnections;
import io.github.crmsync.intercom.IntercomRateLimit;
import io.github.crmsync.intercom.WebhookSignature;
import io.github.crmsync.metrics.SyncMetrics;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.http.HttpComponent;

import java.time.Clock;
import java.time.Duration;

/** Intercom: the connection pool, the rate-limit window and answers of the call routes (routes/intercom-api.camel.yaml), the client, the webhook signature. */
public class IntercomConfiguration implements CamelConfiguration {

    /** http and https are two components: the one the Intercom base URL names gets the pool. */
    @BindToRegistry(value = "intercomConnections", lazy = true)
    public IntercomConnections intercomConnections(CamelContext context, ServiceSettings settings, OpenedResources opened) {
        return opened.add(IntercomConnections.configure(
                context.getComponent(settings.intercomBaseUrl().startsWith("https:") ? "https" : "http", HttpComponent.class),
                (int) Configured.positive(context, "crmsync.intercom.max-connections", 20),
                Duration.ofMillis(Configured.positive(context, "crmsync.intercom.idle-connection-timeout-ms", 15_000)),
                Duration.ofMillis(Configured.positive(context, "crmsync.intercom.validate-after-inactivity-ms", 1_000))));
    }

    /** One rate-limit window for event sync's and bulk sync's requests in flight, as Intercom counts them. */
    @BindToRegistry(value = "intercomRateLimit", lazy = true)
    public IntercomRateLimit intercomRateLimit(ServiceSettings settings, BulkSyncSettings bulk) {
        return new IntercomRateLimit(Clock.systemUTC(), settings.intercomConcurrency() + bulk.intercomConcurrency());
    }

    @BindToRegistry(value = "intercomAnswers", lazy = true)
    public IntercomAnswers intercomAnswers(IntercomRateLimit rateLimit, SyncMetrics metrics) {
        return new IntercomAnswers(rateLimit, metrics);
    }

    /** Event sync's client (the bulk run has its own, so that its requests are counted apart). */
    @BindToRegistry(value = "intercomClient", lazy = true)
    public IntercomClient intercomClient(ProducerTemplate template, ServiceSettings settings) {
        return new IntercomClient(template, settings.intercomAccessToken());
    }

    @BindToRegistry(value = "webhookSignature", lazy = true)
    public WebhookSignature webhookSignature(ServiceSettings settings) {
        return new WebhookSignature(settings.intercomClientSecret());
    }

    @Override
    public void configure(CamelContext context) {
        ServiceSettings settings = Configured.bean(context, ServiceSettings.class);
        if (settings.intercomBaseUrl().endsWith("/")) { // the routes append /contacts, /data_attributes
            context.getPropertiesComponent().addOverrideProperty("crmsync.intercom.base-url",
                    settings.intercomBaseUrl().replaceAll("/+$", ""));
        }
        Configured.bean(context, IntercomConnections.class); // the pool is in place before a route sends
    }
}

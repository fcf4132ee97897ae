package io.github.crmsync;

import io.github.crmsync.inbox.CanvasInitialize;
import io.github.crmsync.inbox.CardFreshness;
import io.github.crmsync.inbox.InboxSettings;
import io.github.crmsync.intercom.WebhookSignature;
import io.github.crmsync.mapping.MappingStore;
import io.github.crmsync.mapping.SchemaCache;
import io.github.crmsync.quota.SalesforceApiUsage;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.salesforce.SalesforceComponent;

import javax.sql.DataSource;

/** The Intercom Inbox app: the Canvas Kit card of a conversation's contact (routes/inbox-app.camel.yaml). */
public class InboxConfiguration implements CamelConfiguration {

    @BindToRegistry(value = "inboxSettings", lazy = true)
    public InboxSettings inboxSettings(CamelContext context) {
        return InboxSettings.from(key -> context.getPropertiesComponent().resolveProperty(key));
    }

    @BindToRegistry(value = "canvasInitialize", lazy = true)
    public CanvasInitialize canvasInitialize(CamelContext context, WebhookSignature signature, MappingStore mappings,
                                             DataSource dataSource, SchemaCache schemas, SalesforceApiUsage usage,
                                             ProducerTemplate template, InboxSettings inbox) {
        return new CanvasInitialize(signature, mappings, new CardFreshness(dataSource), schemas, usage,
                soql -> template.requestBody("direct:inbox-salesforce-query", soql, String.class),
                () -> salesforceInstanceUrl(context), inbox.cardTtl());
    }

    /** A bad card TTL stops the start, naming the setting, rather than the first card. */
    @Override
    public void configure(CamelContext context) {
        Configured.bean(context, InboxSettings.class);
    }

    /**
     * Where a record opens: the instance URL of the Salesforce session (the token answer's
     * {@code instance_url}, e.g. the org's My Domain), or the login URL before the first login.
     */
    private static String salesforceInstanceUrl(CamelContext context) {
        SalesforceComponent salesforce = context.getComponent("salesforce", SalesforceComponent.class);
        String instance = salesforce.getSession() == null ? null : salesforce.getSession().getInstanceUrl();
        return instance != null && !instance.isBlank() ? instance : salesforce.getLoginUrl();
    }
}

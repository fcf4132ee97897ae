package io.github.crmsync.health;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.util.Map;
import java.util.function.Supplier;

/**
 * The change-event subscriptions as operators see them: per channel, subscribed, refused by
 * Salesforce (with the cause: authentication, or Change Data Capture not selected for the object)
 * or held by another replica. Always ready: a refused subscription leaves the sync to the poll,
 * and the replica still takes webhooks and API calls.
 */
public final class ChangeEventsHealthCheck extends AbstractHealthCheck {

    private final Supplier<Map<String, String>> channels;

    public ChangeEventsHealthCheck(Supplier<Map<String, String>> channels) {
        super("crmsync", "change-events");
        this.channels = channels;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        channels.get().forEach(builder::detail);
        builder.up();
    }
}

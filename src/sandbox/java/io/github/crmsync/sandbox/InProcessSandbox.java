package io.github.crmsync.sandbox;

import io.github.crmsync.SandboxProvider;
import io.github.crmsync.ServiceSettings;
import org.apache.camel.CamelContext;

/**
 * The sandbox as the service starts it in sandbox mode (found through
 * {@code META-INF/services/io.github.crmsync.SandboxProvider}): its parts, the properties that
 * point the service at them, and the beans {@code sandbox} and {@code sandboxMailbox}.
 */
public final class InProcessSandbox implements SandboxProvider {

    @Override
    public AutoCloseable start(CamelContext context, ServiceSettings settings, String webhookUrl) throws Exception {
        Sandbox sandbox = Sandbox.start(settings, webhookUrl);
        try {
            sandbox.serviceProperties().forEach(context.getPropertiesComponent()::addInitialProperty);
            context.getRegistry().bind("sandbox", sandbox);
            context.getRegistry().bind("sandboxMailbox", new SandboxMailbox(sandbox.mail()));
            return sandbox;
        } catch (RuntimeException | Error e) {
            sandbox.close();
            throw e;
        }
    }
}

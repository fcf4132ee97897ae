package io.github.crmsync.sandbox;

import io.github.crmsync.SandboxMail;
import io.github.crmsync.SandboxProvider;
import io.github.crmsync.ServiceSettings;
import org.apache.camel.CamelContext;

/**
 * The sandbox as the service starts it in sandbox mode (found through
 * {@code META-INF/services/io.github.crmsync.SandboxProvider}): its parts, the properties that
 * point the service at them, and its mailbox.
 */
public final class InProcessSandbox implements SandboxProvider {

    @Override
    public Started start(CamelContext context, ServiceSettings settings, String webhookUrl) throws Exception {
        Sandbox sandbox = Sandbox.start(settings, webhookUrl);
        try {
            sandbox.serviceProperties().forEach(context.getPropertiesComponent()::addInitialProperty);
            return new RunningSandbox(sandbox, new SandboxMailbox(sandbox.mail()));
        } catch (RuntimeException | Error e) {
            sandbox.close();
            throw e;
        }
    }

    private record RunningSandbox(Sandbox sandbox, SandboxMail mailbox) implements Started {

        @Override
        public void close() throws Exception {
            sandbox.close();
        }
    }
}

package io.github.crmsync;

import org.apache.camel.CamelContext;

import java.util.ServiceLoader;

/**
 * The sandbox (simulators, embedded PostgreSQL, SMTP server) as the service finds it at start-up:
 * an implementation on the class path, registered for {@link ServiceLoader}. It lives in
 * {@code src/sandbox/java}, on the class path of the tests and of {@code mvn compile exec:java},
 * and never in the production jar, so the service's own code cannot name it.
 */
public interface SandboxProvider {

    /**
     * Starts the sandbox's parts and points the service's settings at them (as initial properties,
     * which configuration may still override).
     *
     * @param webhookUrl where the Intercom simulator sends its webhooks (the service's endpoint)
     * @return the started sandbox, which the service closes after it has stopped
     */
    Started start(CamelContext context, ServiceSettings settings, String webhookUrl) throws Exception;

    /** A started sandbox: its mailbox is the {@code sandboxMailbox} bean ({@code GET /sandbox/mail}). */
    interface Started extends AutoCloseable {

        SandboxMail mailbox();
    }

    /** The sandbox on this class path; fails naming what to do instead when this build has none. */
    static SandboxProvider find(ClassLoader classLoader) {
        return ServiceLoader.load(SandboxProvider.class, classLoader).findFirst()
                .orElseThrow(() -> new IllegalStateException("crmsync.mode=sandbox, but the sandbox is not in this build: "
                        + "the production jar leaves out the simulators, the embedded PostgreSQL and the SMTP server. "
                        + "Run the sandbox from the source tree with `mvn -B -q compile exec:java`, or set crmsync.mode=live "
                        + "(environment variable CRMSYNC_MODE=live) with a PostgreSQL, Salesforce and Intercom of your own "
                        + "(docs/configuration.md)."));
    }
}

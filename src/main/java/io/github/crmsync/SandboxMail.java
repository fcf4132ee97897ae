package io.github.crmsync;

import org.apache.camel.Exchange;

/** {@code GET /sandbox/mail}: the sandbox's received mail, or 404 without a sandbox (the {@code sandboxMailbox} bean). */
public interface SandboxMail {

    void messagesAsJson(Exchange exchange) throws Exception;
}

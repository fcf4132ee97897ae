package io.github.crmsync;

import org.apache.camel.Exchange;

/** {@code GET /sandbox/mail} without a sandbox (live mode): 404, as the route answers in every mode. */
public final class NoSandboxMailbox implements SandboxMail {

    @Override
    public void messagesAsJson(Exchange exchange) {
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 404);
        exchange.getMessage().setBody("{\"error\":\"The sandbox mailbox exists only in sandbox mode.\"}");
    }
}

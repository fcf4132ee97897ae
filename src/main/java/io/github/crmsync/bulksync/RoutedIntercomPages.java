package io.github.crmsync.bulksync;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

/**
 * Staging's Intercom reads through the route {@code bulk-read-intercom-page}: a transient failure is
 * redelivered there by the sync-errors configuration; one that still fails is thrown here, and
 * ends the run FAILED with its reason.
 */
public final class RoutedIntercomPages implements IntercomPages {

    private final ProducerTemplate template;

    public RoutedIntercomPages(ProducerTemplate template) {
        this.template = template;
    }

    @Override
    public JsonNode read(Request request) {
        Exchange answer = template.request("direct:bulk-read-intercom-page", e -> e.getMessage().setBody(request));
        Exception failure = answer.getException();
        if (failure != null) {
            throw new IllegalStateException("Reading Intercom contacts failed: " + failure.getMessage(), failure);
        }
        return answer.getMessage().getBody(JsonNode.class);
    }
}

package io.github.crmsync.bulksync;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.crmsync.intercom.IntercomClient;

/** Where staging reads Intercom's contacts: pages of the {@code GET /contacts} listing or of a search. */
public interface IntercomPages {

    /** A page to read: the listing's ({@code query} null) or a search's, after the cursor (null: the first). */
    record Request(JsonNode query, String cursor) {
    }

    JsonNode read(Request request);

    /** Each page one request of the client, failures thrown at once. */
    static IntercomPages direct(IntercomClient intercom) {
        return new Direct(intercom);
    }

    /** One request per page (what the route {@code bulk-read-intercom-page} calls). */
    final class Direct implements IntercomPages {
        private final IntercomClient intercom;

        public Direct(IntercomClient intercom) {
            this.intercom = intercom;
        }

        @Override
        public JsonNode read(Request request) {
            return request.query() == null ? intercom.listContacts(request.cursor())
                    : intercom.searchContacts(request.query(), request.cursor());
        }
    }
}

package io.github.crmsync.testing;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;

/** Another Intercom API client (a teammate's edit, another app) changing contacts under the service. */
public final class IntercomClientForTests {

    private final String baseUrl;

    public IntercomClientForTests(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    public Http.Answer update(String contactId, Map<String, Object> body) {
        return Http.put(baseUrl + "/contacts/" + contactId, Http.json(body), "Authorization", "Bearer sandbox-token",
                "Intercom-Version", "2.14", "Accept", "application/json");
    }

    public JsonNode get(String contactId) {
        return Http.get(baseUrl + "/contacts/" + contactId, "Authorization", "Bearer sandbox-token",
                "Intercom-Version", "2.14", "Accept", "application/json").json();
    }
}

package io.github.crmsync.testing;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Another integration changing Salesforce data through the REST API (OAuth password grant as
 * {@code other-client}), the way a user or a different app would change records under the service.
 */
public final class SalesforceClient {

    private final String instanceUrl;
    private final String token;

    private SalesforceClient(String instanceUrl, String token) {
        this.instanceUrl = instanceUrl;
        this.token = token;
    }

    public static SalesforceClient login(String loginUrl, String clientId, String clientSecret) {
        Http.Answer answer = Http.post(loginUrl + "/services/oauth2/token", Http.form(Map.of("grant_type", "password",
                "client_id", clientId, "client_secret", clientSecret, "username", "admin@sandbox.example",
                "password", "sandbox")), "Content-Type", "application/x-www-form-urlencoded");
        if (answer.status() != 200) {
            throw new IllegalStateException("login failed: " + answer.status() + " " + answer.body());
        }
        return new SalesforceClient(answer.json().path("instance_url").asText(), answer.json().path("access_token").asText());
    }

    public static SalesforceClient asOtherClient(String loginUrl) {
        return login(loginUrl, "other-client", "other-secret");
    }

    public Http.Answer update(String sObject, String id, Map<String, Object> fields) {
        return Http.patch(instanceUrl + "/services/data/v60.0/sobjects/" + sObject + "/" + id, Http.json(fields),
                "Authorization", "Bearer " + token);
    }

    public Http.Answer updateMany(Object body) {
        return Http.patch(instanceUrl + "/services/data/v60.0/composite/sobjects", Http.json(body),
                "Authorization", "Bearer " + token);
    }

    public JsonNode get(String sObject, String id) {
        Http.Answer answer = Http.get(instanceUrl + "/services/data/v60.0/sobjects/" + sObject + "/" + id,
                "Authorization", "Bearer " + token);
        if (answer.status() != 200) {
            throw new IllegalStateException(answer.status() + " " + answer.body());
        }
        return answer.json();
    }

    public JsonNode query(String soql) {
        return Http.get(instanceUrl + "/services/data/v60.0/query?q=" + URLEncoder.encode(soql, StandardCharsets.UTF_8),
                "Authorization", "Bearer " + token).json();
    }
}

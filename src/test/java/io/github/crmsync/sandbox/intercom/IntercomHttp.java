package io.github.crmsync.sandbox.intercom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The tests' Intercom client: Camel's http component (the client the service uses), one call per
 * method, and every response checked against Intercom's 2.14 OpenAPI description by
 * {@link IntercomSpec} before the test sees it. Failures come back as replies
 * ({@code throwExceptionOnFailure=false}), so tests assert on statuses and error bodies.
 */
final class IntercomHttp implements AutoCloseable {

    static final ObjectMapper MAPPER = new ObjectMapper();

    /** One HTTP answer: status, headers (names lower-cased) and the body as text and as JSON. */
    record Reply(int status, Map<String, String> headers, String body) {
        JsonNode json() {
            try {
                return MAPPER.readTree(body);
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        String header(String name) {
            return headers.get(name.toLowerCase(java.util.Locale.ROOT));
        }

        /** The first error of an Intercom error list. */
        JsonNode error() {
            JsonNode json = json();
            if (!"error.list".equals(json.path("type").asText())) {
                throw new AssertionError("not an error list: " + body);
            }
            return json.path("errors").path(0);
        }
    }

    private final CamelContext camel;
    private final ProducerTemplate template;
    private final String baseUrl;
    private final String token;

    IntercomHttp(String baseUrl, String token) {
        this.baseUrl = baseUrl;
        this.token = token;
        this.camel = new DefaultCamelContext();
        camel.start();
        this.template = camel.createProducerTemplate();
    }

    Reply get(String pathAndQuery) {
        return call("GET", pathAndQuery, null, Map.of());
    }

    Reply post(String path, Object body) {
        return call("POST", path, json(body), Map.of());
    }

    Reply put(String path, Object body) {
        return call("PUT", path, json(body), Map.of());
    }

    /** Any call; {@code body} is sent as is (so a test may send malformed JSON). */
    Reply call(String method, String pathAndQuery, String body, Map<String, String> headers) {
        Exchange exchange = template.request(baseUrl + "/?throwExceptionOnFailure=false", ex -> {
            ex.getMessage().setHeader(Exchange.HTTP_METHOD, method);
            ex.getMessage().setHeader(Exchange.HTTP_URI, baseUrl + pathAndQuery);
            ex.getMessage().setHeader("Accept", "application/json");
            ex.getMessage().setHeader("Intercom-Version", "2.14");
            if (token != null) {
                ex.getMessage().setHeader("Authorization", "Bearer " + token);
            }
            headers.forEach((k, v) -> ex.getMessage().setHeader(k, v));
            if (body != null) {
                ex.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
                ex.getMessage().setBody(body);
            }
        });
        if (exchange.getException() != null) {
            throw new AssertionError("call failed: " + method + " " + pathAndQuery, exchange.getException());
        }
        int status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        String text = exchange.getMessage().getBody(String.class);
        Map<String, String> responseHeaders = new TreeMap<>();
        Map<String, List<String>> forSpec = new LinkedHashMap<>();
        for (String name : List.of("Content-Type", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")) {
            String value = exchange.getMessage().getHeader(name, String.class);
            if (value != null) {
                responseHeaders.put(name.toLowerCase(java.util.Locale.ROOT), value);
                forSpec.put(name, new ArrayList<>(List.of(value)));
            }
        }
        String path = pathAndQuery.contains("?") ? pathAndQuery.substring(0, pathAndQuery.indexOf('?')) : pathAndQuery;
        IntercomSpec.assertValid(method, path, status, forSpec, text);
        return new Reply(status, responseHeaders, text);
    }

    private static String json(Object body) {
        if (body == null || body instanceof String) {
            return (String) body;
        }
        try {
            return MAPPER.writeValueAsString(body);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Override
    public void close() {
        try {
            camel.close();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

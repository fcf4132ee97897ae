package io.github.crmsync.intercom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.crmsync.metrics.SyncMetrics;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.http.HttpMethods;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The Intercom REST calls the sync makes, sent through Camel's HTTP component with the bearer
 * token and API version, pacing itself by the rate-limit headers (after a 429, the next request
 * waits until the window resets). Errors come back as {@link IntercomApiException} with Intercom's code and message.
 */
public final class IntercomClient {

    public static final String API_VERSION = "2.14";
    private static final int PAGE_SIZE = 150;

    private final ProducerTemplate template;
    private final String baseUrl;
    private final String accessToken;
    private final IntercomRateLimit rateLimit;
    private final CircuitBreaker breaker;
    private final SyncMetrics metrics;
    private final ObjectMapper json = new ObjectMapper();
    private final AtomicLong requests = new AtomicLong();

    public IntercomClient(ProducerTemplate template, String baseUrl, String accessToken, IntercomRateLimit rateLimit) {
        this(template, baseUrl, accessToken, rateLimit, CircuitBreaker.ofDefaults("intercom"), SyncMetrics.none());
    }

    public IntercomClient(ProducerTemplate template, String baseUrl, String accessToken, IntercomRateLimit rateLimit,
                          CircuitBreaker breaker, SyncMetrics metrics) {
        this.breaker = breaker;
        this.metrics = metrics;
        this.template = template;
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.accessToken = accessToken;
        this.rateLimit = rateLimit;
    }

    /** Requests sent since start (retries included). */
    public long requestCount() {
        return requests.get();
    }

    /** Every contact the search query matches, following the cursor through all pages. */
    public List<JsonNode> searchAll(JsonNode query) {
        List<JsonNode> contacts = new ArrayList<>();
        searchEach(query, contacts::add);
        return contacts;
    }

    /**
     * Hands over every contact the search query matches, page by page: only one page is held at a
     * time, however many contacts match.
     */
    public void searchEach(JsonNode query, Consumer<JsonNode> each) {
        String cursor = null;
        do {
            JsonNode page = searchContacts(query, cursor);
            page.path("data").forEach(each);
            cursor = page.path("pages").path("next").path("starting_after").asText(null);
        } while (cursor != null && !cursor.isEmpty());
    }

    /** One {@code POST /contacts/search} page of 150 for the query, after the cursor (null for the first page). */
    public JsonNode searchContacts(JsonNode query, String startingAfter) {
        ObjectNode body = json.createObjectNode();
        body.set("query", query);
        ObjectNode pagination = body.putObject("pagination").put("per_page", PAGE_SIZE);
        if (startingAfter != null) {
            pagination.put("starting_after", startingAfter);
        }
        return call(HttpMethods.POST, Operation.SEARCH, null, null, body);
    }

    /** Contacts of the role whose field has one of the values ({@code IN}), in chunks Intercom accepts. */
    public List<JsonNode> searchIn(String field, Collection<String> values, String role) {
        List<JsonNode> contacts = new ArrayList<>();
        List<String> all = new ArrayList<>(values);
        for (int from = 0; from < all.size(); from += PAGE_SIZE) {
            ObjectNode query = json.createObjectNode().put("operator", "AND");
            ArrayNode filters = query.putArray("value");
            ObjectNode in = filters.addObject().put("field", field).put("operator", "IN");
            all.subList(from, Math.min(all.size(), from + PAGE_SIZE)).forEach(in.putArray("value")::add);
            if (role != null) {
                filters.addObject().put("field", "role").put("operator", "=").put("value", role);
            }
            contacts.addAll(searchAll(query));
        }
        return contacts;
    }

    /** {@code GET /data_attributes?model=contact}: the attributes a mapping may name. */
    public JsonNode contactDataAttributes() {
        return call(HttpMethods.GET, Operation.DATA_ATTRIBUTES, null, "model=contact", null);
    }

    /** One {@code GET /contacts} page of 150, after the cursor (null for the first page). */
    public JsonNode listContacts(String startingAfter) {
        return call(HttpMethods.GET, Operation.CONTACTS, null, "per_page=" + PAGE_SIZE
                + (startingAfter == null ? "" : "&starting_after=" + encode(startingAfter)), null);
    }

    /** {@code GET /contacts/{id}}. */
    public JsonNode get(String contactId) {
        return call(HttpMethods.GET, Operation.CONTACTS, contactId, null, null);
    }

    /** {@code PUT /contacts/{id}} with only the attributes to change; returns the updated contact. */
    public JsonNode update(String contactId, Map<String, Object> patch) {
        return call(HttpMethods.PUT, Operation.CONTACTS, contactId, null, json.valueToTree(patch));
    }

    /**
     * One request, paced by the rate-limit window. No retry here: the sync routes' error handling
     * redelivers transient failures with backoff (one place for retries; only a connection found
     * closed before any answer is retried at once, by {@link IntercomConnections}), and after a 429 the pacing
     * holds the next request until the window resets. The "intercom" circuit breaker sees every
     * answer: 5xx and connection failures count against it, a 429 or a refusal of the data do not.
     */
    private JsonNode call(HttpMethods method, Operation operation, String contactId, String query, JsonNode body) {
        breaker.acquirePermission();
        long started = System.nanoTime();
        IntercomApiException failure;
        try {
            pace();
            Exchange response = send(method, operation, contactId, query, body);
            requests.incrementAndGet();
            Exception sendFailure = response.getException();
            if (sendFailure != null) {
                metrics.intercomRequest(0);
                failure = new IntercomApiException(0, "connection_failed", sendFailure.getClass().getSimpleName() + ": "
                        + sendFailure.getMessage(), null);
            } else {
                int status = response.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
                metrics.intercomRequest(status);
                String text = response.getMessage().getBody(String.class);
                String reset = response.getMessage().getHeader("X-RateLimit-Reset", String.class);
                rateLimit.observe(response.getMessage().getHeader("X-RateLimit-Remaining", String.class), reset);
                if (status >= 200 && status < 300) {
                    breaker.onSuccess(System.nanoTime() - started, TimeUnit.NANOSECONDS);
                    return parse(text);
                }
                if (status == 429) {
                    rateLimit.exhausted(reset);
                }
                failure = error(status, text);
            }
        } catch (RuntimeException e) {
            breaker.releasePermission();
            throw e;
        }
        if (failure.status() == 0 || failure.status() >= 500) {
            breaker.onError(System.nanoTime() - started, TimeUnit.NANOSECONDS, failure);
        } else {
            breaker.onSuccess(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
        throw failure;
    }

    /**
     * Sent to the operation's one endpoint; the contact id goes in the {@code CamelHttpPath} header,
     * percent-encoded as one path segment, so that all contacts share the endpoint, its connections
     * and its metrics instead of one endpoint per contact URI.
     */
    private Exchange send(HttpMethods method, Operation operation, String contactId, String query, JsonNode body) {
        return template.send(operation.uri(baseUrl), exchange -> {
            var message = exchange.getMessage();
            // the enum itself: a String would go through Camel's slow type-converter look-up on every request
            message.setHeader(Exchange.HTTP_METHOD, method);
            if (contactId != null) {
                message.setHeader(Exchange.HTTP_PATH, "/" + encode(contactId));
            }
            if (query != null) {
                message.setHeader(Exchange.HTTP_QUERY, query);
            }
            message.setHeader("Authorization", "Bearer " + accessToken);
            message.setHeader("Intercom-Version", API_VERSION);
            message.setHeader("Accept", "application/json");
            if (body != null) {
                message.setHeader(Exchange.CONTENT_TYPE, "application/json");
                message.setBody(json.writeValueAsString(body));
            } else {
                message.setBody(null);
            }
        });
    }

    /** A value percent-encoded for a URI path segment or query value ({@code %20} for a space, never {@code +}). */
    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The Intercom resources the service calls, each through one endpoint. */
    enum Operation {
        CONTACTS("/contacts"), SEARCH("/contacts/search"), DATA_ATTRIBUTES("/data_attributes");

        private final String path;

        Operation(String path) {
            this.path = path;
        }

        String uri(String baseUrl) {
            return baseUrl + path + "?throwExceptionOnFailure=false";
        }
    }

    private void pace() {
        long delay = rateLimit.acquireDelayMillis();
        while (delay > 0) {
            sleep(delay);
            delay = rateLimit.acquireDelayMillis();
        }
    }

    private JsonNode parse(String text) {
        try {
            return text == null || text.isBlank() ? json.createObjectNode() : json.readTree(text);
        } catch (IOException e) {
            throw new IntercomApiException(200, "unreadable_response", "Intercom's answer is not JSON", text);
        }
    }

    private IntercomApiException error(int status, String text) {
        String code = null;
        String message = null;
        try {
            JsonNode first = json.readTree(text == null ? "{}" : text).path("errors").path(0);
            code = first.path("code").asText(null);
            message = first.path("message").asText(null);
        } catch (IOException ignored) {
            message = "(no error.list body)";
        }
        return new IntercomApiException(status, code, message, text);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Intercom's rate limit", e);
        }
    }
}

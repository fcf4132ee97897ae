package io.github.crmsync.intercom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.RuntimeCamelException;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The Intercom REST calls the sync makes. Each builds its request (bearer token, API version,
 * query, JSON body) and sends it to its route in routes/intercom-api.camel.yaml, which paces it by
 * the rate-limit headers, passes it through the "intercom" circuit breaker and sends it; errors come
 * back as {@link IntercomApiException} with Intercom's code and message. Nothing is retried here: the
 * calling routes' error handling redelivers transient failures.
 */
public final class IntercomClient {

    public static final String API_VERSION = "2.14";
    private static final int PAGE_SIZE = 150;

    private final ProducerTemplate template;
    private final String accessToken;
    private final ObjectMapper json = new ObjectMapper();
    private final AtomicLong requests = new AtomicLong();
    /** The recent contact writes' time, a moving average in milliseconds; negative before the first. */
    private double updateMillis = -1;
    private final Map<Operation, Endpoint> routes = new ConcurrentHashMap<>();

    public IntercomClient(ProducerTemplate template, String accessToken) {
        this.template = template;
        this.accessToken = accessToken;
    }

    /** Requests this client had sent to Intercom since start (redeliveries included, calls the breaker refused not). */
    public long requestCount() {
        return requests.get();
    }

    /**
     * How long this client's recent contact writes took (pacing included), a moving average over
     * about the last 20: what a bulk preview expects each write of the run to take. Empty before the
     * first write.
     */
    public synchronized java.util.OptionalDouble updateLatencyMillis() {
        return updateMillis < 0 ? java.util.OptionalDouble.empty() : java.util.OptionalDouble.of(updateMillis);
    }

    private synchronized void updateTook(long nanos) {
        double millis = nanos / 1e6;
        updateMillis = updateMillis < 0 ? millis : updateMillis + (millis - updateMillis) / 20;
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
        return call(Operation.SEARCH, null, null, body);
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
        return call(Operation.DATA_ATTRIBUTES, null, "model=contact", null);
    }

    /** One {@code GET /contacts} page of 150, after the cursor (null for the first page). */
    public JsonNode listContacts(String startingAfter) {
        return call(Operation.LIST_CONTACTS, null, "per_page=" + PAGE_SIZE
                + (startingAfter == null ? "" : "&starting_after=" + encode(startingAfter)), null);
    }

    /** {@code GET /contacts/{id}}. */
    public JsonNode get(String contactId) {
        return call(Operation.GET_CONTACT, contactId, null, null);
    }

    /** {@code PUT /contacts/{id}} with only the attributes to change; returns the updated contact. */
    public JsonNode update(String contactId, Map<String, Object> patch) {
        return call(Operation.UPDATE_CONTACT, contactId, null, json.valueToTree(patch));
    }

    /**
     * One request through the operation's route. The contact id goes in the {@code CamelHttpPath}
     * header, percent-encoded as one path segment, so that all contacts share the operation's
     * endpoint, its connections and its metrics instead of one endpoint per contact URI.
     */
    private JsonNode call(Operation operation, String contactId, String query, JsonNode body) {
        Endpoint route = routes.computeIfAbsent(operation, o -> template.getCamelContext().getEndpoint(o.route));
        long sent = System.nanoTime();
        Exchange reply = template.send(route, exchange -> {
            var message = exchange.getMessage();
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
            }
        });
        Exception failure = reply.getException();
        IntercomApiException answer = intercomFailure(failure);
        if (failure == null || answer != null) { // sent: answered, or failed on the way (not refused by the breaker)
            requests.incrementAndGet();
            if (operation == Operation.UPDATE_CONTACT) {
                updateTook(System.nanoTime() - sent);
            }
        }
        if (answer != null) {
            throw answer;
        }
        if (failure != null) {
            throw failure instanceof RuntimeException runtime ? runtime : new RuntimeCamelException(failure);
        }
        return reply.getMessage().getBody(JsonNode.class);
    }

    private static IntercomApiException intercomFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IntercomApiException e) {
                return e;
            }
        }
        return null;
    }

    /** A value percent-encoded for a URI path segment or query value ({@code %20} for a space, never {@code +}). */
    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The Intercom operations the service calls, each a route of routes/intercom-api.camel.yaml. */
    enum Operation {
        SEARCH("direct:intercom-search-contacts"),
        LIST_CONTACTS("direct:intercom-list-contacts"),
        GET_CONTACT("direct:intercom-get-contact"),
        UPDATE_CONTACT("direct:intercom-update-contact"),
        DATA_ATTRIBUTES("direct:intercom-data-attributes");

        private final String route;

        Operation(String route) {
            this.route = route;
        }
    }
}

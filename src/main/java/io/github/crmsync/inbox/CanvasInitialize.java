package io.github.crmsync.inbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crmsync.intercom.JsonAnswer;
import io.github.crmsync.errors.FailureClassifier;
import io.github.crmsync.intercom.WebhookSignature;
import io.github.crmsync.mapping.MappingStore;
import io.github.crmsync.mapping.ObjectType;
import io.github.crmsync.mapping.SalesforceField;
import io.github.crmsync.mapping.SalesforceSchema;
import io.github.crmsync.mapping.SchemaCache;
import io.github.crmsync.quota.SalesforceApiUsage;
import io.github.crmsync.salesforce.QueryPage;
import io.github.crmsync.salesforce.SalesforceLimitInfo;
import io.github.crmsync.salesforce.Soql;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@code POST /intercom/canvas/initialize}, the inbox app: Intercom's Canvas Kit asks for the card
 * of the contact a teammate is viewing. The {@code X-Body-Signature} is checked on the raw body
 * before anything is read; then the linked Salesforce record (or, unlinked, the one with the
 * contact's e-mail) is read with one query and shown with its mapped fields. Every outcome Intercom
 * can show (no match, several matches, Salesforce out of API calls or unreadable) is a 200 card;
 * only a bad signature (401) or a body that is not JSON (400) is refused. A card read from
 * Salesforce is served again without a call while it is known to be current (see
 * {@link CanvasCardCache}): each view costs one PostgreSQL query, not a Salesforce call. The card
 * says as of when it is current.
 */
public final class CanvasInitialize {

    private static final Logger LOG = LoggerFactory.getLogger(CanvasInitialize.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Looks a record up: sends one SOQL query and answers Salesforce's JSON. */
    @FunctionalInterface
    public interface Query {
        String run(String soql);
    }

    /** A card looked up, and whether Salesforce answered it (only those are kept and say how fresh they are). */
    private record LookedUp(Map<String, Object> card, boolean fromSalesforce) {
    }

    private final WebhookSignature signature;
    private final MappingStore mappings;
    private final CardFreshness freshness;
    private final SchemaCache schemas;
    private final SalesforceApiUsage usage;
    private final Query query;
    private final Supplier<String> instanceUrl;
    private final Duration cardTtl;
    private final CanvasCardCache cache = new CanvasCardCache(10_000);

    /** @param cardTtl the longest a card is served since it was last known current ({@link InboxSettings}) */
    public CanvasInitialize(WebhookSignature signature, MappingStore mappings, CardFreshness freshness, SchemaCache schemas,
                            SalesforceApiUsage usage, Query query, Supplier<String> instanceUrl, Duration cardTtl) {
        this.signature = signature;
        this.mappings = mappings;
        this.freshness = freshness;
        this.schemas = schemas;
        this.usage = usage;
        this.query = query;
        this.instanceUrl = instanceUrl;
        this.cardTtl = cardTtl;
    }

    public void initialize(Exchange exchange) {
        byte[] body = exchange.getMessage().getBody(byte[].class);
        String header = exchange.getMessage().getHeader("X-Body-Signature", String.class);
        if (!signature.validBodySignature(header, body)) {
            JsonAnswer.error(exchange, 401, "The X-Body-Signature header is missing or does not match the body.");
            return;
        }
        JsonNode request;
        try {
            request = JSON.readTree(body == null ? new byte[0] : body);
        } catch (IOException e) {
            JsonAnswer.error(exchange, 400, "The body is not JSON: " + e.getMessage().lines().findFirst().orElse(""));
            return;
        }
        if (request == null || !request.isObject()) {
            JsonAnswer.error(exchange, 400, "The body is not a JSON object.");
            return;
        }
        JsonAnswer.json(exchange, 200, card(contactOf(request)));
    }

    /** The contact being viewed: {@code contact} (Canvas Kit 2.11+), or {@code customer} as older docs name it. */
    static JsonNode contactOf(JsonNode request) {
        JsonNode contact = request.path("contact");
        return contact.isObject() ? contact : request.path("customer");
    }

    private Map<String, Object> card(JsonNode contact) {
        String role = contact.path("role").asText(null);
        ObjectType type;
        try {
            type = ObjectType.fromIntercomRole(role);
        } catch (IllegalArgumentException e) {
            return CanvasCards.notSynced(role);
        }
        String intercomId = contact.path("id").asText(null);
        String email = contact.path("email").asText(null);
        // one local query: the link, and whether a sync (on any replica) has been at the record since
        CardFreshness.State state = freshness.of(intercomId, type);
        List<String> fields = mappings.current().salesforceFields(type);
        String key = type + "|" + intercomId + "|" + email;
        CanvasCardCache.Entry cached = cache.get(key);
        if (cached != null && cached.fields().equals(fields)) {
            Instant asOf = CanvasCardCache.currentAsOf(cached, state, cardTtl);
            if (asOf != null) {
                return CanvasCards.withFreshness(cached.card(), asOf, state.now(), state.lastSynced());
            }
        }
        LookedUp found = lookUp(type, intercomId, email, state.linkedSalesforceId(), fields);
        if (!found.fromSalesforce()) {
            return found.card();
        }
        cache.put(key, new CanvasCardCache.Entry(found.card(), state.now(), state.linkedSalesforceId(), fields));
        return CanvasCards.withFreshness(found.card(), state.now(), state.now(), state.lastSynced());
    }

    private LookedUp lookUp(ObjectType type, String intercomId, String email, String linkedId, List<String> fields) {
        if (linkedId == null && (email == null || email.isBlank())) {
            return new LookedUp(CanvasCards.noMatch(type, null), false);
        }
        if (outOfCalls()) {
            return new LookedUp(CanvasCards.outOfApiCalls(), false);
        }
        List<String> select = new ArrayList<>(List.of("Id", "Name", "Email"));
        select.addAll(fields);
        String soql = linkedId != null
                ? Soql.byIdsOrEmails(type.salesforceObject(), select, List.of(linkedId), List.of())
                : Soql.byIdsOrEmails(type.salesforceObject(), select, List.of(), List.of(email.trim()));
        QueryPage page;
        try {
            page = QueryPage.parse(query.run(soql));
        } catch (RuntimeException e) {
            if (limitExceeded(e)) {
                return new LookedUp(CanvasCards.outOfApiCalls(), false);
            }
            LOG.warn("The inbox card of Intercom contact {} could not read Salesforce: {}", intercomId, e.toString());
            return new LookedUp(CanvasCards.unavailable(), false);
        }
        long found = Math.max(page.totalSize(), page.records().size());
        if (found == 0) {
            return new LookedUp(linkedId != null ? CanvasCards.linkedRecordMissing(type, linkedId)
                    : CanvasCards.noMatch(type, email), true);
        }
        if (found > 1) {
            return new LookedUp(CanvasCards.ambiguous(type, email, found), true);
        }
        return new LookedUp(CanvasCards.record(type, page.records().get(0), fields, labels(type), instanceUrl.get()), true);
    }

    /** True when the org's consumption, as Salesforce last reported it, is at or over its limit. */
    private boolean outOfCalls() {
        try {
            Optional<SalesforceLimitInfo> last = usage.lastOrgUsage();
            return last.isPresent() && last.get().max() > 0 && last.get().used() >= last.get().max();
        } catch (RuntimeException e) {
            return false; // not knowing is no reason to refuse: the query will tell
        }
    }

    /** Field labels from the cached describe; API names when the describe cannot be had now. */
    private Function<String, String> labels(ObjectType type) {
        SalesforceSchema schema;
        try {
            schema = schemas.current().salesforce(type);
        } catch (RuntimeException e) {
            LOG.debug("No describe for the inbox card's labels: {}", e.toString());
            return name -> name;
        }
        return name -> schema.field(name).map(SalesforceField::label).orElse(name);
    }

    /**
     * True for Salesforce's {@code REQUEST_LIMIT_EXCEEDED} of the 24-hour allowance; not for its
     * concurrent-request limit, which shares the code but passes in seconds ("ConcurrentRequests").
     */
    static boolean limitExceeded(Throwable failure) {
        return FailureClassifier.limitExceeded(failure);
    }
}

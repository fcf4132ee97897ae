package io.github.crmsync.sandbox.intercom;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.crmsync.sandbox.SimulatorServers;
import io.github.crmsync.sandbox.SimulatorFaults;
import io.github.crmsync.sandbox.seed.SeedData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The sandbox Intercom: an in-process HTTP server answering as Intercom's REST API 2.11–2.14
 * documents it for the calls the sync makes — {@code GET /contacts}, {@code POST /contacts/search},
 * {@code GET/PUT /contacts/{id}}, {@code GET /data_attributes} — with bearer authentication, the
 * {@code Intercom-Version} header, {@code X-RateLimit-*} headers and 429s, Intercom's error bodies,
 * signed webhooks when a contact changes, and configurable latency and faults. Contacts come from
 * {@link SeedData} and are regenerated on demand; only changed ones are held.
 *
 * <p>Under {@code /sandbox/} (no authentication) a control endpoint shows and changes the simulator:
 * {@code GET /sandbox/state}, {@code POST /sandbox/faults}, {@code POST /sandbox/rate-limit},
 * {@code POST /sandbox/webhook}.
 */
public final class IntercomSimulator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(IntercomSimulator.class);
    static final Set<String> SUPPORTED_VERSIONS = Set.of("2.11", "2.12", "2.13", "2.14");
    private static final String JSON = "application/json; charset=utf-8";

    private final IntercomSimulatorSettings settings;
    private final ObjectMapper mapper = new ObjectMapper();
    private final ContactStore store;
    private final ContactSearch search;
    private volatile java.util.function.Consumer<JsonNode> searchListener = body -> { };
    private volatile java.util.function.Consumer<String> updateListener = id -> { };
    private final ContactPages pages;
    private final RateLimiter rateLimiter;
    private final WebhookSender webhooks;
    private final HttpWire wire = new HttpWire(mapper);
    private final SandboxControl control;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong rateLimited = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();
    /** Accepted updates per contact, changed or not, so tests can tell an update sent twice. */
    private final java.util.Map<String, AtomicLong> updatesById = new java.util.concurrent.ConcurrentHashMap<>();
    private final Object writeLock = new Object();
    private volatile String webhookUrl;
    private HttpServer server;
    private ThreadPoolExecutor executor;

    public IntercomSimulator(IntercomSimulatorSettings settings, SeedData seed) {
        this.settings = settings;
        this.store = new ContactStore(seed, new ContactRenderer(mapper));
        this.search = new ContactSearch(store);
        this.pages = new ContactPages(store, mapper);
        this.rateLimiter = new RateLimiter(settings.rateLimitPerMinute(), System::currentTimeMillis);
        this.webhooks = new WebhookSender(mapper, settings.webhookSecret());
        this.webhookUrl = settings.webhookUrl();
        this.control = new SandboxControl(this, rateLimiter, webhooks, mapper, wire);
    }

    public synchronized void start() throws IOException {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        AtomicInteger threads = new AtomicInteger();
        executor = new ThreadPoolExecutor(16, 16, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(512), r -> {
            Thread t = new Thread(r, "intercom-sim-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.CallerRunsPolicy());
        server = SimulatorServers.create(settings.host(), settings.port(), 128);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
            server = null;
        }
        webhooks.close();
    }

    public synchronized int port() {
        if (server == null) {
            throw new IllegalStateException("not started");
        }
        return server.getAddress().getPort();
    }

    public String baseUrl() {
        return "http://" + settings.host() + ":" + port();
    }

    public SimulatorFaults faults() {
        return settings.faults();
    }

    public void setWebhookUrl(String url) {
        this.webhookUrl = url;
    }

    /** How long a failed webhook delivery waits before its one retry (a minute, as at Intercom). */
    public void setWebhookRetryDelay(Duration delay) {
        webhooks.setRetryDelay(delay);
    }

    public void setRateLimitPerMinute(int perMinute) {
        rateLimiter.setPerMinute(perMinute);
    }

    /** Authenticated REST requests served, 429s included. */
    public long requestCount() {
        return requests.get();
    }

    public long rateLimitedCount() {
        return rateLimited.get();
    }

    /** Contacts changed through {@code PUT /contacts/{id}}. */
    /** How many updates of one contact were accepted (whether or not they changed it). */
    public long updateCount(String contactId) {
        AtomicLong count = updatesById.get(contactId);
        return count == null ? 0 : count.get();
    }

    public long writeCount() {
        return writes.get();
    }

    public long webhooksDelivered() {
        return webhooks.delivered();
    }

    /** The contact's current JSON, as {@code GET /contacts/{id}} would return it. */
    @SuppressWarnings("unchecked")
    public Optional<Map<String, Object>> contact(String id) {
        int position = store.positionOf(id);
        if (position < 0) {
            return Optional.empty();
        }
        return Optional.of(mapper.convertValue(store.contact(position), Map.class));
    }

    // ---------------------------------------------------------------- requests

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            try {
                if (path.startsWith("/sandbox/")) {
                    control.handle(exchange, path);
                } else {
                    api(exchange, path);
                }
            } catch (RuntimeException | Error e) {
                internalError(exchange, e);
            }
        }
    }

    /**
     * A bug of the simulator (or of a test's hook) is never swallowed: it is logged with its stack
     * trace and answered as Intercom answers its own failures, 500 with an error list.
     */
    private void internalError(HttpExchange exchange, Throwable e) throws IOException {
        LOG.error("Intercom simulator failed on {} {}", exchange.getRequestMethod(), exchange.getRequestURI(), e);
        if (exchange.getResponseCode() != -1) {
            return; // the answer has begun: closing the exchange is all that is left
        }
        wire.sendError(exchange, 500, "server_error", "Server Error: " + e.getClass().getSimpleName(), null);
    }

    private void api(HttpExchange exchange, String path) throws IOException {
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (authorization == null || !authorization.equals("Bearer " + settings.accessToken())) {
            wire.sendError(exchange, 401, "unauthorized", "Access Token Invalid", null);
            return;
        }
        SimulatorFaults.Fault fault;
        try {
            fault = settings.faults().next();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (fault == SimulatorFaults.Fault.DROP_CONNECTION) {
            return; // closing the exchange before any response closes the connection
        }
        requests.incrementAndGet();
        RateLimiter.Decision decision = rateLimiter.acquire();
        if (fault == SimulatorFaults.Fault.TOO_MANY_REQUESTS) {
            decision = new RateLimiter.Decision(false, decision.limit(), 0, decision.resetEpochSecond());
        }
        if (!decision.allowed()) {
            rateLimited.incrementAndGet();
            wire.sendError(exchange, 429, "rate_limit_exceeded",
                    "Exceeded rate limit of " + decision.limit() + " in 10_seconds", decision);
            return;
        }
        if (fault == SimulatorFaults.Fault.SERVER_ERROR) {
            if (ThreadLocalRandom.current().nextBoolean()) {
                wire.sendError(exchange, 500, "server_error", "Server Error", decision);
            } else {
                wire.sendError(exchange, 503, "service_unavailable", "Service Unavailable", decision);
            }
            return;
        }
        try {
            String version = exchange.getRequestHeaders().getFirst("Intercom-Version");
            if (version != null && !SUPPORTED_VERSIONS.contains(version.trim())) {
                throw IntercomApiException.badRequest("intercom_version_invalid", "The requested version could not be found");
            }
            JsonNode response = route(exchange, path);
            wire.send(exchange, 200, response, decision);
        } catch (IntercomApiException e) {
            wire.sendError(exchange, e.status(), e.code(), e.getMessage(), decision);
        } catch (JsonProcessingException e) {
            wire.sendError(exchange, 400, "parameter_invalid", "There was a problem in the JSON you submitted", decision);
        }
    }

    private JsonNode route(HttpExchange exchange, String path) throws IOException {
        String method = exchange.getRequestMethod();
        Map<String, String> query = HttpWire.query(exchange.getRequestURI().getRawQuery());
        if (path.equals("/contacts") && method.equals("GET")) {
            int perPage = ContactPages.perPage(HttpWire.integer(query.get("per_page"), "per_page"), ContactPages.LIST_DEFAULT_PER_PAGE);
            return pages.page(null, null, perPage, query.get("starting_after"));
        }
        if (path.equals("/contacts/search") && method.equals("POST")) {
            JsonNode body = wire.readJson(exchange);
            searchListener.accept(body);
            return search(body);
        }
        if (path.startsWith("/contacts/") && path.indexOf('/', "/contacts/".length()) < 0) {
            String id = URLDecoder.decode(path.substring("/contacts/".length()), StandardCharsets.UTF_8);
            if (method.equals("GET")) {
                int position = store.positionOf(id);
                if (position < 0) {
                    throw IntercomApiException.contactNotFound();
                }
                return store.contact(position);
            }
            if (method.equals("PUT")) {
                return update(id, wire.readJson(exchange));
            }
        }
        if (path.equals("/data_attributes") && method.equals("GET")) {
            String model = query.getOrDefault("model", "contact");
            if (model.equals("contact")) {
                return DataAttributes.contactAttributes(mapper);
            }
            if (model.equals("company") || model.equals("conversation")) {
                ObjectNode empty = mapper.createObjectNode();
                empty.put("type", "list");
                empty.putArray("data");
                return empty;
            }
            throw IntercomApiException.parameterInvalid("The Data Attribute model field must be either contact or company");
        }
        throw new IntercomApiException(404, "not_found", "Resource Not Found");
    }

    /** Told the id of every contact updated ({@code PUT /contacts/{id}}), as the update is applied: when a write lands. */
    public void onUpdate(java.util.function.Consumer<String> listener) {
        this.updateListener = listener == null ? id -> { } : listener;
    }

    /** Told the body of every {@code POST /contacts/search} as it arrives: who searches what, how often. */
    public void onSearch(java.util.function.Consumer<JsonNode> listener) {
        this.searchListener = listener == null ? body -> { } : listener;
    }

    private JsonNode search(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw IntercomApiException.parameterInvalid("Body is required");
        }
        if (!body.has("query")) {
            throw IntercomApiException.badRequest("parameter_not_found", "query not specified");
        }
        ContactSearch.Condition condition = search.compile(body.get("query"));
        JsonNode pagination = body.path("pagination");
        Integer perPage = null;
        String startingAfter = null;
        if (pagination.isObject()) {
            JsonNode pp = pagination.get("per_page");
            if (pp != null && !pp.isNull()) {
                if (!pp.isIntegralNumber()) {
                    throw IntercomApiException.parameterInvalid("per_page must be an integer");
                }
                perPage = pp.asInt();
            }
            JsonNode sa = pagination.get("starting_after");
            startingAfter = sa == null || sa.isNull() ? null : sa.asText();
        }
        int size = ContactPages.perPage(perPage, ContactPages.SEARCH_DEFAULT_PER_PAGE);
        return pages.page(condition, body.get("query").toString(), size, startingAfter);
    }

    private JsonNode update(String id, JsonNode body) {
        int position = store.positionOf(id);
        if (position < 0) {
            throw IntercomApiException.contactNotFound();
        }
        ObjectNode contact;
        boolean changed;
        synchronized (writeLock) {
            contact = store.contact(position);
            changed = ContactUpdate.apply(contact, body, System.currentTimeMillis() / 1000);
            if (changed) {
                store.replace(position, contact);
                pages.changed();
                writes.incrementAndGet();
            }
        }
        updatesById.computeIfAbsent(id, k -> new AtomicLong()).incrementAndGet();
        updateListener.accept(id);
        String url = webhookUrl;
        if (changed && url != null) {
            webhooks.contactUpdated(url, contact.deepCopy(), System.currentTimeMillis() / 1000);
        }
        return contact;
    }

    /** Counts and settings, as {@code GET /sandbox/state} shows them. */
    Map<String, Object> state() {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("baseUrl", server == null ? null : baseUrl());
        state.put("contacts", store.size());
        state.put("changedContacts", store.changedCount());
        state.put("requestCount", requestCount());
        state.put("rateLimitedCount", rateLimitedCount());
        state.put("writeCount", writeCount());
        state.put("rateLimit", Map.of("perMinute", rateLimiter.perMinute(), "perWindow", rateLimiter.perWindow(),
                "windowSeconds", RateLimiter.WINDOW_MILLIS / 1000));
        Map<String, Object> webhook = new LinkedHashMap<>();
        webhook.put("url", webhookUrl);
        webhook.put("retryDelayMillis", webhooks.retryDelay().toMillis());
        webhook.put("delivered", webhooks.delivered());
        webhook.put("failed", webhooks.failed());
        state.put("webhook", webhook);
        state.put("faults", settings.faults().asMap());
        return state;
    }
}

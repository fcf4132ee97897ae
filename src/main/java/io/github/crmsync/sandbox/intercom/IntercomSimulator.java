package io.github.crmsync.sandbox.intercom;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.crmsync.sandbox.SimulatorFaults;
import io.github.crmsync.sandbox.seed.SeedData;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
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

    static final Set<String> SUPPORTED_VERSIONS = Set.of("2.11", "2.12", "2.13", "2.14");
    private static final String JSON = "application/json; charset=utf-8";

    private final IntercomSimulatorSettings settings;
    private final ObjectMapper mapper = new ObjectMapper();
    private final ContactStore store;
    private final ContactSearch search;
    private final ContactPages pages;
    private final RateLimiter rateLimiter;
    private final WebhookSender webhooks;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong rateLimited = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();
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
        server = HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), 128);
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
            if (path.startsWith("/sandbox/")) {
                control(exchange, path);
            } else {
                api(exchange, path);
            }
        } catch (RuntimeException e) {
            // The exchange is closed; nothing more can be said to the client.
        }
    }

    private void api(HttpExchange exchange, String path) throws IOException {
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (authorization == null || !authorization.equals("Bearer " + settings.accessToken())) {
            sendError(exchange, 401, "unauthorized", "Access Token Invalid", null);
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
            sendError(exchange, 429, "rate_limit_exceeded",
                    "Exceeded rate limit of " + decision.limit() + " in 10_seconds", decision);
            return;
        }
        if (fault == SimulatorFaults.Fault.SERVER_ERROR) {
            if (ThreadLocalRandom.current().nextBoolean()) {
                sendError(exchange, 500, "server_error", "Server Error", decision);
            } else {
                sendError(exchange, 503, "service_unavailable", "Service Unavailable", decision);
            }
            return;
        }
        try {
            String version = exchange.getRequestHeaders().getFirst("Intercom-Version");
            if (version != null && !SUPPORTED_VERSIONS.contains(version.trim())) {
                throw IntercomApiException.badRequest("intercom_version_invalid", "The requested version could not be found");
            }
            JsonNode response = route(exchange, path);
            send(exchange, 200, response, decision);
        } catch (IntercomApiException e) {
            sendError(exchange, e.status(), e.code(), e.getMessage(), decision);
        } catch (JsonProcessingException e) {
            sendError(exchange, 400, "parameter_invalid", "There was a problem in the JSON you submitted", decision);
        } catch (RuntimeException e) {
            sendError(exchange, 500, "server_error", "Server Error", decision);
        }
    }

    private JsonNode route(HttpExchange exchange, String path) throws IOException {
        String method = exchange.getRequestMethod();
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        if (path.equals("/contacts") && method.equals("GET")) {
            int perPage = ContactPages.perPage(integer(query.get("per_page"), "per_page"), ContactPages.LIST_DEFAULT_PER_PAGE);
            return pages.page(null, null, perPage, query.get("starting_after"));
        }
        if (path.equals("/contacts/search") && method.equals("POST")) {
            return search(readJson(exchange));
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
                return update(id, readJson(exchange));
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
        String url = webhookUrl;
        if (changed && url != null) {
            webhooks.contactUpdated(url, contact.deepCopy(), System.currentTimeMillis() / 1000);
        }
        return contact;
    }

    // ---------------------------------------------------------------- control endpoint

    private void control(HttpExchange exchange, String path) throws IOException {
        String method = exchange.getRequestMethod();
        try {
            switch (method + " " + path) {
                case "GET /sandbox/state" -> send(exchange, 200, mapper.valueToTree(state()), null);
                case "POST /sandbox/faults" -> {
                    settings.faults().update(controlBody(exchange));
                    send(exchange, 200, mapper.valueToTree(settings.faults().asMap()), null);
                }
                case "POST /sandbox/rate-limit" -> {
                    Object perMinute = controlBody(exchange).get("perMinute");
                    if (!(perMinute instanceof Integer n) || n < 1) {
                        throw new IllegalArgumentException("perMinute must be a positive integer");
                    }
                    rateLimiter.setPerMinute(n);
                    send(exchange, 200, mapper.valueToTree(state()), null);
                }
                case "POST /sandbox/webhook" -> {
                    Map<String, Object> body = controlBody(exchange);
                    if (!body.containsKey("url")) {
                        throw new IllegalArgumentException("url is required (null turns webhooks off)");
                    }
                    Object url = body.get("url");
                    if (url != null && !(url instanceof String s && (s.startsWith("http://") || s.startsWith("https://")))) {
                        throw new IllegalArgumentException("url must be an http(s) URL or null");
                    }
                    Object delay = body.get("retryDelayMillis");
                    if (delay != null) {
                        if (!(delay instanceof Number d) || d.longValue() < 0) {
                            throw new IllegalArgumentException("retryDelayMillis must be a non-negative number");
                        }
                        webhooks.setRetryDelay(Duration.ofMillis(d.longValue()));
                    }
                    setWebhookUrl((String) url);
                    send(exchange, 200, mapper.valueToTree(state()), null);
                }
                default -> send(exchange, 404, mapper.valueToTree(Map.of("error", "no such sandbox endpoint: " + method + " " + path)), null);
            }
        } catch (IllegalArgumentException | ClassCastException e) {
            send(exchange, 400, mapper.valueToTree(Map.of("error", String.valueOf(e.getMessage()))), null);
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> controlBody(HttpExchange exchange) throws IOException {
        JsonNode body;
        try {
            body = readJson(exchange);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("body is not valid JSON");
        }
        if (body == null || !body.isObject()) {
            throw new IllegalArgumentException("body must be a JSON object");
        }
        return mapper.convertValue(body, Map.class);
    }

    private Map<String, Object> state() {
        Map<String, Object> state = new LinkedHashMap<>();
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

    // ---------------------------------------------------------------- wire helpers

    private JsonNode readJson(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readAllBytes();
            if (bytes.length == 0) {
                return null;
            }
            return mapper.readTree(bytes);
        }
    }

    private void sendError(HttpExchange exchange, int status, String code, String message, RateLimiter.Decision rate)
            throws IOException {
        ObjectNode body = mapper.createObjectNode();
        body.put("type", "error.list");
        body.put("request_id", UUID.randomUUID().toString());
        ObjectNode error = body.putArray("errors").addObject();
        error.put("code", code);
        error.put("message", message);
        send(exchange, status, body, rate);
    }

    private void send(HttpExchange exchange, int status, JsonNode body, RateLimiter.Decision rate) throws IOException {
        byte[] bytes = mapper.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", JSON);
        if (rate != null) {
            exchange.getResponseHeaders().set("X-RateLimit-Limit", String.valueOf(rate.limit()));
            exchange.getResponseHeaders().set("X-RateLimit-Remaining", String.valueOf(rate.remaining()));
            exchange.getResponseHeaders().set("X-RateLimit-Reset", String.valueOf(rate.resetEpochSecond()));
        }
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> params = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.putIfAbsent(key, value);
        }
        return params;
    }

    private static Integer integer(String value, String name) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return Integer.valueOf(value.trim());
        } catch (NumberFormatException e) {
            throw IntercomApiException.parameterInvalid(name + " must be an integer");
        }
    }
}

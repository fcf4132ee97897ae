package io.github.crmsync.sandbox.salesforce;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.crmsync.sandbox.SimulatorServers;
import io.github.crmsync.sandbox.SimulatorFaults;
import io.github.crmsync.sandbox.seed.SalesforceIds;
import io.github.crmsync.sandbox.seed.SeedData;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The sandbox Salesforce org: an in-process HTTP server answering the OAuth token endpoint, REST
 * API (query, sObject rows, describe, sObject Collections, limits) and Bulk API 2.0 the way
 * Salesforce documents them, so that camel-salesforce works against it unchanged. Records come
 * from {@link SeedData}; only changed records are held.
 */
public final class SalesforceSimulator implements AutoCloseable {

    public static final String SERVICE_CLIENT_ID = "sandbox-client";
    public static final String SERVICE_CLIENT_SECRET = "sandbox-secret";
    public static final String OTHER_CLIENT_ID = "other-client";
    public static final String OTHER_CLIENT_SECRET = "other-secret";
    public static final String USERNAME = "admin@sandbox.example";
    public static final String PASSWORD = "sandbox";
    /** The user's security token; the password grant accepts the password with or without it appended. */
    public static final String SECURITY_TOKEN = "SANDBOXTOKEN";
    /** A refresh token per known client, as an org would have issued it to a web-server-flow login earlier. */
    public static final String SERVICE_REFRESH_TOKEN = "5Aep861sandboxServiceRefreshToken";
    public static final String OTHER_REFRESH_TOKEN = "5Aep861sandboxOtherRefreshToken";

    private static final Pattern DATA_PATH = Pattern.compile("^/services/data/v(\\d+)\\.(\\d)(/.*)?$");
    private static final String ORG_ID = SalesforceIds.id(SalesforceIds.ORG_PREFIX, 1);
    /** The service's integration user: what its logins act as, and the commitUser of its writes' change events. */
    public static final String USER_ID = SalesforceIds.id(SalesforceIds.USER_PREFIX, 1);
    /** Another user of the org: other connected apps' logins, and edits made in the org itself. */
    public static final String OTHER_USER_ID = SalesforceIds.id(SalesforceIds.USER_PREFIX, 2);
    /**
     * The default event delivery allocation of Performance and Unlimited Editions: change events delivered
     * to Pub/Sub API (and CometD) subscribers in the last 24 hours, each subscriber's deliveries counted.
     */
    public static final long DEFAULT_EVENT_DELIVERY_ALLOCATION = 50_000;

    private final SalesforceSimulatorSettings settings;
    private final SalesforceRecords records;
    private final QueryEngine engine;
    private final ApiUsage usage = new ApiUsage(System::currentTimeMillis);
    private final ApiUsage deliveredEvents = new ApiUsage(System::currentTimeMillis);
    private final Object deliveryLock = new Object();
    private volatile long eventDeliveryAllocation = DEFAULT_EVENT_DELIVERY_ALLOCATION;
    private final OAuthServer oauth;
    private final QueryResource queries;
    private final SObjectResource sobjects;
    private HttpServer server;
    private ExecutorService pool;
    private ExecutorService bulkWorker;
    private BulkJobs bulk;
    private volatile java.util.function.Consumer<String> queryListener = soql -> { };
    private final ChangeEventBus changeEvents = new ChangeEventBus(System::currentTimeMillis);
    private PubSubServer pubSub;
    /** Counted requests per method and path (ids as {id}), for benchmarks that ask where the calls go. */
    private final Map<String, Long> requestsByPath = new java.util.concurrent.ConcurrentSkipListMap<>();

    public SalesforceSimulator(SalesforceSimulatorSettings settings, SeedData seed) {
        this.settings = settings;
        this.records = new SalesforceRecords(seed);
        this.engine = new QueryEngine(records);
        this.oauth = new OAuthServer(settings.tokenLifetime(), this::baseUrl, ORG_ID, SalesforceSimulator::userOfClient);
        records.onChange((schema, id, before, after, at, commit, sequence) -> changeEvents.publish(schema, id, before,
                after, at, commit.user(), commit.origin(), commit.transactionKey(), sequence), OTHER_USER_ID);
        this.queries = new QueryResource(records, engine);
        this.sobjects = new SObjectResource(records, queries);
    }

    public void start() throws IOException {
        server = SimulatorServers.create(settings.host(), settings.port(), 64);
        pool = new ThreadPoolExecutor(4, 16, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(512), r -> {
            Thread t = new Thread(r, "salesforce-simulator");
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.CallerRunsPolicy());
        bulkWorker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "salesforce-simulator-bulk");
            t.setDaemon(true);
            return t;
        });
        bulk = new BulkJobs(records, engine, bulkWorker, USER_ID);
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
        // the Pub/Sub API on a port of its own (bound here and kept), as Salesforce serves it apart from the REST API
        pubSub = new PubSubServer(changeEvents, this::takeEventDeliveries, () -> new PubSubServer.Session(t -> oauth.clientOfToken(t) != null,
                baseUrl(), ORG_ID), settings.host(), 0, Duration.ofSeconds(270));
        pubSub.start();
    }

    private static String userOfClient(String clientId) {
        return SERVICE_CLIENT_ID.equals(clientId) ? USER_ID : OTHER_USER_ID;
    }

    /** The Pub/Sub API's port (TLS with the sandbox's certificate: {@link SandboxTls}). */
    public int pubSubPort() {
        return pubSub.port();
    }

    public String pubSubHost() {
        return settings.host();
    }

    /** How long change events stay on the bus (72 hours unless changed); shortening it drops older events now. */
    public void setChangeEventRetention(Duration retention) {
        changeEvents.retention(retention);
    }

    /** As an admin selecting an object for change notifications, or removing it (Setup → Change Data Capture). */
    public void setChangeEventsSelected(String sObject, boolean selected) {
        changeEvents.select(sObject, selected);
    }

    /** How long a Subscribe stream stays silent before an empty keep-alive response (270 seconds unless changed). */
    public void setPubSubKeepAlive(Duration interval) {
        pubSub.keepAlive(interval);
    }

    /** As Salesforce granting an org another event delivery allocation (an add-on, or another edition). */
    public void setEventDeliveryAllocation(long max) {
        eventDeliveryAllocation = max;
    }

    /** Change events delivered to subscribers in the last 24 hours (what {@code DailyDeliveredPlatformEvents} counts). */
    public long eventsDelivered() {
        return deliveredEvents.total();
    }

    private int takeEventDeliveries(int wanted) {
        synchronized (deliveryLock) {
            int granted = (int) Math.max(0, Math.min(wanted, eventDeliveryAllocation - deliveredEvents.total()));
            if (granted > 0) {
                deliveredEvents.add("Pub/Sub API", granted);
            }
            return granted;
        }
    }

    /** Subscribe streams open now. */
    public int pubSubSubscriptions() {
        return pubSub.subscriptions();
    }

    /** Change events held on the bus per channel. */
    public Map<String, Integer> changeEventCounts() {
        return changeEvents.counts();
    }

    @Override
    public void close() {
        if (server != null) {
            pubSub.close();
            server.stop(0);
            pool.shutdownNow();
            bulkWorker.shutdownNow();
            server = null;
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String baseUrl() {
        return "http://" + settings.host() + ":" + port();
    }

    public SimulatorFaults faults() {
        return settings.faults();
    }

    public void expireAllTokens() {
        oauth.expireAll();
    }

    public long apiRequestsUsed() {
        return usage.total();
    }

    public Map<String, Long> apiRequestsUsedByClient() {
        return usage.byClient();
    }

    public void addApiRequests(String clientId, long count) {
        usage.add(clientId, count);
    }

    /**
     * As an admin deactivating (or reactivating) a restricted picklist's value: describe shows it
     * inactive and writes of it fail with {@code INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST}.
     */
    public void setPicklistValueActive(String sObject, String field, String value, boolean active) {
        SObjectSchema schema = SObjectSchema.forName(sObject);
        if (schema == null || schema.field(field) == null) {
            throw new IllegalArgumentException("No field " + sObject + "." + field);
        }
        records.setPicklistValueActive(schema, schema.field(field).name(), value, active);
    }

    public void resetApiRequests() {
        usage.reset();
        requestsByPath.clear();
    }

    /**
     * The counted API requests so far per method and path, each segment that holds a digit (a record
     * id, job id, query locator, the version) written {id}: e.g. {@code GET /services/data/{id}/jobs/query/{id}}.
     */
    public Map<String, Long> apiRequestsByPath() {
        return new java.util.TreeMap<>(requestsByPath);
    }

    static String pathShape(String method, String path) {
        StringBuilder shape = new StringBuilder(method);
        for (String segment : path.split("/")) {
            if (!segment.isEmpty()) {
                shape.append('/').append(segment.chars().anyMatch(Character::isDigit) ? "{id}" : segment);
            }
        }
        return shape.toString();
    }

    public Optional<Map<String, Object>> record(String type, String id) {
        SObjectSchema schema = SObjectSchema.forName(type);
        if (schema == null) {
            return Optional.empty();
        }
        int index = records.resolve(schema, id);
        return index < 0 ? Optional.empty() : Optional.of(records.snapshot(schema, index));
    }

    /** Told the SOQL text of every query request (not queryMore pages) as it arrives: who asks what, how often. */
    public void onQuery(java.util.function.Consumer<String> listener) {
        this.queryListener = listener == null ? soql -> { } : listener;
    }

    public long writeCount() {
        return records.writeCount();
    }

    /** How many times one record was written (each PATCH or collection entry applied to it). */
    public long writeCount(String type, String id) {
        SObjectSchema schema = SObjectSchema.forName(type);
        int index = schema == null ? -1 : records.resolve(schema, id);
        return index < 0 ? 0 : records.writeCount(index);
    }

    // ---------------------------------------------------------------- dispatch

    private void handle(HttpExchange ex) throws IOException {
        try {
            String path = ex.getRequestURI().getPath();
            if (path.equals("/services/oauth2/token")) {
                oauth.token(ex);
            } else if (path.equals("/services/oauth2/revoke")) {
                Http.body(ex);
                Http.sendEmpty(ex, 200);
            } else if (path.startsWith("/sandbox/")) {
                SandboxControl.handle(this, ex, path.substring("/sandbox/".length()));
            } else if (path.equals("/services/data") || path.equals("/services/data/")) {
                versions(ex);
            } else if (path.startsWith("/services/data/")) {
                api(ex, path);
            } else {
                Http.sendError(ex, 404, "NOT_FOUND", "The requested resource does not exist", null);
            }
        } catch (RuntimeException e) {
            Http.sendError(ex, 500, "UNKNOWN_EXCEPTION", "An unexpected error occurred. Please include this ErrorId if "
                    + "you contact support: " + Integer.toHexString(e.hashCode()) + " (" + e + ")", null);
        } finally {
            ex.close();
        }
    }

    SalesforceRecords records() {
        return records;
    }

    long tokensIssued() {
        return oauth.issuedCount();
    }

    QueryResource queries() {
        return queries;
    }

    int recordCount(String type) {
        return (int) records.count(SObjectSchema.forName(type));
    }

    Map<String, Object> state() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("baseUrl", baseUrl());
        m.put("apiRequestsUsed", apiRequestsUsed());
        m.put("apiRequestsUsedByClient", apiRequestsUsedByClient());
        m.put("dailyApiLimit", settings.dailyApiLimit());
        m.put("records", Map.of("Contact", recordCount("Contact"), "Lead", recordCount("Lead")));
        m.put("writeCount", writeCount());
        m.put("bulkJobs", bulk.size());
        m.put("openQueryCursors", queries.openCursors());
        m.put("faults", faults().asMap());
        m.put("changeEvents", changeEventCounts());
        m.put("pubSub", pubSub.host() + ":" + pubSub.port());
        m.put("eventsDelivered", eventsDelivered());
        m.put("eventDeliveryAllocation", eventDeliveryAllocation);
        return m;
    }

    // ---------------------------------------------------------------- REST API

    private void versions(HttpExchange ex) throws IOException {
        List<Map<String, Object>> list = new ArrayList<>();
        for (int v = 20; v <= 62; v++) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("label", "Sandbox API " + v);
            m.put("url", "/services/data/v" + v + ".0");
            m.put("version", v + ".0");
            list.add(m);
        }
        Http.sendJson(ex, 200, list);
    }

    private void api(HttpExchange ex, String path) throws IOException {
        // Every response under /services/data/vXX.X carries the org's usage, errors included.
        String clientId = oauth.authenticate(ex);
        if (clientId == null) {
            limitHeader(ex);
            Http.sendError(ex, 401, "INVALID_SESSION_ID", "Session expired or invalid", null);
            return;
        }
        SimulatorFaults.Fault fault;
        try {
            fault = faults().next();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (fault == SimulatorFaults.Fault.DROP_CONNECTION) {
            return; // closing the exchange before any header closes the connection
        }
        if (usage.total() >= settings.dailyApiLimit()) {
            limitHeader(ex);
            Http.sendError(ex, 403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.", null);
            return;
        }
        usage.add(clientId, 1);
        requestsByPath.merge(pathShape(effectiveMethod(ex), path), 1L, Long::sum);
        limitHeader(ex);
        if (fault == SimulatorFaults.Fault.SERVER_ERROR) {
            Http.sendError(ex, 503, "SERVER_UNAVAILABLE", "Server too busy", null);
            return;
        }
        if (fault == SimulatorFaults.Fault.TOO_MANY_REQUESTS) {
            Http.sendError(ex, 403, "REQUEST_LIMIT_EXCEEDED",
                    "ConcurrentRequests (Concurrent API Requests) Limit exceeded.", null);
            return;
        }
        // the request's writes are one transaction, committed as the user the client's login acts as
        Matcher version = DATA_PATH.matcher(path);
        SalesforceRecords.Commit before = records.enter(SalesforceRecords.Commit.of(userOfClient(clientId),
                "com/salesforce/api/rest/" + (version.matches() ? version.group(1) + "." + version.group(2) : "")));
        try {
            dispatch(ex, path);
        } finally {
            records.leave(before);
        }
    }

    /** Answers one REST request (or a Composite subrequest), its errors as Salesforce's error array. */
    void dispatch(HttpExchange ex, String path) throws IOException {
        try {
            route(ex, path);
        } catch (SalesforceApiException e) {
            Http.sendError(ex, e.status, e.errorCode, e.getMessage(), e.fields);
        } catch (SalesforceRecords.RecordException e) {
            Http.sendError(ex, 400, e.error.statusCode(), e.error.message(), e.error.fields());
        } catch (Soql.SoqlException e) {
            Http.sendError(ex, 400, e.errorCode, e.getMessage(), null);
        }
    }

    private void limitHeader(HttpExchange ex) {
        ex.getResponseHeaders().set("Sforce-Limit-Info", "api-usage=" + usage.total() + "/" + settings.dailyApiLimit());
    }

    private void route(HttpExchange ex, String path) throws IOException {
        Matcher m = DATA_PATH.matcher(path);
        if (!m.matches()) {
            throw SalesforceApiException.notFound();
        }
        int major = Integer.parseInt(m.group(1));
        if (major < 20 || major > 62 || !m.group(2).equals("0")) {
            throw SalesforceApiException.notFound();
        }
        String version = major + ".0";
        String rest = m.group(3) == null ? "" : m.group(3);
        List<String> seg = new ArrayList<>(Arrays.asList(rest.split("/")));
        seg.removeIf(String::isEmpty);
        String method = effectiveMethod(ex);
        if (seg.isEmpty()) {
            requireMethod(method, "GET");
            resources(ex, version);
            return;
        }
        switch (seg.get(0)) {
            case "query", "queryAll" -> {
                requireMethod(method, "GET");
                if (seg.size() == 1) {
                    queryListener.accept(Http.query(ex).get("q"));
                    queries.query(ex, version);
                } else if (seg.size() == 2 && seg.get(0).equals("query")) {
                    queries.queryMore(ex, version, seg.get(1));
                } else {
                    throw SalesforceApiException.notFound();
                }
            }
            case "sobjects" -> sobjects.sobjects(ex, version, seg, method);
            case "composite" -> {
                if (seg.size() >= 2 && seg.get(1).equals("sobjects")) {
                    CompositeCollections.handle(this, ex, version, seg, method);
                } else if (seg.size() == 1) {
                    requireMethod(method, "POST");
                    Composite.handle(this, ex, version);
                } else {
                    throw SalesforceApiException.notFound();
                }
            }
            case "limits" -> {
                requireMethod(method, "GET");
                Http.sendJson(ex, 200, limits());
            }
            case "jobs" -> {
                if (seg.size() < 2) {
                    throw SalesforceApiException.notFound();
                }
                bulk.handle(ex, version, seg);
            }
            default -> throw SalesforceApiException.notFound();
        }
    }

    private static String effectiveMethod(HttpExchange ex) {
        String override = Http.query(ex).get("_HttpMethod");
        if (ex.getRequestMethod().equals("POST") && override != null) {
            return override.toUpperCase(Locale.ROOT);
        }
        return ex.getRequestMethod();
    }

    static void requireMethod(String method, String... allowed) {
        for (String a : allowed) {
            if (a.equals(method)) {
                return;
            }
        }
        throw new SalesforceApiException(405, "METHOD_NOT_ALLOWED", "HTTP Method '" + method + "' not allowed. Allowed are "
                + String.join(",", allowed));
    }

    private void resources(HttpExchange ex, String version) throws IOException {
        String base = "/services/data/v" + version;
        Map<String, Object> m = new LinkedHashMap<>();
        for (String r : List.of("limits", "query", "queryAll", "sobjects", "composite", "jobs")) {
            m.put(r, base + "/" + r);
        }
        Http.sendJson(ex, 200, m);
    }

    private Map<String, Object> limits() {
        Map<String, Object> m = new LinkedHashMap<>();
        long used = usage.total();
        m.put("ConcurrentAsyncGetReportInstances", limit(200, 200));
        m.put("ConcurrentSyncReportRuns", limit(20, 20));
        m.put("DailyApiRequests", limit(settings.dailyApiLimit(), Math.max(0, settings.dailyApiLimit() - used)));
        m.put("DailyAsyncApexExecutions", limit(250_000, 250_000));
        m.put("DailyBulkApiBatches", limit(15_000, 15_000));
        m.put("DailyBulkApiRequests", limit(5_000, 5_000));
        m.put("DailyBulkV2QueryFileStorageMB", limit(976_562, 976_562));
        m.put("DailyBulkV2QueryJobs", limit(10_000, 10_000 - Math.min(10_000, bulk.size())));
        // change events and high-volume platform events delivered to API subscribers in the last 24 hours
        // (https://developer.salesforce.com/docs/platform/platform-events/guide/platform-events-limits-hourly.html)
        long allocation = eventDeliveryAllocation;
        m.put("DailyDeliveredPlatformEvents", limit(allocation, Math.max(0, allocation - deliveredEvents.total())));
        m.put("DailyDurableGenericStreamingApiEvents", limit(10_000, 10_000));
        m.put("DailyDurableStreamingApiEvents", limit(10_000, 10_000));
        m.put("DailyGenericStreamingApiEvents", limit(10_000, 10_000));
        m.put("DailyStreamingApiEvents", limit(10_000, 10_000));
        m.put("DailyWorkflowEmails", limit(1_000, 1_000));
        m.put("DataStorageMB", limit(5, 5));
        m.put("FileStorageMB", limit(20, 20));
        m.put("HourlyAsyncReportRuns", limit(1_200, 1_200));
        m.put("HourlyDashboardRefreshes", limit(200, 200));
        m.put("HourlyDashboardResults", limit(5_000, 5_000));
        m.put("HourlyDashboardStatuses", limit(999_999_999, 999_999_999));
        m.put("HourlySyncReportRuns", limit(500, 500));
        m.put("HourlyTimeBasedWorkflow", limit(50, 50));
        m.put("MassEmail", limit(10, 10));
        m.put("SingleEmail", limit(15, 15));
        m.put("StreamingApiConcurrentClients", limit(20, 20));
        return m;
    }

    private static Map<String, Object> limit(long max, long remaining) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Max", max);
        m.put("Remaining", remaining);
        return m;
    }

}


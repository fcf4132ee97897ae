package io.github.crmsync.sandbox.salesforce;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.crmsync.sandbox.SimulatorFaults;
import io.github.crmsync.sandbox.salesforce.SObjectSchema.Field;
import io.github.crmsync.sandbox.seed.SalesforceIds;
import io.github.crmsync.sandbox.seed.SeedData;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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

    private static final Map<String, String> CLIENTS = Map.of(SERVICE_CLIENT_ID, SERVICE_CLIENT_SECRET,
            OTHER_CLIENT_ID, OTHER_CLIENT_SECRET);
    private static final Map<String, String> REFRESH_TOKENS = Map.of(SERVICE_REFRESH_TOKEN, SERVICE_CLIENT_ID,
            OTHER_REFRESH_TOKEN, OTHER_CLIENT_ID);
    private static final Pattern DATA_PATH = Pattern.compile("^/services/data/v(\\d+)\\.(\\d)(/.*)?$");
    private static final long CURSOR_IDLE_MILLIS = 15 * 60_000L;
    private static final String ORG_ID = SalesforceIds.id(SalesforceIds.ORG_PREFIX, 1);
    private static final String USER_ID = SalesforceIds.id(SalesforceIds.USER_PREFIX, 1);

    private final SalesforceSimulatorSettings settings;
    private final SalesforceRecords records;
    private final QueryEngine engine;
    private final ApiUsage usage = new ApiUsage(System::currentTimeMillis);
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();
    private final Map<String, Cursor> cursors = new ConcurrentHashMap<>();
    private final AtomicLong cursorSequence = new AtomicLong(1);
    private final SecureRandom random = new SecureRandom();
    private final byte[] signingKey = new byte[32];
    private volatile long tokensValidFrom;
    private HttpServer server;
    private ExecutorService pool;
    private ExecutorService bulkWorker;
    private BulkJobs bulk;

    private record Token(String clientId, long issuedAt, long expiresAt) {
    }

    private static final class Cursor {
        final SObjectSchema schema;
        final List<Field> fields;
        final int[] rows;
        final int batchSize;
        volatile long lastAccess = System.currentTimeMillis();

        Cursor(SObjectSchema schema, List<Field> fields, int[] rows, int batchSize) {
            this.schema = schema;
            this.fields = fields;
            this.rows = rows;
            this.batchSize = batchSize;
        }
    }

    public SalesforceSimulator(SalesforceSimulatorSettings settings, SeedData seed) {
        this.settings = settings;
        this.records = new SalesforceRecords(seed);
        this.engine = new QueryEngine(records);
        random.nextBytes(signingKey);
    }

    public void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), 64);
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
    }

    @Override
    public void close() {
        if (server != null) {
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
        tokensValidFrom = System.currentTimeMillis() + 1;
        tokens.clear();
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

    public void resetApiRequests() {
        usage.reset();
    }

    public Optional<Map<String, Object>> record(String type, String id) {
        SObjectSchema schema = SObjectSchema.forName(type);
        if (schema == null) {
            return Optional.empty();
        }
        int index = records.resolve(schema, id);
        return index < 0 ? Optional.empty() : Optional.of(records.snapshot(schema, index));
    }

    public long writeCount() {
        return records.writeCount();
    }

    // ---------------------------------------------------------------- dispatch

    private void handle(HttpExchange ex) throws IOException {
        try {
            String path = ex.getRequestURI().getPath();
            if (path.equals("/services/oauth2/token")) {
                token(ex);
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
        m.put("openQueryCursors", cursors.size());
        m.put("faults", faults().asMap());
        return m;
    }

    // ---------------------------------------------------------------- OAuth

    private void token(HttpExchange ex) throws IOException {
        if (!ex.getRequestMethod().equals("POST")) {
            Http.sendJson(ex, 400, Map.of("error", "invalid_request", "error_description", "must use HTTP POST"));
            return;
        }
        Map<String, String> form = Http.form(new String(Http.body(ex), StandardCharsets.UTF_8));
        String grant = form.getOrDefault("grant_type", "");
        String clientId = form.get("client_id");
        String clientSecret = form.get("client_secret");
        String basic = ex.getRequestHeaders().getFirst("Authorization");
        if (basic != null && basic.regionMatches(true, 0, "Basic ", 0, 6)) {
            String decoded = new String(Base64.getDecoder().decode(basic.substring(6).trim()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            if (colon > 0) {
                clientId = java.net.URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8);
                clientSecret = java.net.URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8);
            }
        }
        switch (grant) {
            case "password" -> {
                if (!knownClient(ex, clientId) || !secretMatches(ex, clientId, clientSecret)) {
                    return;
                }
                String password = form.getOrDefault("password", "");
                if (!USERNAME.equalsIgnoreCase(form.getOrDefault("username", ""))
                        || !(password.equals(PASSWORD) || password.equals(PASSWORD + SECURITY_TOKEN))) {
                    oauthError(ex, "invalid_grant", "authentication failure");
                    return;
                }
                issue(ex, clientId, false);
            }
            case "client_credentials" -> {
                if (!knownClient(ex, clientId)) {
                    return;
                }
                if (!CLIENTS.get(clientId).equals(clientSecret)) {
                    oauthError(ex, "invalid_client", "invalid client credentials");
                    return;
                }
                issue(ex, clientId, true);
            }
            case "refresh_token" -> {
                if (!knownClient(ex, clientId)) {
                    return;
                }
                if (clientSecret != null && !CLIENTS.get(clientId).equals(clientSecret)) {
                    oauthError(ex, "invalid_client", "invalid client credentials");
                    return;
                }
                String owner = REFRESH_TOKENS.get(form.getOrDefault("refresh_token", ""));
                if (owner == null || !owner.equals(clientId)) {
                    oauthError(ex, "invalid_grant", "expired access/refresh token");
                    return;
                }
                issue(ex, clientId, true);
            }
            case "" -> oauthError(ex, "invalid_request", "grant type not specified");
            default -> oauthError(ex, "unsupported_grant_type", "grant type not supported");
        }
    }

    private boolean knownClient(HttpExchange ex, String clientId) throws IOException {
        if (clientId == null || !CLIENTS.containsKey(clientId)) {
            oauthError(ex, "invalid_client_id", "client identifier invalid");
            return false;
        }
        return true;
    }

    private boolean secretMatches(HttpExchange ex, String clientId, String secret) throws IOException {
        if (!CLIENTS.get(clientId).equals(secret)) {
            oauthError(ex, "invalid_client", "invalid client credentials");
            return false;
        }
        return true;
    }

    private static void oauthError(HttpExchange ex, String error, String description) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("error_description", description);
        Http.sendJson(ex, 400, body);
    }

    private void issue(HttpExchange ex, String clientId, boolean withScope) throws IOException {
        byte[] secret = new byte[24];
        random.nextBytes(secret);
        String accessToken = ORG_ID.substring(0, 15) + "!" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        long now = System.currentTimeMillis();
        tokens.put(accessToken, new Token(clientId, now, now + settings.tokenLifetime().toMillis()));
        String id = baseUrl() + "/id/" + ORG_ID + "/" + USER_ID;
        String issuedAt = Long.toString(now);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", accessToken);
        body.put("signature", sign(id + issuedAt));
        if (withScope) {
            body.put("scope", "api");
        }
        body.put("instance_url", baseUrl());
        body.put("id", id);
        body.put("token_type", "Bearer");
        body.put("issued_at", issuedAt);
        Http.sendJson(ex, 200, body);
    }

    /** Base64 HMAC-SHA256 of the identity URL and issue time, keyed by the org's secret. */
    private String sign(String value) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(signingKey, "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
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
        String clientId = authenticate(ex);
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

    private String authenticate(HttpExchange ex) {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth == null) {
            return null;
        }
        String value = auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).trim()
                : auth.regionMatches(true, 0, "OAuth ", 0, 6) ? auth.substring(6).trim() : null;
        Token t = value == null ? null : tokens.get(value);
        long now = System.currentTimeMillis();
        if (t == null || now >= t.expiresAt() || t.issuedAt() < tokensValidFrom) {
            return null;
        }
        return t.clientId();
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
                    query(ex, version);
                } else if (seg.size() == 2 && seg.get(0).equals("query")) {
                    queryMore(ex, version, seg.get(1));
                } else {
                    throw SalesforceApiException.notFound();
                }
            }
            case "sobjects" -> sobjects(ex, version, seg, method);
            case "composite" -> {
                if (seg.size() >= 2 && seg.get(1).equals("sobjects")) {
                    CompositeCollections.handle(this, ex, version, seg, method);
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
                bulk.handle(ex, version, seg, () -> { });
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

    private static void requireMethod(String method, String... allowed) {
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

    // ---------------------------------------------------------------- query

    private void query(HttpExchange ex, String version) throws IOException {
        String q = Http.query(ex).get("q");
        if (q == null) {
            throw new SalesforceApiException(400, "MALFORMED_QUERY", "A query string has to be specified");
        }
        Soql.Query parsed = Soql.parse(q);
        int[] rows = engine.execute(parsed);
        int batch = batchSize(ex);
        if (parsed.count()) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("totalSize", rows.length);
            body.put("done", true);
            body.put("records", List.of());
            Http.sendJson(ex, 200, body);
            return;
        }
        Cursor cursor = new Cursor(parsed.schema(), parsed.fields(), rows, batch);
        page(ex, version, cursor, null, 0);
    }

    private static int batchSize(HttpExchange ex) {
        String options = ex.getRequestHeaders().getFirst("Sforce-Query-Options");
        int batch = 2000;
        if (options != null) {
            Matcher m = Pattern.compile("batchSize\\s*=\\s*(\\d+)").matcher(options);
            if (m.find()) {
                batch = Math.max(200, Math.min(2000, Integer.parseInt(m.group(1))));
            }
        }
        return batch;
    }

    private void queryMore(HttpExchange ex, String version, String locator) throws IOException {
        expireCursors();
        int dash = locator.lastIndexOf('-');
        Cursor cursor = dash < 0 ? null : cursors.get(locator.substring(0, dash));
        int offset = -1;
        if (cursor != null) {
            try {
                offset = Integer.parseInt(locator.substring(dash + 1));
            } catch (NumberFormatException e) {
                offset = -1;
            }
        }
        if (cursor == null || offset < 0 || offset > cursor.rows.length) {
            throw new SalesforceApiException(400, "INVALID_QUERY_LOCATOR", "invalid query locator");
        }
        cursor.lastAccess = System.currentTimeMillis();
        page(ex, version, cursor, locator.substring(0, dash), offset);
    }

    private void expireCursors() {
        long cutoff = System.currentTimeMillis() - CURSOR_IDLE_MILLIS;
        cursors.values().removeIf(c -> c.lastAccess < cutoff);
    }

    private void page(HttpExchange ex, String version, Cursor cursor, String cursorId, int offset) throws IOException {
        int end = Math.min(cursor.rows.length, offset + cursor.batchSize);
        boolean done = end >= cursor.rows.length;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("totalSize", cursor.rows.length);
        body.put("done", done);
        if (!done) {
            String id = cursorId;
            if (id == null) {
                expireCursors();
                id = SalesforceIds.id("01g", cursorSequence.getAndIncrement());
                cursors.put(id, cursor);
            }
            body.put("nextRecordsUrl", "/services/data/v" + version + "/query/" + id + "-" + end);
        } else if (cursorId != null) {
            cursors.remove(cursorId);
        }
        List<Map<String, Object>> out = new ArrayList<>(end - offset);
        for (int r = offset; r < end; r++) {
            out.add(recordJson(cursor.schema, cursor.rows[r], cursor.fields, version));
        }
        body.put("records", out);
        Http.sendJson(ex, 200, body);
    }

    Map<String, Object> recordJson(SObjectSchema schema, int index, List<Field> fields, String version) {
        Map<String, Object> m = new LinkedHashMap<>();
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("type", schema.name);
        attributes.put("url", "/services/data/v" + version + "/sobjects/" + schema.name + "/"
                + SalesforceRecords.id(schema, index));
        m.put("attributes", attributes);
        Map<String, Object> stored = records.fields(index);
        for (Field f : fields) {
            m.put(f.name(), jsonValue(f, records.value(schema, index, stored, f)));
        }
        return m;
    }

    static Object jsonValue(Field f, Object v) {
        if (v instanceof Instant i) {
            return Soql.formatDateTime(i);
        }
        if (v instanceof LocalDate d) {
            return d.toString();
        }
        if (v instanceof BigDecimal b) {
            return b.doubleValue();
        }
        return v;
    }

    // ---------------------------------------------------------------- sObject rows

    SalesforceRecords records() {
        return records;
    }

    private void sobjects(HttpExchange ex, String version, List<String> seg, String method) throws IOException {
        if (seg.size() == 1) {
            requireMethod(method, "GET");
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("encoding", "UTF-8");
            m.put("maxBatchSize", 200);
            List<Map<String, Object>> list = new ArrayList<>();
            for (SObjectSchema s : List.of(SObjectSchema.CONTACT, SObjectSchema.LEAD)) {
                Map<String, Object> d = new LinkedHashMap<>(s.describe("/services/data/v" + version));
                d.remove("fields");
                list.add(d);
            }
            m.put("sobjects", list);
            Http.sendJson(ex, 200, m);
            return;
        }
        SObjectSchema schema = SObjectSchema.forName(seg.get(1));
        if (schema == null) {
            throw SalesforceApiException.notFound();
        }
        if (seg.size() == 2) {
            requireMethod(method, "GET");
            Map<String, Object> m = new LinkedHashMap<>();
            Map<String, Object> d = new LinkedHashMap<>(schema.describe("/services/data/v" + version));
            d.remove("fields");
            m.put("objectDescribe", d);
            m.put("recentItems", List.of());
            Http.sendJson(ex, 200, m);
            return;
        }
        if (seg.size() != 3) {
            throw SalesforceApiException.notFound();
        }
        if (seg.get(2).equals("describe")) {
            requireMethod(method, "GET");
            Http.sendJson(ex, 200, schema.describe("/services/data/v" + version));
            return;
        }
        String id = seg.get(2);
        int index = records.resolve(schema, id);
        if (index < 0) {
            if (id.length() != 15 && id.length() != 18) {
                throw new SalesforceApiException(404, "NOT_FOUND",
                        "Provided external ID field does not exist or is not accessible: " + id);
            }
            throw SalesforceApiException.notFound();
        }
        switch (method) {
            case "GET" -> {
                List<Field> fields = new ArrayList<>();
                String param = Http.query(ex).get("fields");
                if (param == null || param.isBlank()) {
                    fields.addAll(schema.fields());
                } else {
                    for (String name : param.split(",")) {
                        Field f = schema.field(name.trim());
                        if (f == null) {
                            throw new SalesforceApiException(400, "INVALID_FIELD", "No such column '" + name.trim()
                                    + "' on sobject of type " + schema.name);
                        }
                        if (!fields.contains(f)) {
                            fields.add(f);
                        }
                    }
                    if (!fields.contains(schema.field("Id"))) {
                        fields.add(schema.field("Id"));
                    }
                }
                Http.sendJson(ex, 200, recordJson(schema, index, fields, version));
            }
            case "PATCH" -> {
                Map<String, Object> body = Http.jsonObject(ex);
                Map<String, Object> values = records.convert(schema, body, false);
                records.apply(index, values);
                Http.sendEmpty(ex, 204);
            }
            default -> requireMethod(method, "GET", "PATCH");
        }
    }
}

package io.github.crmsync.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * A small JSON-over-HTTP client for tests, as an operator's curl or another integration would call.
 * Calls to the service's admin paths ({@code /api/…}, {@code /sandbox/…}) carry the test services'
 * admin login as HTTP Basic, calls to Jolokia ({@code /observe/jolokia…}) the operator login, unless
 * the call gives its own {@code Authorization} header or is made {@link #withoutLogin()}. Every
 * answer from a service's admin API is checked against the API's OpenAPI description
 * ({@link AdminApiContract}): one that does not match fails the call.
 */
public final class Http {

    public record Answer(int status, String body, HttpResponse<String> response) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The admin API's description by its address ({@link #contractOf}). */
    private static final Map<URI, String> DESCRIPTIONS = new ConcurrentHashMap<>();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String BASIC_LOGIN = "Basic " + Base64.getEncoder().encodeToString(
            (RunningService.ADMIN_USER + ":" + RunningService.ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8));
    private static final String OPERATOR_LOGIN = "Basic " + Base64.getEncoder().encodeToString(
            (RunningService.OPERATOR_USER + ":" + RunningService.OPERATOR_PASSWORD).getBytes(StandardCharsets.UTF_8));

    private Http() {
    }

    /** Calls as someone who has not logged in: no {@code Authorization} header is added. */
    public static Anonymous withoutLogin() {
        return new Anonymous();
    }

    /** The same calls, without the default admin login. */
    public static final class Anonymous {
        private Anonymous() {
        }

        public Answer get(String url, String... headers) {
            return send(builder(url, false, headers).GET());
        }

        public Answer post(String url, String body, String... headers) {
            return send(builder(url, false, headers).POST(HttpRequest.BodyPublishers.ofString(body == null ? "" : body)));
        }

        public Answer postBytes(String url, byte[] body, String... headers) {
            return send(builder(url, false, headers).POST(HttpRequest.BodyPublishers.ofByteArray(body)));
        }

        public Answer put(String url, String body, String... headers) {
            return send(builder(url, false, headers).PUT(HttpRequest.BodyPublishers.ofString(body)));
        }

        public Answer delete(String url, String... headers) {
            return send(builder(url, false, headers).DELETE());
        }
    }

    public static Answer get(String url, String... headers) {
        return send(builder(url, headers).GET());
    }

    public static Answer post(String url, String body, String... headers) {
        return send(builder(url, headers).POST(HttpRequest.BodyPublishers.ofString(body == null ? "" : body)));
    }

    public static Answer postBytes(String url, byte[] body, String... headers) {
        return send(builder(url, headers).POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    public static Answer put(String url, String body, String... headers) {
        return send(builder(url, headers).PUT(HttpRequest.BodyPublishers.ofString(body)));
    }

    public static Answer patch(String url, String body, String... headers) {
        return send(builder(url, headers).method("PATCH", HttpRequest.BodyPublishers.ofString(body)));
    }

    public static Answer delete(String url, String... headers) {
        return send(builder(url, headers).DELETE());
    }

    public static String form(Map<String, String> fields) {
        return fields.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
    }

    public static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /**
     * The admin API's contract as the service at this address describes it (read once, without a
     * login); empty while that service does not serve it (e.g. still starting).
     */
    private static Optional<AdminApiContract> contractOf(URI uri) throws IOException, InterruptedException {
        URI description = uri.resolve(AdminApiContract.DESCRIPTION_PATH);
        String known = DESCRIPTIONS.get(description);
        if (known == null) {
            HttpResponse<String> answer = CLIENT.send(HttpRequest.newBuilder(description).timeout(Duration.ofMinutes(1)).GET()
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 200) {
                return Optional.empty();
            }
            known = answer.body();
            DESCRIPTIONS.put(description, known);
        }
        return Optional.of(AdminApiContract.of(known));
    }

    private static HttpRequest.Builder builder(String url, String... headers) {
        return builder(url, true, headers);
    }

    private static HttpRequest.Builder builder(String url, boolean login, String... headers) {
        URI uri = URI.create(url);
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(10));
        boolean contentType = false;
        boolean authorization = false;
        for (int i = 0; i + 1 < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
            contentType |= headers[i].equalsIgnoreCase("Content-Type");
            authorization |= headers[i].equalsIgnoreCase("Authorization");
        }
        if (!contentType) {
            builder.header("Content-Type", "application/json");
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        if (login && !authorization && (path.startsWith("/api/") || path.startsWith("/sandbox/mail"))) {
            builder.header("Authorization", BASIC_LOGIN);
        } else if (login && !authorization && path.startsWith("/observe/jolokia")) {
            builder.header("Authorization", OPERATOR_LOGIN);
        }
        return builder;
    }

    private static Answer send(HttpRequest.Builder builder) {
        try {
            HttpRequest request = builder.build();
            HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
            if (AdminApiContract.covers(request.uri().getPath())) {
                contractOf(request.uri()).ifPresent(contract -> contract.check(request.method(), request.uri().getPath(),
                        response.statusCode(), response.headers().firstValue("Content-Type").orElse(null), response.body()));
            }
            return new Answer(response.statusCode(), response.body(), response);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

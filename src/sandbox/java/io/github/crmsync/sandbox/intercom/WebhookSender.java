package io.github.crmsync.sandbox.intercom;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends Intercom's contact notifications ({@code contact.user.updated} / {@code contact.lead.updated})
 * the way Intercom does: a {@code notification_event} POSTed as JSON, signed with
 * {@code X-Hub-Signature: sha1=<hex HMAC-SHA1 of the body bytes>}; a 2xx answer within 5 seconds is a
 * delivery, 410 drops it, anything else is retried once after a delay (a minute at Intercom).
 */
final class WebhookSender implements AutoCloseable {

    static final String USER_AGENT = "intercom-parrot-service-client/1.0";
    static final Duration TIMEOUT = Duration.ofSeconds(5);
    /** Deliveries in flight at once; the rest wait their turn, as a delivery service's workers would. */
    static final int MAX_IN_FLIGHT = 32;

    private final ObjectMapper mapper;
    private final String secret;
    private final HttpClient client;
    private final ScheduledExecutorService executor;
    private volatile Duration retryDelay = Duration.ofMinutes(1);
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final java.util.Queue<Runnable> waiting = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();

    WebhookSender(ObjectMapper mapper, String secret) {
        this.mapper = mapper;
        this.secret = secret;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "intercom-sim-webhooks");
            t.setDaemon(true);
            return t;
        });
        // HTTP/1.1 as webhook senders post; Java's default would upgrade every notification to h2c
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT)
                .executor(executor).build();
    }

    void setRetryDelay(Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("retry delay must not be negative: " + delay);
        }
        this.retryDelay = delay;
    }

    Duration retryDelay() {
        return retryDelay;
    }

    long delivered() {
        return delivered.get();
    }

    long failed() {
        return failed.get();
    }

    /** Queues the notification of a changed contact for {@code url}. */
    void contactUpdated(String url, ObjectNode contact, long nowEpochSecond) {
        String topic = "lead".equals(contact.path("role").asText()) ? "contact.lead.updated" : "contact.user.updated";
        ObjectNode event = mapper.createObjectNode();
        event.put("type", "notification_event");
        event.put("app_id", ContactRenderer.WORKSPACE_ID);
        ObjectNode data = event.putObject("data");
        data.put("type", "notification_event_data");
        data.set("item", contact);
        event.put("id", "notif_" + UUID.randomUUID());
        event.put("topic", topic);
        event.put("delivery_attempts", 1);
        event.put("first_sent_at", nowEpochSecond);
        event.put("created_at", nowEpochSecond);
        waiting.add(() -> attempt(url, event, 1));
        pump();
    }

    /** Starts waiting deliveries while fewer than {@link #MAX_IN_FLIGHT} are under way. */
    private void pump() {
        while (true) {
            int current = inFlight.get();
            if (current >= MAX_IN_FLIGHT || waiting.isEmpty()) {
                return;
            }
            if (!inFlight.compareAndSet(current, current + 1)) {
                continue;
            }
            Runnable next = waiting.poll();
            if (next == null) {
                inFlight.decrementAndGet();
                return;
            }
            try {
                executor.execute(next);
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                inFlight.decrementAndGet();
                failed.incrementAndGet();
            }
        }
    }

    private void finished() {
        inFlight.decrementAndGet();
        pump();
    }

    private void attempt(String url, ObjectNode event, int attempt) {
        event.put("delivery_attempts", attempt);
        byte[] body;
        try {
            body = mapper.writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(url))
                    .timeout(TIMEOUT)
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json")
                    .header("User-Agent", USER_AGENT)
                    .header("X-Hub-Signature", signature(secret, body))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build();
        } catch (IllegalArgumentException e) {
            failed.incrementAndGet();
            finished();
            return;
        }
        client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
            int status = response == null ? -1 : response.statusCode();
            if (status >= 200 && status < 300) {
                delivered.incrementAndGet();
            } else if (status == 410 || attempt >= 2 || executor.isShutdown()) {
                failed.incrementAndGet();
            } else {
                try {
                    executor.schedule(() -> {
                        waiting.add(() -> attempt(url, event, attempt + 1));
                        pump();
                    }, retryDelay.toMillis(), TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.RejectedExecutionException closed) {
                    failed.incrementAndGet();
                }
            }
            finished();
        });
    }

    /** {@code sha1=} and the lowercase hex HMAC-SHA1 of the body keyed with the secret. */
    static String signature(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return "sha1=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}

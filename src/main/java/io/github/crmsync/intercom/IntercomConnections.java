package io.github.crmsync.intercom;

import org.apache.camel.component.http.HttpComponent;
import org.apache.hc.client5.http.HttpRequestRetryStrategy;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.IdleConnectionEvictor;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.util.TimeValue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.time.Duration;

/**
 * The connections to Intercom: one pool shared by every Intercom endpoint of Camel's {@code http}
 * component (which otherwise opens a pool per endpoint), kept healthy against servers and load
 * balancers that close idle keep-alive connections without a word — Intercom's own, and the
 * sandbox simulator, which closes them after 30 s idle or when it already holds 200 idle ones.
 * <ul>
 *   <li>connections idle longer than {@code idleTimeout} are closed by a background evictor;</li>
 *   <li>a pooled connection unused for {@code validateAfter} is checked before it is handed out;</li>
 *   <li>a request that fails on its connection before any response came back (the server had
 *       closed it) is sent again at once, once, on another connection. Every Intercom call the
 *       service makes may be repeated: reads, the search (a read sent as POST) and PUTs of values.</li>
 * </ul>
 */
public final class IntercomConnections implements AutoCloseable {

    private final PoolingHttpClientConnectionManager pool;
    private final IdleConnectionEvictor evictor;

    private IntercomConnections(PoolingHttpClientConnectionManager pool, IdleConnectionEvictor evictor) {
        this.pool = pool;
        this.evictor = evictor;
    }

    /** Gives the component the shared pool and the retry; close the result after the Camel context stopped. */
    public static IntercomConnections configure(HttpComponent http, int maxConnections, Duration idleTimeout,
                                                Duration validateAfter) {
        PoolingHttpClientConnectionManager pool = PoolingHttpClientConnectionManagerBuilder.create()
                .setMaxConnPerRoute(maxConnections)
                .setMaxConnTotal(maxConnections)
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setValidateAfterInactivity(TimeValue.ofMilliseconds(validateAfter.toMillis()))
                        .build())
                .build();
        // looks three times per timeout, so no connection stays open much past it
        IdleConnectionEvictor evictor = new IdleConnectionEvictor(pool,
                TimeValue.ofMilliseconds(Math.max(100, idleTimeout.toMillis() / 3)),
                TimeValue.ofMilliseconds(idleTimeout.toMillis()));
        evictor.start();
        http.setClientConnectionManager(pool);
        http.setHttpClientConfigurer(builder -> builder.setRetryStrategy(new RetryOnceOnClosedConnection()));
        return new IntercomConnections(pool, evictor);
    }

    /** Connections open now, leased and idle (for a soak check that the pool does not grow). */
    public int openConnections() {
        var stats = pool.getTotalStats();
        return stats.getLeased() + stats.getAvailable();
    }

    @Override
    public void close() {
        evictor.shutdown();
        pool.close();
    }

    /**
     * Retries once, without waiting, a request whose connection turned out to be closed by the
     * server before any answer: no response at all, a reset or a closed connection. A connection
     * that cannot be opened ({@link ConnectException}) and a timeout are not retried here: the sync
     * routes' redelivery, with its backoff and circuit breaker, handles a server that is down or slow.
     */
    static final class RetryOnceOnClosedConnection implements HttpRequestRetryStrategy {

        @Override
        public boolean retryRequest(HttpRequest request, IOException exception, int execCount, HttpContext context) {
            return execCount <= 1 && closedBeforeAnswer(exception);
        }

        @Override
        public boolean retryRequest(HttpResponse response, int execCount, HttpContext context) {
            return false;
        }

        @Override
        public TimeValue getRetryInterval(HttpResponse response, int execCount, HttpContext context) {
            return TimeValue.ZERO_MILLISECONDS;
        }

        static boolean closedBeforeAnswer(IOException exception) {
            return exception instanceof NoHttpResponseException
                    || exception instanceof ConnectionClosedException
                    || (exception instanceof SocketException && !(exception instanceof ConnectException));
        }
    }
}

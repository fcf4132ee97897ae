package io.github.crmsync.intercom;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP hop in front of a server that behaves like a load balancer: a keep-alive connection idle
 * for {@code idleMillis} — no traffic since the server's last bytes, so no request outstanding —
 * is closed on both sides, without any HTTP-level notice.
 */
final class IdleClosingProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final InetSocketAddress upstream;
    private final long idleMillis;
    private final Set<Pair> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong closedIdle = new AtomicLong();
    private final ScheduledExecutorService reaper = Executors.newSingleThreadScheduledExecutor(daemon("proxy-reaper"));

    IdleClosingProxy(String upstreamHost, int upstreamPort, long idleMillis) throws IOException {
        this.upstream = new InetSocketAddress(upstreamHost, upstreamPort);
        this.idleMillis = idleMillis;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = daemon("proxy-accept").newThread(this::accept);
        acceptor.start();
        reaper.scheduleWithFixedDelay(this::closeIdle, 10, 10, TimeUnit.MILLISECONDS);
    }

    String baseUrl() {
        return "http://127.0.0.1:" + listener.getLocalPort();
    }

    /** Client connections accepted so far (a reused keep-alive connection counts once). */
    long accepted() {
        return accepted.get();
    }

    /** Client connections open through this proxy now. */
    int open() {
        return open.size();
    }

    /** Connections this proxy closed because they were idle. */
    long closedIdle() {
        return closedIdle.get();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(upstream.getAddress(), upstream.getPort());
                accepted.incrementAndGet();
                Pair pair = new Pair(client, server);
                open.add(pair);
                daemon("proxy-up").newThread(() -> pump(pair, client, server, true)).start();
                daemon("proxy-down").newThread(() -> pump(pair, server, client, false)).start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void pump(Pair pair, Socket from, Socket to, boolean request) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream()) {
            OutputStream out = to.getOutputStream();
            for (int n; (n = in.read(buffer)) >= 0; ) {
                pair.lastActivity = System.nanoTime();
                pair.awaitingAnswer = request;
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // one side closed
        } finally {
            pair.close();
            open.remove(pair);
        }
    }

    private void closeIdle() {
        long now = System.nanoTime();
        for (Pair pair : open) {
            if (!pair.awaitingAnswer && now - pair.lastActivity > TimeUnit.MILLISECONDS.toNanos(idleMillis)
                    && open.remove(pair)) {
                closedIdle.incrementAndGet();
                pair.close();
            }
        }
    }

    @Override
    public void close() throws IOException {
        reaper.shutdownNow();
        listener.close();
        open.forEach(Pair::close);
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    private static final class Pair {
        final Socket client;
        final Socket server;
        volatile long lastActivity = System.nanoTime();
        /** The client's bytes came last: a request is on its way or being answered. */
        volatile boolean awaitingAnswer;

        Pair(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        void close() {
            try {
                client.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            try {
                server.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}

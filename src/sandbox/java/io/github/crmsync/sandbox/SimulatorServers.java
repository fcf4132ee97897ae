package io.github.crmsync.sandbox;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * The simulators' HTTP servers, with {@code TCP_NODELAY} on every connection as real API front ends
 * have it. The JDK's server writes a response's headers and body separately; with Nagle's algorithm
 * on, the body waits for the client's delayed ACK of the headers, adding tens of milliseconds to every
 * request on a kept-alive connection (a bulk run's Intercom writes ran at two thirds of the rate limit).
 */
public final class SimulatorServers {

    /** Read once, when the JDK's server configuration loads: set before the first server of the JVM. */
    static final String NO_DELAY = "sun.net.httpserver.nodelay";

    static {
        System.setProperty(NO_DELAY, "true");
    }

    private SimulatorServers() {
    }

    public static HttpServer create(String host, int port, int backlog) throws IOException {
        return HttpServer.create(new InetSocketAddress(host, port), backlog);
    }
}

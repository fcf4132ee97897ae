package io.github.crmsync;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What the service opened at start-up (sandbox parts, the database pool), closed once in reverse
 * order: after the Camel context stops, or when start-up fails half-way.
 */
public final class OpenedResources implements AutoCloseable {

    public static final String BEAN_NAME = "crmsyncOpenedResources";

    private static final Logger LOG = LoggerFactory.getLogger(OpenedResources.class);

    private final Deque<AutoCloseable> opened = new ArrayDeque<>();

    public synchronized <T extends AutoCloseable> T add(T resource) {
        opened.push(resource);
        return resource;
    }

    @Override
    public synchronized void close() {
        while (!opened.isEmpty()) {
            AutoCloseable resource = opened.pop();
            try {
                resource.close();
            } catch (Exception e) {
                LOG.warn("Closing {} failed: {}", resource.getClass().getSimpleName(), e.getMessage());
            }
        }
    }
}

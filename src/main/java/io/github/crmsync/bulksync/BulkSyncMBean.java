package io.github.crmsync.bulksync;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.api.management.ManagedAttribute;
import org.apache.camel.api.management.ManagedOperation;
import org.apache.camel.api.management.ManagedResource;

import java.util.Optional;

/** The bulk sync over JMX (Hawtio / jconsole): start, stop, and the current run as the API shows it. */
@ManagedResource(description = "Manual bulk sync of all records in common")
public final class BulkSyncMBean {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final BulkSync bulkSync;
    private final BulkRunStore store;

    public BulkSyncMBean(BulkSync bulkSync, BulkRunStore store) {
        this.bulkSync = bulkSync;
        this.store = store;
    }

    @ManagedOperation(description = "Start a bulk sync; answers the run (JSON), or the running one if a run is active")
    public String start() {
        BulkSync.Started started = bulkSync.start("jmx");
        return json(started.created() ? started.run().asJson() : BulkSyncApi.alreadyRunning(started.run()));
    }

    @ManagedOperation(description = "Stop the running bulk sync at its next batch boundary")
    public String stop() {
        Optional<BulkRun> run = bulkSync.stop("USER");
        return run.map(r -> json(r.asJson())).orElse("{\"error\":\"No bulk sync is running\"}");
    }

    @ManagedAttribute(description = "The running bulk sync (JSON), or null")
    public String getCurrentRun() {
        return store.active().map(r -> json(r.asJson())).orElse(null);
    }

    @ManagedAttribute(description = "Whether a bulk sync is running anywhere in the cluster")
    public boolean isRunning() {
        return store.active().isPresent();
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.github.crmsync;

/**
 * Makes this replica's id part of every log line: log4j2.properties looks the system property up
 * on each event, so lines logged from any thread after start-up carry it.
 */
final class ReplicaIdentity {

    static final String LOG_PROPERTY = "crmsync.log.replica-id";

    private ReplicaIdentity() {
    }

    static void apply(String replicaId) {
        System.setProperty(LOG_PROPERTY, replicaId);
    }
}

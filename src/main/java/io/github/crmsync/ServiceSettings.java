package io.github.crmsync;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * The service's own settings ({@code crmsync.*}), read once at start-up from Camel's properties
 * (application.properties, then environment variables such as {@code CRMSYNC_DB_URL}).
 * Plain values: built from a lookup function so it is testable without Camel.
 */
public record ServiceSettings(
        Mode mode,
        String dbUrl, String dbUser, String dbPassword, int dbPoolSize,
        Path sandboxDataDir, int sandboxDbPort, int sandboxSalesforcePort, int sandboxIntercomPort,
        int sandboxSmtpPort, int sandboxPeople, long sandboxSeed, long sandboxLatencyMillis,
        String intercomBaseUrl, String intercomAccessToken, String intercomClientSecret, int intercomConcurrency,
        long intercomBatchWindowMillis, long intercomClaimLeaseMillis, double quotaLowerThreshold,
        double quotaUpperThreshold, Long quotaAllocation, long quotaIdleBeforeLimitsPollMillis, String replicaId,
        String adminUsername, String adminPassword, Mail mail) {

    public enum Mode { SANDBOX, LIVE }

    /**
     * SMTP for the bulk sync's completion e-mail ({@code CRMSYNC_MAIL_HOST}, {@code CRMSYNC_MAIL_PORT},
     * {@code CRMSYNC_MAIL_USER}, {@code CRMSYNC_MAIL_PASSWORD}, {@code CRMSYNC_MAIL_FROM}) and the
     * installer's address it goes to ({@code CRMSYNC_BULK_NOTIFY_EMAIL}); no address, no e-mail.
     */
    public record Mail(String host, int port, String user, String password, String from, String notifyEmail) {
        @Override
        public String toString() {
            return "Mail[host=" + host + ", port=" + port + ", from=" + from + ", notifyEmail=" + notifyEmail + "]";
        }
    }

    /** Salesforce connection settings live under Camel's own component keys. */
    static final String SF = "camel.component.salesforce.";

    /** Reads the settings; in live mode fails naming every missing setting and its environment variable. */
    public static ServiceSettings from(Function<String, Optional<String>> lookup) {
        Reader r = new Reader(lookup);
        Mode mode = switch (r.text("crmsync.mode", "sandbox").toLowerCase(Locale.ROOT)) {
            case "sandbox" -> Mode.SANDBOX;
            case "live" -> Mode.LIVE;
            default -> throw new IllegalArgumentException(
                    "crmsync.mode must be 'sandbox' or 'live', not '" + r.text("crmsync.mode", "") + "'");
        };
        if (mode == Mode.LIVE) {
            r.requireLiveSettings();
        }
        return new ServiceSettings(mode,
                r.text("crmsync.db.url", null), r.text("crmsync.db.user", null), r.text("crmsync.db.password", null),
                r.integer("crmsync.db.pool-size", 10),
                Path.of(r.text("crmsync.sandbox.data-dir", "data")),
                r.integer("crmsync.sandbox.db-port", 0),
                r.integer("crmsync.sandbox.salesforce-port", 8091),
                r.integer("crmsync.sandbox.intercom-port", 8092),
                r.integer("crmsync.sandbox.smtp-port", 3025),
                r.integer("crmsync.sandbox.people", 5000),
                r.longValue("crmsync.sandbox.seed", 20261128L),
                r.longValue("crmsync.sandbox.latency-ms", 0),
                r.text("crmsync.intercom.base-url", "https://api.intercom.io"),
                r.text("crmsync.intercom.access-token", null),
                r.text("crmsync.intercom.client-secret", null),
                r.integer("crmsync.intercom.concurrency", 8),
                r.longValue("crmsync.event.intercom-batch-window-ms", 2000),
                r.longValue("crmsync.event.intercom-claim-lease-ms", 120_000),
                r.percent("crmsync.quota.lower-threshold-percent", 40),
                r.percent("crmsync.quota.upper-threshold-percent", 80),
                r.value("crmsync.quota.allocation").isPresent() ? r.longValue("crmsync.quota.allocation", 0) : null,
                r.longValue("crmsync.quota.limits-poll-idle-ms", 60_000),
                r.text("crmsync.replica-id", defaultReplicaId()),
                r.text("crmsync.admin.username", "admin"),
                r.text("crmsync.admin.password", null),
                new Mail(r.text("crmsync.mail.host", null), r.integer("crmsync.mail.port", 25),
                        r.text("crmsync.mail.user", null), r.text("crmsync.mail.password", null),
                        r.text("crmsync.mail.from", "crmsync@localhost"), r.text("crmsync.bulk.notify-email", null)));
    }

    public boolean sandbox() {
        return mode == Mode.SANDBOX;
    }

    /**
     * The environment variable of a property key: upper case, dots and dashes as underscores, and a
     * camelCase word split where Camel splits it ({@code loginUrl} → {@code LOGIN_URL}; the service's
     * own keys are dotted and dashed, never camelCase). {@link EnvironmentProperties} reads it back.
     */
    public static String envVar(String key) {
        StringBuilder name = new StringBuilder(key.length() + 8);
        for (char c : key.toCharArray()) {
            if (Character.isUpperCase(c)) {
                name.append('_');
            }
            name.append(c == '.' || c == '-' ? '_' : Character.toUpperCase(c));
        }
        return name.toString();
    }

    /**
     * The host name (a pod's name on Kubernetes) and a random suffix: two replicas on one host, or a
     * restarted one, never share an id, which Quartz's cluster needs to tell live instances apart.
     */
    static String defaultReplicaId() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                host = "replica";
            }
        }
        return host + "-" + Integer.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextInt(0x100000, 0x1000000));
    }

    /** Never print secrets: the record's default toString would. */
    @Override
    public String toString() {
        return "ServiceSettings[mode=" + mode + ", dbUrl=" + dbUrl + ", intercomBaseUrl=" + intercomBaseUrl
                + ", replicaId=" + replicaId + "]";
    }

    private record Reader(Function<String, Optional<String>> lookup) {

        Optional<String> value(String key) {
            return lookup.apply(key).map(String::trim).filter(v -> !v.isEmpty());
        }

        String text(String key, String fallback) {
            return value(key).orElse(fallback);
        }

        int integer(String key, int fallback) {
            return (int) longValue(key, fallback);
        }

        long longValue(String key, long fallback) {
            Optional<String> v = value(key);
            if (v.isEmpty()) {
                return fallback;
            }
            try {
                return Long.parseLong(v.get());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + " must be a whole number, not '" + v.get() + "'");
            }
        }

        double percent(String key, long fallback) {
            long value = longValue(key, fallback);
            if (value < 0 || value > 100) {
                throw new IllegalArgumentException(key + " must be a percentage from 0 to 100, not " + value);
            }
            return value / 100.0;
        }

        void requireLiveSettings() {
            List<String> missing = new ArrayList<>();
            for (String key : List.of("crmsync.db.url", "crmsync.db.user", "crmsync.db.password",
                    "crmsync.intercom.access-token", "crmsync.intercom.client-secret",
                    SF + "clientId", SF + "clientSecret", "crmsync.admin.password")) {
                if (value(key).isEmpty()) {
                    missing.add(key);
                }
            }
            boolean password = value(SF + "userName").isPresent() && value(SF + "password").isPresent();
            boolean refresh = value(SF + "refreshToken").isPresent();
            boolean clientCredentials = value(SF + "authenticationType")
                    .map(t -> t.equalsIgnoreCase("CLIENT_CREDENTIALS")).orElse(false);
            if (!password && !refresh && !clientCredentials) {
                missing.add(SF + "userName and " + SF + "password (or " + SF + "refreshToken, or "
                        + SF + "authenticationType=CLIENT_CREDENTIALS)");
            }
            if (!missing.isEmpty()) {
                StringBuilder message = new StringBuilder("crmsync.mode=live needs settings that are missing:");
                for (String key : missing) {
                    message.append("\n  - ").append(key);
                    if (!key.contains(" ")) {
                        message.append(" (environment variable ").append(envVar(key)).append(')');
                    }
                }
                throw new MissingSettingsException(message.toString());
            }
        }
    }

    /** Start-up refused because required settings are absent; the message names each one. */
    public static final class MissingSettingsException extends IllegalStateException {
        public MissingSettingsException(String message) {
            super(message);
        }
    }
}

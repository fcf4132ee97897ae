package io.github.crmsync.mapping;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * The live schemas (Salesforce describe of Lead and Contact, Intercom contact data attributes),
 * fetched when first needed and again after they expire, so that validation and conversion follow
 * schema changes without a describe call per record. A refresh that fails keeps the schemas it had
 * (tried again at the next use): a passing 503 must not fail the sync that happened to ask.
 */
public final class SchemaCache {

    private final Supplier<Schemas> loader;
    private final Duration expiry;
    private final Clock clock;
    private Schemas schemas;
    private Instant loadedAt = Instant.MIN;

    public SchemaCache(Supplier<Schemas> loader, Duration expiry, Clock clock) {
        this.loader = loader;
        this.expiry = expiry;
        this.clock = clock;
    }

    public synchronized Schemas current() {
        Instant now = clock.instant();
        if (schemas == null || loadedAt.plus(expiry).isBefore(now)) {
            try {
                schemas = loader.get();
                loadedAt = now;
            } catch (RuntimeException failure) {
                if (schemas == null) {
                    throw failure;
                }
            }
        }
        return schemas;
    }
}

package io.github.crmsync.quota;

import java.util.function.Supplier;

/**
 * The tier as the database-stored figures make it now (the same on every replica), a
 * {@code REQUEST_LIMIT_EXCEEDED} answer included: it is stored as the org's usage at its limit
 * until a fresh reading replaces it. What the route policy and the bulk sync ask.
 */
public final class CurrentTier implements Supplier<UsageTier> {

    private final Supplier<SalesforceUsageReport> figures;

    public CurrentTier(Supplier<SalesforceUsageReport> figures) {
        this.figures = figures;
    }

    @Override
    public UsageTier get() {
        return figures.get().tier();
    }
}

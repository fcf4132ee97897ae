package io.github.crmsync.bulksync;

/**
 * Whether the Salesforce API budget lets a bulk sync run now. The default reads the usage tier;
 * a quota policy may replace the {@code bulkCapacity} bean with its own answer.
 */
@FunctionalInterface
public interface BulkCapacity {

    boolean allowsBulkSync();
}

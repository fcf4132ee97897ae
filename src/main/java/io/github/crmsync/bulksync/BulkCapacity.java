package io.github.crmsync.bulksync;

/**
 * Whether the Salesforce API budget lets a bulk sync run now, asked at every check. The
 * {@code bulkCapacity} bean (BulkSyncConfiguration) reads the usage tier; another quota policy
 * declares its own in its place.
 */
@FunctionalInterface
public interface BulkCapacity {

    boolean allowsBulkSync();
}

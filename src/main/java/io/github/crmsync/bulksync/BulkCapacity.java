package io.github.crmsync.bulksync;

/**
 * Whether the Salesforce API budget lets a bulk sync run now: the API-quota route policy's answer
 * (apiQuotaPolicy), which the run's routes ask at every batch boundary.
 */
public interface BulkCapacity {

    /** From the policy's last reading of the figures (at most its check interval old). */
    boolean allowsBulkSync();

    /** From a fresh reading (what a start request asks). */
    boolean allowsBulkSyncNow();
}

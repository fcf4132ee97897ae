package io.github.crmsync.errors;

import io.github.crmsync.mapping.ObjectType;

/** The record a sync step was writing (the routes' {@code syncPair} property): what its sync-error row names. */
public interface SyncedRecord {

    ObjectType objectType();

    String salesforceId();

    String intercomId();
}

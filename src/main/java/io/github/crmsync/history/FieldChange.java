package io.github.crmsync.history;

import io.github.crmsync.mapping.Direction;
import io.github.crmsync.mapping.ObjectType;

/**
 * One value the service wrote: the target's field (an Intercom attribute as mapped, e.g.
 * {@code custom_attributes.plan}), the source's field, the value before (null when not known) and after.
 */
public record FieldChange(String syncType, Direction direction, ObjectType objectType, String salesforceId,
                          String intercomId, String email, String field, String sourceField, String oldValue,
                          String newValue, Long bulkRunId) {
}

package io.github.crmsync.eventsync;

import io.github.crmsync.mapping.Direction;
import io.github.crmsync.mapping.MappingSet;
import io.github.crmsync.mapping.MappingStore;
import io.github.crmsync.mapping.ObjectType;

import java.util.Arrays;

/**
 * How far behind event sync is, for an operator to see a stall: per Salesforce object, the seconds
 * since its poll last read every page (it grows between polls and drops after each; a page that
 * keeps failing makes it grow without end); the same for the Intercom poll; and the age of the
 * oldest Intercom change not written to Salesforce yet. Read from the database, so every replica
 * shows the cluster's figures. NaN where event sync follows nothing (no mapping in that direction).
 */
public final class EventSyncLag {

    private final Watermarks watermarks;
    private final MappingStore mappings;
    private final IntercomChanges changes;

    public EventSyncLag(Watermarks watermarks, MappingStore mappings, IntercomChanges changes) {
        this.watermarks = watermarks;
        this.mappings = mappings;
        this.changes = changes;
    }

    /** Seconds since the Salesforce poll of this object type last read to the end. */
    public double salesforcePollSeconds(ObjectType type) {
        try {
            if (mappings.current().forObject(type, Direction.SALESFORCE_TO_INTERCOM).isEmpty()) {
                return Double.NaN;
            }
            return watermarks.ageSeconds(SalesforceToIntercom.watermarkName(type)).orElse(Double.NaN);
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    /** Seconds since the Intercom poll (the safety net for missed webhooks) last read to the end. */
    public double intercomPollSeconds() {
        try {
            MappingSet set = mappings.current();
            if (Arrays.stream(ObjectType.values()).allMatch(t -> set.forObject(t, Direction.INTERCOM_TO_SALESFORCE).isEmpty())) {
                return Double.NaN;
            }
            return watermarks.ageSeconds(IntercomPoll.WATERMARK).orElse(Double.NaN);
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    /** Seconds the oldest Intercom change not yet written to Salesforce has waited (0 when none waits). */
    public double oldestIntercomChangeSeconds() {
        try {
            return changes.oldestWaitingSeconds();
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }
}

package io.github.crmsync.eventsync;

import io.github.crmsync.mapping.AttributeMapping;
import io.github.crmsync.mapping.Direction;
import io.github.crmsync.mapping.MappingSet;
import io.github.crmsync.mapping.ObjectType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * When event sync becomes responsible for an object's changes, its watermark starts, and is stored
 * at once: at service start for every direction that has mappings, and when the first mapping of a
 * direction is saved. Changes from then on are synced by the next poll, however long it is away;
 * a watermark already stored is kept, so nothing between two polls is ever skipped.
 */
public final class WatermarkStart {

    private static final Logger LOG = LoggerFactory.getLogger(WatermarkStart.class);

    private final Watermarks watermarks;
    private final Clock clock;

    public WatermarkStart(Watermarks watermarks, Clock clock) {
        this.watermarks = watermarks;
        this.clock = clock;
    }

    /** At service start: the watermark of every poll whose direction has mappings, where none is stored yet. */
    public void atServiceStart(MappingSet mappings) {
        for (ObjectType type : ObjectType.values()) {
            if (!mappings.forObject(type, Direction.SALESFORCE_TO_INTERCOM).isEmpty()) {
                start(SalesforceToIntercom.watermarkName(type));
            }
            if (!mappings.forObject(type, Direction.INTERCOM_TO_SALESFORCE).isEmpty()) {
                start(IntercomPoll.WATERMARK);
            }
        }
    }

    /** A mapping was saved: the watermark of the poll of its direction, where none is stored yet. */
    public void mappingSaved(AttributeMapping mapping) {
        start(mapping.direction() == Direction.SALESFORCE_TO_INTERCOM
                ? SalesforceToIntercom.watermarkName(mapping.objectType()) : IntercomPoll.WATERMARK);
    }

    private void start(String name) {
        // Intercom's updated_at counts whole seconds: a change in the same second as the start is after it
        Instant at = name.equals(IntercomPoll.WATERMARK) ? clock.instant().truncatedTo(ChronoUnit.SECONDS) : clock.instant();
        if (watermarks.start(name, at)) {
            LOG.info("Event sync now follows the changes of {} (watermark started)", name);
        }
    }
}

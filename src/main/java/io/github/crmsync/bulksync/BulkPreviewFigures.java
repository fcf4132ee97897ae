package io.github.crmsync.bulksync;

import io.swagger.v3.oas.annotations.media.Schema;

import java.util.List;

/**
 * What a completed preview found and what the run would cost: the {@code figures} of
 * {@code GET /api/bulk-sync/preview/{id}}, stored with the preview's row.
 *
 * @param pairsInCommon    linked or uniquely matched record pairs the run compares
 * @param ambiguousMatches unlinked records whose e-mail more than one record carries (not synced)
 * @param unchanged        pairs already in step
 * @param failing          pairs with a value that cannot be converted (each would be a sync error)
 * @param directions       the records and fields to update per direction
 */
@Schema(name = "BulkPreviewFigures")
public record BulkPreviewFigures(long pairsInCommon, long ambiguousMatches, long unchanged, long failing,
                                 List<DirectionFigures> directions, BulkEstimate.Cost cost, BulkEstimate.Duration duration) {

    /** One direction: the records to update in the target, and per mapped field how many and some examples. */
    @Schema(name = "BulkPreviewDirection")
    public record DirectionFigures(String direction, long records, List<FieldFigures> fields) {
    }

    /** One target field of one object type: how many records change it, and up to 20 of them as before -> after. */
    @Schema(name = "BulkPreviewField")
    public record FieldFigures(String objectType, String field, String sourceField, long records, List<Sample> samples) {
    }

    @Schema(name = "BulkPreviewSample")
    public record Sample(String salesforceId, String intercomId, String before, String after) {
    }
}

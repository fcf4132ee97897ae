package io.github.crmsync.bulksync;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * A bulk run as the admin API answers it: {@link BulkRun#asJson()} (the one JSON form the API,
 * the JMX bean and the 409 answers share) read into a type, so that the API's description names
 * every field and a field missing from that form fails here rather than reaching a client.
 */
@Schema(name = "BulkRun", requiredProperties = {"id", "kind", "previewId", "status", "startedBy", "startedAt", "updatedAt", "finishedAt",
        "stopReason", "failureMessage", "phase", "total", "processed", "updatedInSalesforce", "updatedInIntercom", "unchanged",
        "failed", "percent", "recordsPerSecond", "etaSeconds", "salesforceCalls", "intercomRequests", "progress"})
public record BulkRunView(
        long id,
        @Schema(allowableValues = {"RUN", "PREVIEW"}, description = "a run writes; a preview only stages and diffs")
        String kind,
        @Schema(nullable = true, description = "the preview a run was started from") Long previewId,
        @Schema(allowableValues = {"STAGING", "DIFFING", "WRITING", "WAITING_FOR_CAPACITY", "COMPLETED", "STOPPED", "FAILED",
                "INTERRUPTED"}) String status,
        String startedBy,
        @Schema(format = "date-time") String startedAt,
        @Schema(format = "date-time") String updatedAt,
        @Schema(format = "date-time", nullable = true) String finishedAt,
        @Schema(allowableValues = {"USER", "SETTINGS_CHANGED", "SHUTDOWN"}, nullable = true) String stopReason,
        @Schema(nullable = true) String failureMessage,
        String phase,
        long total,
        long processed,
        long updatedInSalesforce,
        long updatedInIntercom,
        long unchanged,
        long failed,
        double percent,
        double recordsPerSecond,
        @Schema(nullable = true) Long etaSeconds,
        long salesforceCalls,
        long intercomRequests,
        Progress progress) {

    /** Each phase's own counts; a count not known yet is null. */
    @Schema(name = "BulkRunProgress", requiredProperties = {"salesforceToStage", "salesforceStaged", "intercomToStage",
            "intercomStaged", "matchingSteps", "matchingStepsTotal", "pairsToDiff", "pairsDiffed", "writesToDo", "writesDone",
            "phaseStartedAt", "writingStartsAtPercent"})
    public record Progress(
            @Schema(nullable = true) Long salesforceToStage,
            long salesforceStaged,
            @Schema(nullable = true) Long intercomToStage,
            long intercomStaged,
            int matchingSteps,
            int matchingStepsTotal,
            @Schema(nullable = true) Long pairsToDiff,
            long pairsDiffed,
            long writesToDo,
            long writesDone,
            @Schema(format = "date-time", nullable = true) String phaseStartedAt,
            double writingStartsAtPercent) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    public static BulkRunView of(BulkRun run) {
        return JSON.convertValue(run.asJson(), BulkRunView.class);
    }
}

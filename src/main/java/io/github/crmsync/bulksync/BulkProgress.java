package io.github.crmsync.bulksync;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a run is, as counts per phase, and the percent and ETA worked out from them. Each phase owns
 * a fixed band of the bar — staging 0–15 %, diffing 15–35 %, writing 35–100 % (about the share of
 * a 100,000-pair run's wall time each takes) — and moves through it by its own counts, each against
 * a denominator known before the phase's counting starts: the records to stage per side (the
 * Salesforce {@code COUNT()}s, Intercom's {@code total_count}), the pairs to diff (counted once
 * matched), the writes to do (the patches the diff found; writing starts when the diff has ended).
 * So the percent never goes down, not even when a phase changes or the diff finds more differences.
 *
 * @param phase             STAGING, DIFFING or WRITING (the last one reached, for an ended run)
 * @param salesforceToStage Salesforce records to stage (both objects); null until both are counted
 * @param intercomToStage   Intercom contacts listed; null until the first page is read
 * @param matchingSteps     of the diff's {@value #MATCHING_STEPS} matching steps, those done
 * @param pairsToDiff       the linked pairs the diff goes through; null until counted
 * @param writesToDo        the patches the diff found (one per record and side to write)
 * @param writesDone        the writes with an outcome (updated or failed)
 * @param phaseStartedAt    when the phase began (database time)
 */
public record BulkProgress(String phase, Long salesforceToStage, long salesforceStaged, Long intercomToStage,
                           long intercomStaged, int matchingSteps, Long pairsToDiff, long pairsDiffed, long writesToDo,
                           long writesDone, Instant phaseStartedAt) {

    public static final double STAGING_END = 15;
    public static final double DIFFING_END = 35;
    /** Analyse, ambiguities, links, pair count: the first fifth of the diff's band. */
    public static final int MATCHING_STEPS = 4;
    private static final double MATCHING_SHARE = 0.2;

    public static BulkProgress starting() {
        return new BulkProgress("STAGING", null, 0, null, 0, 0, null, 0, 0, 0, null);
    }

    /** Unrounded percent, 0..100. */
    public double exactPercent() {
        if (phase == null) {
            return 0;
        }
        return switch (phase) {
            case "STAGING" -> STAGING_END * (share(salesforceToStage, salesforceStaged)
                    + share(intercomToStage, intercomStaged)) / 2;
            case "DIFFING" -> STAGING_END + (DIFFING_END - STAGING_END)
                    * (MATCHING_SHARE * Math.min(matchingSteps, MATCHING_STEPS) / MATCHING_STEPS
                    + (1 - MATCHING_SHARE) * share(pairsToDiff, pairsDiffed));
            case "WRITING" -> DIFFING_END + (100 - DIFFING_END) * share(writesToDo, writesDone);
            default -> 0;
        };
    }

    /** The percent to one decimal, rounded down so that 100 means everything is done. */
    public double percent() {
        return Math.floor(exactPercent() * 10 + 1e-9) / 10.0;
    }

    /** The counts as the run JSON's {@code progress} object. */
    public Map<String, Object> asJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("salesforceToStage", salesforceToStage);
        m.put("salesforceStaged", salesforceStaged);
        m.put("intercomToStage", intercomToStage);
        m.put("intercomStaged", intercomStaged);
        m.put("matchingSteps", matchingSteps);
        m.put("matchingStepsTotal", MATCHING_STEPS);
        m.put("pairsToDiff", pairsToDiff);
        m.put("pairsDiffed", pairsDiffed);
        m.put("writesToDo", writesToDo);
        m.put("writesDone", writesDone);
        m.put("phaseStartedAt", phaseStartedAt == null ? null : phaseStartedAt.toString());
        m.put("writingStartsAtPercent", DIFFING_END);
        return m;
    }

    /** A phase's part done; nothing to do is done, an unknown amount is not started. */
    private static double share(Long toDo, long done) {
        if (toDo == null) {
            return 0;
        }
        if (toDo <= 0) {
            return 1;
        }
        return Math.min(1.0, (double) done / toDo);
    }
}

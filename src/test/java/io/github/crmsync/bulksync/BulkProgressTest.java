package io.github.crmsync.bulksync;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The progress arithmetic, without Camel: a run's percent only goes up, moves in every phase, ends at 100. */
class BulkProgressTest {

    private final RunProgress run = new RunProgress(1);
    private final List<Double> seen = new ArrayList<>();
    private final List<String> phases = new ArrayList<>();

    private void sample() {
        BulkProgress p = run.snapshot();
        seen.add(p.percent());
        phases.add(p.phase());
    }

    @Test
    void thePercentNeverGoesDownAcrossPhasesAndWhileTheDiffFindsMoreDifferences() {
        sample(); // nothing known yet
        // staging: Intercom's count arrives first, then both Salesforce counts at once
        run.intercomToStage.set(3000);
        for (int i = 0; i < 10; i++) {
            run.intercomStaged.addAndGet(150);
            sample();
        }
        run.salesforceToStage.set(2600);
        for (int i = 0; i < 26; i++) {
            run.salesforceStaged.addAndGet(100);
            run.intercomStaged.addAndGet(i < 10 ? 150 : 0);
            sample();
        }
        run.intercomStaged.addAndGet(45); // a contact created meanwhile: more than counted
        sample();
        assertThat(seen.get(seen.size() - 1)).isEqualTo(BulkProgress.STAGING_END);

        run.status("DIFFING");
        sample();
        for (int step = 0; step < BulkProgress.MATCHING_STEPS; step++) {
            if (step == BulkProgress.MATCHING_STEPS - 1) {
                run.pairsToDiff.set(2000);
            }
            run.matchingSteps.incrementAndGet();
            sample();
        }
        for (int pair = 1; pair <= 2000; pair++) {
            // the old total grew by one per difference found: here only the writes to do grow
            boolean differs = pair % 5 == 0;
            run.total.addAndGet(differs ? 2 : 1);
            run.writesToDo.addAndGet(differs ? 2 : 0);
            run.unchanged.addAndGet(differs ? 0 : 1);
            run.pairsDiffed.incrementAndGet();
            if (differs && pair % 10 == 0) {
                run.updatedInIntercom.incrementAndGet(); // an early Intercom write, during the diff
            }
            if (pair % 100 == 0) {
                sample();
            }
        }
        assertThat(seen.get(seen.size() - 1)).isEqualTo(BulkProgress.DIFFING_END);

        run.status("WRITING");
        sample();
        for (int write = 0; run.writesDone() < run.writesToDo.get(); write++) {
            if (write % 3 == 0) {
                run.failed.incrementAndGet();
            } else {
                run.updatedInSalesforce.incrementAndGet();
            }
            if (write % 40 == 0) {
                sample();
            }
        }
        assertThat(run.writesDone()).isEqualTo(run.writesToDo.get());
        sample();

        assertThat(seen).as("never decreasing").isSorted();
        assertThat(seen.get(0)).isZero();
        assertThat(seen.get(seen.size() - 1)).isEqualTo(100.0);
        for (String phase : List.of("STAGING", "DIFFING", "WRITING")) {
            List<Double> inPhase = new ArrayList<>();
            for (int i = 0; i < seen.size(); i++) {
                if (phases.get(i).equals(phase)) {
                    inPhase.add(seen.get(i));
                }
            }
            assertThat(inPhase.stream().distinct().count()).as("moves during " + phase).isGreaterThan(5);
        }
        for (int i = 0; i < seen.size(); i++) {
            if (!phases.get(i).equals("WRITING")) {
                assertThat(seen.get(i)).as("before writing").isLessThanOrEqualTo(BulkProgress.DIFFING_END);
            }
        }
    }

    @Test
    void diffFailuresAreNotWritesAndNothingToDoIsDone() {
        run.status("DIFFING");
        run.pairsToDiff.set(10);
        run.matchingSteps.set(BulkProgress.MATCHING_STEPS);
        run.pairsDiffed.set(10);
        run.failed.addAndGet(3);
        run.failedInDiff.addAndGet(3);
        run.unchanged.addAndGet(7);
        run.status("WRITING");
        assertThat(run.writesDone()).isZero();
        assertThat(run.snapshot().percent()).as("no writes to do: done").isEqualTo(100.0);
        assertThat(run.phaseStartPercent()).isEqualTo(100.0);
    }

    @Test
    void aSideWithNothingToStageIsStagedAndAnUnknownCountIsNotStarted() {
        run.salesforceToStage.set(0);
        assertThat(run.snapshot().exactPercent()).isEqualTo(BulkProgress.STAGING_END / 2);
        run.intercomStaged.addAndGet(150); // read before its count is known: not counted
        assertThat(run.snapshot().exactPercent()).isEqualTo(BulkProgress.STAGING_END / 2);
        run.intercomToStage.set(300);
        assertThat(run.snapshot().exactPercent()).isEqualTo(BulkProgress.STAGING_END * 0.75);
    }

    @Test
    void theEtaIsTheRestOfTheBarAtTheCurrentPhasesRateAndUnknownUntilItHasOne() {
        Instant phaseStart = Instant.parse("2026-12-01T10:00:00Z");
        BulkProgress diffing = new BulkProgress("DIFFING", 100L, 100, 100L, 100, 4, 1000L, 400, 0, 0, phaseStart,
                BulkProgress.STAGING_END);
        // 15 % + 20 % × (0.2 + 0.8 × 0.4) = 25.4 %: 10.4 % in 13 s, so 74.6 % take 93.25 s more
        assertThat(diffing.percent()).isEqualTo(25.4);
        assertThat(diffing.etaSeconds(phaseStart.plusSeconds(13))).isEqualTo(94L);
        assertThat(diffing.etaSeconds(phaseStart.plusMillis(1500))).as("too early to tell").isNull();
        BulkProgress notMoved = new BulkProgress("WRITING", 1L, 1, 1L, 1, 4, 1L, 1, 500, 0, phaseStart,
                BulkProgress.DIFFING_END);
        assertThat(notMoved.etaSeconds(phaseStart.plusSeconds(30))).as("no rate yet").isNull();
        assertThat(BulkProgress.starting().etaSeconds(phaseStart)).as("no phase start").isNull();
    }
}

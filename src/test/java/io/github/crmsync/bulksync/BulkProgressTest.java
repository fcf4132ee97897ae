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
    void theEtaIsTheRestOfTheBarAtTheRecentPaceOfTheCurrentPhaseAndUnknownUntilItHasOne() {
        ProgressRate rate = new ProgressRate();
        long s = 1_000_000_000L;
        assertThat(rate.observe(0, "STAGING", 0)).as("nothing to go by").isNull();
        assertThat(rate.observe(s, "STAGING", 1.0)).as("too early to tell").isNull();
        assertThat(rate.observe(20 * s, "STAGING", 1.4)).as("less than a tenth of the band in 20 s").isNull();
        assertThat(rate.observe(21 * s, "STAGING", 3.0)).as("3 % in 21 s: 97 % take 679 s").isEqualTo(679L);

        // writing: a burst of Salesforce updates, then the rate-limited Intercom writes alone
        assertThat(rate.observe(100 * s, "WRITING", 40)).isNull();
        assertThat(rate.observe(101 * s, "WRITING", 50)).as("too early to tell").isNull();
        Long eta = null;
        for (int second = 102; second <= 160; second++) {
            eta = rate.observe(second * s, "WRITING", 50 + 0.25 * (second - 101));
        }
        // 64.75 % at second 160, 0.25 % a second over the last 30 s: 35.25 % take 141 s (not the burst's pace)
        assertThat(eta).isEqualTo(141L);
        assertThat(rate.observe(161 * s, "WRITING", 65.0)).isEqualTo(140L);
        assertThat(new ProgressRate().observe(0, "DIFFING", 20)).isNull();
    }
}

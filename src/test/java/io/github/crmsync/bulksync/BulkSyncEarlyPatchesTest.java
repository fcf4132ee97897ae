package io.github.crmsync.bulksync;

import io.github.crmsync.mapping.ObjectType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The diff's hand-over to the Intercom writers: a prefix of the patches in order, each once. */
class BulkSyncEarlyPatchesTest {

    private static PatchCursor.Patch patch(long seq) {
        return new PatchCursor.Patch(ObjectType.CONTACT, "003" + seq, "ic" + seq, Map.of("name", "n" + seq), null);
    }

    @Test
    void onceOnePatchDoesNotFitNoLaterOneIsHandedOverAndTheRestStartAfterTheLastHandedOver() {
        EarlyPatches early = new EarlyPatches(3);
        assertThat(early.offer(2, patch(2))).isTrue();
        assertThat(early.offer(5, patch(5))).isTrue();
        assertThat(early.offer(6, patch(6))).isTrue();
        assertThat(early.offer(9, patch(9))).as("full").isFalse();
        assertThat(early.take(() -> false).intercomId()).isEqualTo("ic2");
        assertThat(early.offer(11, patch(11))).as("room again, but 9 went to the stored ones").isFalse();
        assertThat(early.accepting()).isFalse();
        early.diffEnded(true);

        List<String> taken = new ArrayList<>();
        for (PatchCursor.Patch p = early.take(() -> false); p != null; p = early.take(() -> false)) {
            taken.add(p.intercomId());
        }
        assertThat(taken).containsExactly("ic5", "ic6");
        assertThat(early.lastSeq()).isEqualTo(6);
        assertThat(early.diffIncomplete()).isFalse();
    }

    @Test
    void theWritersWaitForTheDiffAndGetPatchesAsTheyCome() throws Exception {
        EarlyPatches early = new EarlyPatches(100);
        CompletableFuture<List<String>> writer = CompletableFuture.supplyAsync(() -> {
            List<String> taken = new ArrayList<>();
            for (PatchCursor.Patch p = early.take(() -> false); p != null; p = early.take(() -> false)) {
                taken.add(p.intercomId());
            }
            return taken;
        });
        early.offer(1, patch(1));
        early.offer(2, patch(2));
        assertThat(writer).as("still waiting for the diff").isNotDone();
        early.offer(3, patch(3));
        early.diffEnded(true);
        assertThat(writer.get(5, TimeUnit.SECONDS)).containsExactly("ic1", "ic2", "ic3");
    }

    @Test
    void aDiffThatFailedOrWasStoppedLeavesNothingMoreToWrite() {
        EarlyPatches failed = new EarlyPatches(10);
        failed.offer(1, patch(1));
        failed.diffEnded(false);
        assertThat(failed.take(() -> false)).isNull();
        assertThat(failed.diffIncomplete()).isTrue();

        EarlyPatches stopped = new EarlyPatches(10);
        stopped.offer(1, patch(1));
        assertThat(stopped.take(() -> true)).isNull();
    }
}

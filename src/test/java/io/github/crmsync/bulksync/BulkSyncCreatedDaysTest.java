package io.github.crmsync.bulksync;

import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The day slices of the parallel Intercom staging: every creation time falls in exactly one. */
class BulkSyncCreatedDaysTest {

    private static final long DAY = CreatedDays.DAY;
    private static final long TODAY = 20_600;

    @Test
    void aPartitionHoldsEveryCreationTimeExactlyOnce() {
        List<CreatedDays> slices = CreatedDays.partition(20_000, 20_299, 16);
        assertThat(slices).hasSize(18);
        assertThat(slices.get(0)).isEqualTo(new CreatedDays(null, 19_999L));
        assertThat(slices.get(17)).isEqualTo(new CreatedDays(20_300L, null));
        for (long t : new long[] {0, 1, 19_999 * DAY + DAY - 1, 20_000 * DAY, 20_150 * DAY + 43_200, 20_299 * DAY + DAY - 1,
                20_300 * DAY, 30_000 * DAY, -5 * DAY}) {
            assertThat(slices.stream().filter(s -> s.contains(t)).count()).as("created at %d", t).isEqualTo(1);
        }
    }

    @Test
    void halvingAgainAndAgainKeepsTheSlicesDisjointAndCompleteDownToSingleDays() {
        Deque<CreatedDays> open = new ArrayDeque<>(CreatedDays.partition(20_100, 20_110, 3));
        List<CreatedDays> done = new ArrayList<>();
        while (!open.isEmpty()) {
            CreatedDays slice = open.pop();
            CreatedDays[] halves = slice.split(TODAY);
            if (halves == null) {
                done.add(slice);
            } else {
                open.push(halves[0]);
                open.push(halves[1]);
            }
        }
        for (long day = -3; day <= TODAY + 3; day++) {
            long t = day * DAY + 4_000;
            assertThat(done.stream().filter(s -> s.contains(t)).count()).as("day %d", day).isEqualTo(1);
        }
        // what cannot be halved: one day, days before 1970 and days after today
        assertThat(done).contains(new CreatedDays(20_105L, 20_105L), new CreatedDays(null, 0L),
                new CreatedDays(TODAY, null));
    }

    @Test
    void theQueryAsksForTheSliceByDayAsIntercomComparesDates() {
        assertThat(new CreatedDays(20_000L, 20_009L).query().toString()).isEqualTo("{\"operator\":\"AND\",\"value\":["
                + "{\"field\":\"created_at\",\"operator\":\">\",\"value\":" + (20_000 * DAY - 1) + "},"
                + "{\"field\":\"created_at\",\"operator\":\"<\",\"value\":" + 20_010 * DAY + "}]}");
        assertThat(new CreatedDays(null, 19_999L).query().toString())
                .isEqualTo("{\"field\":\"created_at\",\"operator\":\"<\",\"value\":" + 20_000 * DAY + "}");
        assertThat(new CreatedDays(20_300L, null).query().toString())
                .isEqualTo("{\"field\":\"created_at\",\"operator\":\">\",\"value\":" + (20_300 * DAY - 1) + "}");
        assertThatThrownBy(() -> new CreatedDays(null, null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theSearchSlicesAreCutByTheListingsDaysAndATooBigSliceIsHalved() throws Exception {
        com.fasterxml.jackson.databind.JsonNode firstPage = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                "{\"total_count\": 64000, \"data\": [{\"created_at\": " + (20_000 * DAY + 5) + "}, {\"created_at\": "
                        + (20_099 * DAY + 7) + "}]}");
        SearchSlices slices = SearchSlices.from(firstPage, TODAY, 4, 1_500);

        // two per reader over the sampled days, and the open ends before and after
        assertThat(slices.initial()).hasSize(10).startsWith(new CreatedDays(null, 19_999L))
                .endsWith(new CreatedDays(20_100L, null));
        // a share of 64,000 / (4 readers x 4) = 4,000 contacts
        CreatedDays slice = new CreatedDays(20_000L, 20_011L);
        assertThat(slices.halvesIfTooBig(slice, count(4_000))).as("within its share").isNull();
        assertThat(slices.halvesIfTooBig(slice, count(4_001))).containsExactly(new CreatedDays(20_000L, 20_005L),
                new CreatedDays(20_006L, 20_011L));
        assertThat(slices.halvesIfTooBig(new CreatedDays(20_000L, 20_000L), count(9_999))).as("one day: read whole").isNull();
    }

    private static com.fasterxml.jackson.databind.JsonNode count(long contacts) {
        return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("total_count", contacts);
    }
}

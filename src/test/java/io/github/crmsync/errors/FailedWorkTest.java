package io.github.crmsync.errors;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** What the sync-errors configuration makes of a failure, read from the properties the routes set, as a table. */
class FailedWorkTest {

    static Stream<Arguments> work() {
        Object pair = new Object();
        return Stream.of(
                // property set by the route                                    what failed            retried, handled where it began / in a sub-route
                Arguments.of(false, Map.of("syncPair", pair), FailedWork.RECORD, true, true, true),
                // a record of a page: the record, not the page
                Arguments.of(false, Map.of("syncPair", pair, "syncPage", "CONTACT"), FailedWork.RECORD, true, true, true),
                Arguments.of(false, Map.of("syncPair", pair, "batch", "b"), FailedWork.RECORD, true, true, true),
                Arguments.of(false, Map.of("batch", "b"), FailedWork.EVENT_BATCH, true, true, true),
                Arguments.of(false, Map.of("syncPage", "LEAD"), FailedWork.PAGE, true, true, true),
                Arguments.of(false, Map.of("bulkRunId", 7L, "bulkBatch", "batch"), FailedWork.BULK_BATCH, true, true, true),
                Arguments.of(false, Map.of("bulkRunId", 7L, "bulkIntercomPatch", "patch"), FailedWork.BULK_INTERCOM_WRITE, true, true, true),
                // a page of Intercom contacts staging reads: redelivered, then handed back to the staging (the run fails)
                Arguments.of(false, Map.of("bulkRead", "page"), FailedWork.BULK_READ, true, false, false),
                // a bulk run as a whole: never retried; ended FAILED by the route it began in, handed back by its sub-routes
                Arguments.of(false, Map.of("bulkRunId", 7L), FailedWork.BULK_RUN, false, true, false),
                Arguments.of(false, Map.of(), FailedWork.STEP, true, true, true),
                // a call route retrying on its own hands every failure back, whatever its sender marked
                Arguments.of(true, Map.of("syncPage", "LEAD"), FailedWork.CALL, true, false, false),
                Arguments.of(true, Map.of(), FailedWork.CALL, true, false, false));
    }

    @ParameterizedTest
    @MethodSource("work")
    void decidesFromTheRoutesProperties(boolean inCallRoute, Map<String, Object> properties, FailedWork expected,
                                        boolean retried, boolean handledWhereItBegan, boolean handledInSubRoute) {
        FailedWork work = FailedWork.of(inCallRoute, properties::get);

        assertThat(work).isEqualTo(expected);
        assertThat(work.retried()).isEqualTo(retried);
        assertThat(work.handledIn(true)).isEqualTo(handledWhereItBegan);
        assertThat(work.handledIn(false)).isEqualTo(handledInSubRoute);
    }
}

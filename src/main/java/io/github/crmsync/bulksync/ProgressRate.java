package io.github.crmsync.bulksync;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The ETA of the run this replica executes: the rest of the bar at the pace the bar moved over the
 * last {@link #WINDOW_NANOS 30 s} of the current phase. A recent window, not the whole phase, so
 * that a fast start (the Salesforce Collections calls are done long before the rate-limited
 * Intercom writes) does not make the rest look short. Unknown (null) until the phase has run 2 s
 * and moved a tenth of its band: a phase's first moments, such as a query job being prepared, are
 * no guide to its pace.
 */
final class ProgressRate {

    static final long WINDOW_NANOS = 30_000_000_000L;
    private static final long FIRST_NANOS = 2_000_000_000L;
    private static final double FIRST_SHARE = 0.1;

    private record Point(long nanos, double percent) {
    }

    private final Deque<Point> window = new ArrayDeque<>();
    private String phase;
    private double phaseStartPercent;
    private long phaseStartNanos;

    /** Takes one observation (a monotonic clock and the exact percent) and answers the ETA in seconds, or null. */
    synchronized Long observe(long nanos, String currentPhase, double percent) {
        if (!currentPhase.equals(phase)) {
            phase = currentPhase;
            phaseStartPercent = percent;
            phaseStartNanos = nanos;
            window.clear();
        }
        window.addLast(new Point(nanos, percent));
        while (window.size() > 2 && nanos - window.peekFirst().nanos() > WINDOW_NANOS) {
            window.removeFirst();
        }
        if (nanos - phaseStartNanos < FIRST_NANOS || percent - phaseStartPercent < FIRST_SHARE * band(currentPhase)) {
            return null;
        }
        Point first = window.peekFirst();
        double gained = percent - first.percent();
        long span = nanos - first.nanos();
        if (gained <= 0 || span <= 0) {
            return null;
        }
        return (long) Math.ceil((100 - percent) * (span / 1e9) / gained - 1e-9);
    }

    private static double band(String phase) {
        return switch (phase) {
            case "STAGING" -> BulkProgress.STAGING_END;
            case "DIFFING" -> BulkProgress.DIFFING_END - BulkProgress.STAGING_END;
            default -> 100 - BulkProgress.DIFFING_END;
        };
    }
}

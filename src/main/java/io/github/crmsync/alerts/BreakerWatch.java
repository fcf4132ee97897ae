package io.github.crmsync.alerts;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Since when each circuit breaker has not been closed: told of every state transition (the
 * breakers' event publishers call {@link #transition}), it keeps the moment a breaker left CLOSED
 * until it is CLOSED again. An open breaker that turns half-open after its wait and open again when
 * the trial calls fail stays "not closed" from the first moment: that is how long calls have been
 * held back.
 */
public final class BreakerWatch {

    private record Since(String state, Instant at) {
    }

    private final Map<String, Since> notClosed = new ConcurrentHashMap<>();

    /** A breaker changed to {@code toState} (resilience4j's state names) at {@code at}. */
    public void transition(String breaker, String toState, Instant at) {
        if (toState.equals("CLOSED") || toState.equals("DISABLED") || toState.equals("METRICS_ONLY")) {
            notClosed.remove(breaker);
        } else {
            notClosed.compute(breaker, (name, since) -> new Since(toState, since == null ? at : since.at()));
        }
    }

    /** The breakers not closed now, with the moment each left CLOSED. */
    public List<AlertRules.OpenBreaker> notClosed() {
        List<AlertRules.OpenBreaker> breakers = new ArrayList<>();
        notClosed.forEach((name, since) -> breakers.add(new AlertRules.OpenBreaker(name, since.state(), since.at())));
        return breakers;
    }
}

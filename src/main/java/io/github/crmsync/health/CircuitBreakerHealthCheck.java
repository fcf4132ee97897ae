package io.github.crmsync.health;

import io.github.crmsync.metrics.SyncMetrics;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.util.Map;

/**
 * A remote system's circuit breaker as operators see it: its state and failure rate, and not ready
 * while it is open (this replica holds its calls to that system back), like an unreachable system.
 */
public final class CircuitBreakerHealthCheck extends AbstractHealthCheck {

    private final CircuitBreaker breaker;

    public CircuitBreakerHealthCheck(CircuitBreaker breaker) {
        super("crmsync", "circuit-breaker-" + breaker.getName());
        this.breaker = breaker;
    }

    @Override
    public boolean isLiveness() {
        // an open breaker closes by itself once the remote system recovers; a restart cures nothing
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        CircuitBreaker.State state = breaker.getState();
        float failureRate = breaker.getMetrics().getFailureRate();
        builder.detail("state", state.name());
        builder.detail("failureRatePercent", failureRate < 0 ? "n/a" : failureRate);
        if (state == CircuitBreaker.State.OPEN || state == CircuitBreaker.State.FORCED_OPEN) {
            builder.down().message("Calls to " + breaker.getName() + " are held back: its circuit breaker is " + state
                    + " after " + failureRate + " % of the recent calls failed");
        } else {
            builder.up();
        }
    }

    /** The breaker's state as the metrics show it: forced and disabled states count as what they do. */
    public static SyncMetrics.BreakerState stateOf(CircuitBreaker breaker) {
        return switch (breaker.getState()) {
            case OPEN, FORCED_OPEN -> SyncMetrics.BreakerState.OPEN;
            case HALF_OPEN -> SyncMetrics.BreakerState.HALF_OPEN;
            default -> SyncMetrics.BreakerState.CLOSED;
        };
    }
}

package io.github.crmsync.errors;

import io.github.crmsync.intercom.IntercomAnswers;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One resilience4j circuit breaker per remote system, {@code salesforce} and {@code intercom}: when
 * half of the last calls failed for want of the system (5xx, no connection), calls stop for a while
 * instead of piling up; the sync routes' redelivery then waits and tries again. Both are used by
 * the routes' {@code circuitBreaker} steps (bound as {@code salesforceCircuitBreaker} and
 * {@code intercomCircuitBreaker}). An answer in which Intercom refuses a request (4xx, 429 included)
 * counts as a success of the Intercom one: Intercom is up.
 */
public final class CircuitBreakers {

    public static final String SALESFORCE = "salesforce";
    public static final String INTERCOM = "intercom";

    private final CircuitBreakerRegistry registry;

    public CircuitBreakers(Duration openFor) {
        registry = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(20)
                .minimumNumberOfCalls(10)
                .failureRateThreshold(50)
                .waitDurationInOpenState(openFor)
                .permittedNumberOfCallsInHalfOpenState(3)
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .build());
    }

    public CircuitBreaker salesforce() {
        return registry.circuitBreaker(SALESFORCE);
    }

    public CircuitBreaker intercom() {
        return registry.circuitBreaker(INTERCOM, CircuitBreakerConfig.from(registry.getDefaultConfig())
                .recordException(failure -> !IntercomAnswers.answered(failure))
                .build());
    }

    /** Each breaker's state (CLOSED, OPEN, HALF_OPEN, …), for operators. */
    public Map<String, String> states() {
        Map<String, String> states = new LinkedHashMap<>();
        for (CircuitBreaker breaker : new CircuitBreaker[] {salesforce(), intercom()}) {
            states.put(breaker.getName(), breaker.getState().name());
        }
        return states;
    }
}

package io.github.crmsync.sandbox;

import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Latency and faults a simulator adds to its answers, set by configuration and changed at run time
 * through its control endpoint, so that reliability can be tested against the real clients.
 * Rates are probabilities per request between 0 and 1. Thread-safe.
 */
public final class SimulatorFaults {

    /** What to do with one request instead of (or before) answering it normally. */
    public enum Fault { NONE, SERVER_ERROR, TOO_MANY_REQUESTS, DROP_CONNECTION }

    private volatile long latencyMillis;
    private volatile double serverErrorRate;
    private volatile double tooManyRequestsRate;
    private volatile double dropConnectionRate;

    public SimulatorFaults(long latencyMillis, double serverErrorRate, double tooManyRequestsRate, double dropConnectionRate) {
        set(latencyMillis, serverErrorRate, tooManyRequestsRate, dropConnectionRate);
    }

    public static SimulatorFaults none() {
        return new SimulatorFaults(0, 0, 0, 0);
    }

    public synchronized void set(long latencyMillis, double serverErrorRate, double tooManyRequestsRate, double dropConnectionRate) {
        if (latencyMillis < 0) {
            throw new IllegalArgumentException("latencyMillis must not be negative: " + latencyMillis);
        }
        this.latencyMillis = latencyMillis;
        this.serverErrorRate = rate("serverErrorRate", serverErrorRate);
        this.tooManyRequestsRate = rate("tooManyRequestsRate", tooManyRequestsRate);
        this.dropConnectionRate = rate("dropConnectionRate", dropConnectionRate);
    }

    /** Applies a control request's JSON fields; absent fields keep their value. */
    public synchronized void update(Map<String, ?> fields) {
        set(number(fields, "latencyMillis", latencyMillis).longValue(),
                number(fields, "serverErrorRate", serverErrorRate).doubleValue(),
                number(fields, "tooManyRequestsRate", tooManyRequestsRate).doubleValue(),
                number(fields, "dropConnectionRate", dropConnectionRate).doubleValue());
    }

    public Map<String, Object> asMap() {
        return Map.of("latencyMillis", latencyMillis, "serverErrorRate", serverErrorRate,
                "tooManyRequestsRate", tooManyRequestsRate, "dropConnectionRate", dropConnectionRate);
    }

    /** Waits the configured latency, then draws the fault (if any) for one request. */
    public Fault next() throws InterruptedException {
        long latency = latencyMillis;
        if (latency > 0) {
            Thread.sleep(latency);
        }
        double draw = ThreadLocalRandom.current().nextDouble();
        double drop = dropConnectionRate;
        double error = drop + serverErrorRate;
        double tooMany = error + tooManyRequestsRate;
        if (draw < drop) {
            return Fault.DROP_CONNECTION;
        } else if (draw < error) {
            return Fault.SERVER_ERROR;
        } else if (draw < tooMany) {
            return Fault.TOO_MANY_REQUESTS;
        }
        return Fault.NONE;
    }

    private static double rate(String name, double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException(name + " must be between 0 and 1: " + value);
        }
        return value;
    }

    private static Number number(Map<String, ?> fields, String name, Number current) {
        Object value = fields.get(name);
        if (value == null) {
            return current;
        }
        if (value instanceof Number n) {
            return n;
        }
        throw new IllegalArgumentException(name + " must be a number: " + value);
    }
}

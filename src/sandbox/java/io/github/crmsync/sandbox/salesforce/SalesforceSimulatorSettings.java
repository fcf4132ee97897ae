package io.github.crmsync.sandbox.salesforce;

import io.github.crmsync.sandbox.SimulatorFaults;

import java.time.Duration;

/**
 * Where the Salesforce simulator listens and how it behaves.
 *
 * @param host           address to bind (loopback for the sandbox)
 * @param port           port to bind; 0 picks any free port
 * @param tokenLifetime  how long an issued access token stays valid
 * @param dailyApiLimit  the org's rolling 24-hour API request allowance
 * @param faults         latency and fault rates applied to API requests
 */
public record SalesforceSimulatorSettings(String host, int port, Duration tokenLifetime, long dailyApiLimit,
                                          SimulatorFaults faults) {

    public static SalesforceSimulatorSettings defaults() {
        return new SalesforceSimulatorSettings("127.0.0.1", 8091, Duration.ofHours(2), 100_000, SimulatorFaults.none());
    }

    public SalesforceSimulatorSettings withFaults(SimulatorFaults newFaults) {
        return new SalesforceSimulatorSettings(host, port, tokenLifetime, dailyApiLimit, newFaults);
    }

    public SalesforceSimulatorSettings withPort(int newPort) {
        return new SalesforceSimulatorSettings(host, newPort, tokenLifetime, dailyApiLimit, faults);
    }

    public SalesforceSimulatorSettings withDailyApiLimit(long limit) {
        return new SalesforceSimulatorSettings(host, port, tokenLifetime, limit, faults);
    }

    public SalesforceSimulatorSettings withTokenLifetime(Duration lifetime) {
        return new SalesforceSimulatorSettings(host, port, lifetime, dailyApiLimit, faults);
    }
}

package io.github.crmsync.sandbox.intercom;

import io.github.crmsync.sandbox.seed.SeedData;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The Intercom simulator on its own, over the seed's people, with an HTTP client holding the
 * sandbox token: started once for a test class
 * ({@code @RegisterExtension static final RunningIntercomSimulator intercom = RunningIntercomSimulator.over(seed)}).
 */
final class RunningIntercomSimulator implements BeforeAllCallback, AfterAllCallback {

    private final SeedData seed;
    private IntercomSimulator simulator;
    private IntercomHttp http;

    private RunningIntercomSimulator(SeedData seed) {
        this.seed = seed;
    }

    static RunningIntercomSimulator over(SeedData seed) {
        return new RunningIntercomSimulator(seed);
    }

    IntercomSimulator simulator() {
        return simulator;
    }

    IntercomHttp http() {
        return http;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        simulator = new IntercomSimulator(IntercomSimulatorSettings.defaults().withPort(0), seed);
        simulator.start();
        http = new IntercomHttp(simulator.baseUrl(), "sandbox-token");
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (http != null) {
            http.close();
        }
        if (simulator != null) {
            simulator.close();
        }
    }
}

package io.github.crmsync.sandbox.intercom;

import io.github.crmsync.sandbox.SimulatorFaults;

import java.util.Objects;

/**
 * How the sandbox Intercom simulator listens and behaves.
 *
 * @param host               address to bind (normally {@code 127.0.0.1})
 * @param port               port to bind; 0 picks any free port
 * @param accessToken        the one bearer token the simulator accepts
 * @param rateLimitPerMinute requests allowed per minute, split evenly into 10-second windows as Intercom does
 * @param webhookUrl         where contact-change notifications go; null sends none
 * @param webhookSecret      key of the {@code X-Hub-Signature} HMAC (the app's client secret)
 * @param faults             latency and faults added to authenticated requests
 */
public record IntercomSimulatorSettings(String host, int port, String accessToken, int rateLimitPerMinute,
                                        String webhookUrl, String webhookSecret, SimulatorFaults faults) {

    public IntercomSimulatorSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(accessToken, "accessToken");
        Objects.requireNonNull(webhookSecret, "webhookSecret");
        Objects.requireNonNull(faults, "faults");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (rateLimitPerMinute < 1) {
            throw new IllegalArgumentException("rateLimitPerMinute must be positive: " + rateLimitPerMinute);
        }
    }

    /** 127.0.0.1:8092, token {@code sandbox-token}, 10,000 requests a minute, no webhooks, no faults. */
    public static IntercomSimulatorSettings defaults() {
        return new IntercomSimulatorSettings("127.0.0.1", 8092, "sandbox-token", 10_000, null,
                "sandbox-webhook-secret", SimulatorFaults.none());
    }

    public IntercomSimulatorSettings withPort(int newPort) {
        return new IntercomSimulatorSettings(host, newPort, accessToken, rateLimitPerMinute, webhookUrl, webhookSecret, faults);
    }

    public IntercomSimulatorSettings withRateLimitPerMinute(int perMinute) {
        return new IntercomSimulatorSettings(host, port, accessToken, perMinute, webhookUrl, webhookSecret, faults);
    }

    public IntercomSimulatorSettings withFaults(SimulatorFaults newFaults) {
        return new IntercomSimulatorSettings(host, port, accessToken, rateLimitPerMinute, webhookUrl, webhookSecret, newFaults);
    }

    public IntercomSimulatorSettings withWebhookUrl(String url) {
        return new IntercomSimulatorSettings(host, port, accessToken, rateLimitPerMinute, url, webhookSecret, faults);
    }
}

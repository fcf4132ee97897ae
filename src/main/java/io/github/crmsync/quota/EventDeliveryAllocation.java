package io.github.crmsync.quota;

import java.time.Instant;

/**
 * The org's event delivery allocation as {@code /limits} reports it in {@code DailyDeliveredPlatformEvents}:
 * how many change events (and high-volume platform events) Salesforce delivers to API subscribers, this
 * service's Pub/Sub API subscriptions among them, in a rolling 24 hours, each subscriber's deliveries
 * counted; shared by all of the org's subscribers. Change events cost no API request; they count here.
 */
public record EventDeliveryAllocation(long max, long remaining, Instant observedAt) {

    public long used() {
        return Math.max(0, max - remaining);
    }
}

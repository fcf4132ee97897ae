package io.github.crmsync.inbox;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * The inbox app's settings ({@code crmsync.inbox.*}), read from the same properties / environment
 * as the service's other settings.
 *
 * @param cardTtl the longest a card may be served since it was last known current (0: every view queries)
 */
public record InboxSettings(Duration cardTtl) {

    public static final String CARD_TTL_SECONDS = "crmsync.inbox.card-ttl-seconds";
    private static final long MAX_TTL_SECONDS = 86_400;

    public static InboxSettings from(Function<String, Optional<String>> lookup) {
        Optional<String> value = lookup.apply(CARD_TTL_SECONDS).map(String::trim).filter(v -> !v.isEmpty());
        if (value.isEmpty()) {
            return new InboxSettings(Duration.ofMinutes(10));
        }
        try {
            long seconds = Long.parseLong(value.get());
            if (seconds >= 0 && seconds <= MAX_TTL_SECONDS) {
                return new InboxSettings(Duration.ofSeconds(seconds));
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new IllegalArgumentException(CARD_TTL_SECONDS + " must be a whole number of seconds from 0 to "
                + MAX_TTL_SECONDS + ", not '" + value.get() + "'");
    }
}

package io.github.crmsync.access;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Slows down password guessing, per replica. Two counts of failed logins within {@code window}:
 * per client (the TCP peer, see {@link ClientAddress}) and per user name. A client with
 * {@code maxFailures} is refused until its oldest failure leaves the window; a user name with
 * {@code maxUserFailures} (a guess spread over many addresses) is refused likewise, so a
 * distributed guess is slowed too. Each count keeps at most {@code maxTracked} keys, the least
 * recently failed ones leaving first: a flood of addresses never resets anyone else's count.
 */
public final class LoginThrottle {

    private final int maxFailures;
    private final int maxUserFailures;
    private final Duration window;
    private final Clock clock;
    private final Failures byClient;
    private final Failures byUser;

    public LoginThrottle(int maxFailures, int maxUserFailures, Duration window, int maxTracked, Clock clock) {
        this.maxFailures = maxFailures;
        this.maxUserFailures = maxUserFailures;
        this.window = window;
        this.clock = clock;
        this.byClient = new Failures(maxTracked);
        this.byUser = new Failures(maxTracked);
    }

    /** How long this client, trying this user name (may be null), must wait before trying again, if it must. */
    public Optional<Duration> blockedFor(String client, String username) {
        Instant now = clock.instant();
        Optional<Duration> clientWait = byClient.wait(client, maxFailures, now);
        Optional<Duration> userWait = username == null ? Optional.empty() : byUser.wait(username, maxUserFailures, now);
        if (clientWait.isPresent() && userWait.isPresent()) {
            return Optional.of(clientWait.get().compareTo(userWait.get()) >= 0 ? clientWait.get() : userWait.get());
        }
        return clientWait.or(() -> userWait);
    }

    public void failed(String client, String username) {
        Instant now = clock.instant();
        byClient.add(client, now);
        if (username != null) {
            byUser.add(username, now);
        }
    }

    /** A right password clears the client's count (not the user's: the guesser elsewhere keeps waiting). */
    public void succeeded(String client) {
        byClient.remove(client);
    }

    /** Failure times per key, at most {@code maxTracked} keys, least recently failed evicted first. */
    private final class Failures {
        private final Map<String, Deque<Instant>> times;

        Failures(int maxTracked) {
            this.times = new LinkedHashMap<>(256, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Deque<Instant>> eldest) {
                    return size() > maxTracked;
                }
            };
        }

        synchronized Optional<Duration> wait(String key, int max, Instant now) {
            Deque<Instant> failures = times.get(key);
            if (failures == null) {
                return Optional.empty();
            }
            prune(failures, now);
            if (failures.size() < max) {
                return Optional.empty();
            }
            Duration wait = Duration.between(now, failures.peekFirst().plus(window));
            return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
        }

        synchronized void add(String key, Instant now) {
            Deque<Instant> failures = times.computeIfAbsent(key, k -> new ArrayDeque<>());
            prune(failures, now);
            failures.addLast(now);
        }

        synchronized void remove(String key) {
            times.remove(key);
        }

        private void prune(Deque<Instant> failures, Instant now) {
            Instant oldest = now.minus(window);
            while (!failures.isEmpty() && !failures.peekFirst().isAfter(oldest)) {
                failures.removeFirst();
            }
        }
    }
}

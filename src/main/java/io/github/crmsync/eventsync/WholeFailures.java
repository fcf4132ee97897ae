package io.github.crmsync.eventsync;

/**
 * Which failures of a page or batch as a whole count towards taking it record by record: not one
 * refused by an open circuit breaker, which says the remote system is unavailable for everyone
 * (taking records one by one would only multiply the calls), not that this page is bad.
 */
final class WholeFailures {

    private static final String CALL_NOT_PERMITTED = "io.github.resilience4j.circuitbreaker.CallNotPermittedException";

    private WholeFailures() {
    }

    static boolean counts(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getClass().getName().equals(CALL_NOT_PERMITTED)) {
                return false;
            }
        }
        return true;
    }
}

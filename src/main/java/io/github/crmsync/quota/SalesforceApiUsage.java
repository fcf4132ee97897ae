package io.github.crmsync.quota;

import io.github.crmsync.salesforce.SalesforceLimitInfo;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Counts every Salesforce call this service makes (per minute and route, in PostgreSQL, so all
 * replicas add to one figure) and keeps the org's consumption, and its event delivery allocation, as
 * Salesforce last reported them.
 */
public final class SalesforceApiUsage {

    private final DataSource dataSource;
    private final Clock clock;

    public SalesforceApiUsage(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    public void countCall(String routeId) {
        try (Connection c = dataSource.getConnection(); PreparedStatement upsert = c.prepareStatement(
                "INSERT INTO salesforce_api_call (minute, route_id, calls) VALUES (?, ?, 1) "
                        + "ON CONFLICT (minute, route_id) DO UPDATE SET calls = salesforce_api_call.calls + 1")) {
            upsert.setTimestamp(1, Timestamp.from(clock.instant().truncatedTo(ChronoUnit.MINUTES)));
            upsert.setString(2, routeId == null ? "unknown" : routeId);
            upsert.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Counting a Salesforce call failed: " + e.getMessage(), e);
        }
    }

    public void recordOrgUsage(SalesforceLimitInfo usage, String source) {
        try (Connection c = dataSource.getConnection(); PreparedStatement upsert = c.prepareStatement(
                "INSERT INTO salesforce_org_usage (id, used, max, source, observed_at) VALUES (1, ?, ?, ?, ?) "
                        + "ON CONFLICT (id) DO UPDATE SET used = excluded.used, max = excluded.max, source = excluded.source, "
                        + "observed_at = excluded.observed_at WHERE salesforce_org_usage.observed_at <= excluded.observed_at")) {
            upsert.setLong(1, usage.used());
            upsert.setLong(2, usage.max());
            upsert.setString(3, source);
            upsert.setTimestamp(4, Timestamp.from(clock.instant()));
            upsert.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Recording the org's API usage failed: " + e.getMessage(), e);
        }
    }

    /**
     * Salesforce answered {@code REQUEST_LIMIT_EXCEEDED} (the 24-hour allowance): the org's usage is
     * taken as at its limit until the next reading (any answer's header or {@code /limits}) replaces it.
     */
    public void recordLimitExceeded() {
        try (Connection c = dataSource.getConnection(); PreparedStatement upsert = c.prepareStatement(
                "INSERT INTO salesforce_org_usage (id, used, max, source, observed_at) "
                        + "SELECT 1, coalesce(max(max), 1), coalesce(max(max), 1), 'REQUEST_LIMIT_EXCEEDED', ? FROM salesforce_org_usage "
                        + "ON CONFLICT (id) DO UPDATE SET used = excluded.used, source = excluded.source, observed_at = excluded.observed_at "
                        + "WHERE salesforce_org_usage.observed_at <= excluded.observed_at")) {
            upsert.setTimestamp(1, Timestamp.from(clock.instant()));
            upsert.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Recording the org's API usage failed: " + e.getMessage(), e);
        }
    }

    /** Keeps the event delivery allocation of a {@code /limits} answer, or forgets it when the answer has none. */
    public void recordEventDelivery(Optional<EventDeliveryAllocation> reported) {
        try (Connection c = dataSource.getConnection()) {
            if (reported.isEmpty()) {
                try (PreparedStatement delete = c.prepareStatement("DELETE FROM salesforce_event_delivery")) {
                    delete.executeUpdate();
                }
                return;
            }
            try (PreparedStatement upsert = c.prepareStatement(
                    "INSERT INTO salesforce_event_delivery (id, max, remaining, observed_at) VALUES (1, ?, ?, ?) "
                            + "ON CONFLICT (id) DO UPDATE SET max = excluded.max, remaining = excluded.remaining, "
                            + "observed_at = excluded.observed_at")) {
                upsert.setLong(1, reported.get().max());
                upsert.setLong(2, reported.get().remaining());
                upsert.setTimestamp(3, Timestamp.from(reported.get().observedAt()));
                upsert.executeUpdate();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Recording the org's event delivery allocation failed: " + e.getMessage(), e);
        }
    }

    /** The event delivery allocation as {@code /limits} last reported it; empty when it did not. */
    public Optional<EventDeliveryAllocation> lastEventDelivery() {
        try (Connection c = dataSource.getConnection(); PreparedStatement select = c.prepareStatement(
                "SELECT max, remaining, observed_at FROM salesforce_event_delivery WHERE id = 1");
             ResultSet rs = select.executeQuery()) {
            return rs.next() ? Optional.of(new EventDeliveryAllocation(rs.getLong(1), rs.getLong(2),
                    rs.getTimestamp(3).toInstant())) : Optional.empty();
        } catch (SQLException e) {
            throw new IllegalStateException("Reading the org's event delivery allocation failed: " + e.getMessage(), e);
        }
    }

    /** This service's calls in the rolling 24 hours. */
    public long ownCallsLast24Hours() {
        return ownCallsByRoute(clock.instant().minus(24, ChronoUnit.HOURS)).values().stream().mapToLong(Long::longValue).sum();
    }

    /** Calls per route since a moment (tests and benchmarks read the cost of one piece of work). */
    public Map<String, Long> ownCallsByRoute(Instant since) {
        Map<String, Long> calls = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement select = c.prepareStatement(
                "SELECT route_id, sum(calls) FROM salesforce_api_call WHERE minute >= ? GROUP BY route_id ORDER BY route_id")) {
            select.setTimestamp(1, Timestamp.from(since.truncatedTo(ChronoUnit.MINUTES)));
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    calls.put(rs.getString(1), rs.getLong(2));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Reading Salesforce call counts failed: " + e.getMessage(), e);
        }
        return calls;
    }

    /** When the org's consumption was last reported (null before the first report). */
    public Instant lastOrgUsageObservedAt() {
        try (Connection c = dataSource.getConnection(); PreparedStatement select = c.prepareStatement(
                "SELECT observed_at FROM salesforce_org_usage WHERE id = 1"); ResultSet rs = select.executeQuery()) {
            return rs.next() ? rs.getTimestamp(1).toInstant() : null;
        } catch (SQLException e) {
            throw new IllegalStateException("Reading the org's API usage failed: " + e.getMessage(), e);
        }
    }

    public Optional<SalesforceLimitInfo> lastOrgUsage() {
        try (Connection c = dataSource.getConnection(); PreparedStatement select = c.prepareStatement(
                "SELECT used, max FROM salesforce_org_usage WHERE id = 1"); ResultSet rs = select.executeQuery()) {
            return rs.next() ? Optional.of(new SalesforceLimitInfo(rs.getLong(1), rs.getLong(2))) : Optional.empty();
        } catch (SQLException e) {
            throw new IllegalStateException("Reading the org's API usage failed: " + e.getMessage(), e);
        }
    }
}

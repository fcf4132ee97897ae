package io.github.crmsync.matching;

import io.github.crmsync.mapping.ObjectType;

import javax.sql.DataSource;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/** Pairs of records in common, linked once (by e-mail match) and found again by link. */
public final class RecordLinks {

    private final DataSource dataSource;

    public RecordLinks(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Intercom id by Salesforce id, for those of the given Salesforce ids that are linked. */
    public Map<String, String> intercomIdsBySalesforceId(Collection<String> salesforceIds) {
        return lookup("SELECT salesforce_id, intercom_id FROM record_link WHERE salesforce_id = ANY (?)", salesforceIds);
    }

    /** Salesforce id by Intercom id, for those of the given Intercom ids that are linked. */
    public Map<String, String> salesforceIdsByIntercomId(Collection<String> intercomIds) {
        return lookup("SELECT intercom_id, salesforce_id FROM record_link WHERE intercom_id = ANY (?)", intercomIds);
    }

    /** The Intercom values last synced (see eventsync/SyncedValues) of those of these contacts that have them. */
    public Map<String, String> intercomStates(Collection<String> intercomIds) {
        return lookup("SELECT intercom_id, intercom_state FROM record_link WHERE intercom_id = ANY (?) "
                + "AND intercom_state IS NOT NULL", intercomIds);
    }

    /** Remembers contacts' Intercom values (see eventsync/SyncedValues) as synced now. */
    public void rememberIntercomStates(Map<String, String> stateByIntercomId) {
        updateIntercomStates("UPDATE record_link SET intercom_state = ?, last_synced_at = now() WHERE intercom_id = ?",
                stateByIntercomId);
    }

    /**
     * Stores contacts' Intercom values (see eventsync/SyncedValues) for the links that have none yet,
     * leaving values stored before untouched: those are kept true by the writes that sync them.
     */
    public void storeIntercomStatesWhereNone(Map<String, String> stateByIntercomId) {
        updateIntercomStates("UPDATE record_link SET intercom_state = ? WHERE intercom_id = ? AND intercom_state IS NULL",
                stateByIntercomId);
    }

    /** One statement, batched: {@code update}'s parameters are the state, then the contact's id. */
    private void updateIntercomStates(String update, Map<String, String> stateByIntercomId) {
        if (stateByIntercomId.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement statement = c.prepareStatement(update)) {
            for (Map.Entry<String, String> e : stateByIntercomId.entrySet()) {
                statement.setString(1, e.getValue());
                statement.setString(2, e.getKey());
                statement.addBatch();
            }
            statement.executeBatch();
        } catch (SQLException e) {
            throw new IllegalStateException("Storing synced Intercom values failed: " + e.getMessage(), e);
        }
    }

    /**
     * A sync (on any replica) just wrote these Salesforce records: an inbox card of them read before
     * now is out of date (see inbox/CardFreshness).
     */
    public void markSynced(Collection<String> salesforceIds) {
        if (salesforceIds.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement update = c.prepareStatement(
                "UPDATE record_link SET last_synced_at = now() WHERE salesforce_id = ANY (?)")) {
            update.setArray(1, c.createArrayOf("text", salesforceIds.toArray()));
            update.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Marking records as synced failed: " + e.getMessage(), e);
        }
    }

    /**
     * Event sync's poll read these Salesforce records ({@code Id}, {@code SystemModstamp}): those in a
     * version it had not read before are marked as synced now, as {@link #markSynced} does. A version
     * read again (the poll's overlap) is not, so the inbox cards read since stay current.
     */
    public void markRead(Collection<Map<String, Object>> salesforceRecords) {
        if (salesforceRecords.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement update = c.prepareStatement("""
                UPDATE record_link l SET last_synced_at = now(), salesforce_modstamp = r.stamp::timestamptz
                FROM unnest(?::text[], ?::text[]) AS r(id, stamp)
                WHERE l.salesforce_id = r.id
                  AND (r.stamp IS NULL OR l.salesforce_modstamp IS DISTINCT FROM r.stamp::timestamptz)""")) {
            update.setArray(1, c.createArrayOf("text", salesforceRecords.stream().map(r -> r.get("Id")).toArray()));
            update.setArray(2, c.createArrayOf("text", salesforceRecords.stream().map(r -> r.get("SystemModstamp")).toArray()));
            update.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Marking read records as synced failed: " + e.getMessage(), e);
        }
    }

    /** Links a pair; a record already linked to another keeps its link (the first match wins). */
    public void link(ObjectType objectType, String salesforceId, String intercomId) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement insert = c.prepareStatement(
                     "INSERT INTO record_link (object_type, salesforce_id, intercom_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
            insert.setString(1, objectType.name());
            insert.setString(2, salesforceId);
            insert.setString(3, intercomId);
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Linking " + salesforceId + " and " + intercomId + " failed: " + e.getMessage(), e);
        }
    }

    private Map<String, String> lookup(String sql, Collection<String> ids) {
        Map<String, String> found = new HashMap<>();
        if (ids.isEmpty()) {
            return found;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement select = c.prepareStatement(sql)) {
            Array array = c.createArrayOf("text", ids.toArray());
            select.setArray(1, array);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    found.put(rs.getString(1).trim(), rs.getString(2).trim());
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Reading record links failed: " + e.getMessage(), e);
        }
        return found;
    }
}

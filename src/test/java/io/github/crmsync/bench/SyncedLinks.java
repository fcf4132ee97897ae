package io.github.crmsync.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crmsync.eventsync.SyncedValues;
import io.github.crmsync.mapping.MappingSet;
import io.github.crmsync.mapping.ObjectType;
import io.github.crmsync.mapping.SandboxMappings;
import io.github.crmsync.sandbox.seed.SeedPerson;
import io.github.crmsync.testing.SimulatedWorld;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;

/** Pairs linked as a first bulk sync leaves them, for the benchmarks that start from there. */
final class SyncedLinks {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SyncedLinks() {
    }

    /** Links the pairs, their Intercom values stored as synced (record_link.intercom_state, see SyncedValues). */
    static void store(SimulatedWorld world, DataSource dataSource, List<SeedPerson> pairs) throws Exception {
        MappingSet mappings = SandboxMappings.defaults();
        try (Connection c = dataSource.getConnection(); PreparedStatement insert = c.prepareStatement(
                "INSERT INTO record_link (object_type, salesforce_id, intercom_id, intercom_state) VALUES (?, ?, ?, ?) "
                        + "ON CONFLICT DO NOTHING")) {
            for (SeedPerson p : pairs) {
                ObjectType type = p.lead() ? ObjectType.LEAD : ObjectType.CONTACT;
                insert.setString(1, type.name());
                insert.setString(2, p.salesforce().id());
                insert.setString(3, p.intercom().id());
                insert.setString(4, SyncedValues.of(mappings, type,
                        JSON.valueToTree(world.intercom.contact(p.intercom().id()).orElseThrow())));
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }
}

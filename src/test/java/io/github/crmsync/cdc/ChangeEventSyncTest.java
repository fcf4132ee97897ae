package io.github.crmsync.cdc;

import io.github.crmsync.errors.SyncErrorStore;
import io.github.crmsync.eventsync.RecordPair;
import io.github.crmsync.mapping.MappingStore;
import io.github.crmsync.mapping.SandboxMappings;
import io.github.crmsync.matching.RecordLinks;
import io.github.crmsync.testing.RouteTestDatabase;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a change event costs before any call: nothing for the service's own writes, unmapped fields
 * or unlinked records; an event that cannot be read is its records' sync error, with its replay id.
 */
class ChangeEventSyncTest {

    private static final String SERVICE_USER = "005000000000001AAA";
    private static final Schema HEADER = SchemaBuilder.record("ChangeEventHeader").fields()
            .requiredString("entityName")
            .name("recordIds").type().array().items().stringType().noDefault()
            .requiredString("changeType").requiredString("commitUser")
            .name("nulledFields").type().array().items().stringType().noDefault()
            .name("diffFields").type().array().items().stringType().noDefault()
            .name("changedFields").type().array().items().stringType().noDefault()
            .endRecord();
    /** Positions: 0 header, 1 Title (mapped to Intercom), 2 Description (not mapped). */
    private static final Schema EVENT = SchemaBuilder.record("ContactChangeEvent").fields()
            .name("ChangeEventHeader").type(HEADER).noDefault()
            .optionalString("Title").optionalString("Description").endRecord();

    private final DataSource db = RouteTestDatabase.emptied();
    private final SyncErrorStore errors = new SyncErrorStore(db);
    private final RecordLinks links = new RecordLinks(db);
    private final ChangeEventSync sync;

    ChangeEventSyncTest() {
        MappingStore mappings = new MappingStore(db);
        mappings.seedIfEmpty(SandboxMappings.defaults());
        // no Intercom or Salesforce in this test: an event that would cost a call fails it (null collaborator)
        sync = new ChangeEventSync(mappings, links, null, null, () -> SERVICE_USER, errors);
    }

    private static GenericRecord event(String recordId, String user, String changed) {
        GenericRecord header = new GenericData.Record(HEADER);
        header.put("entityName", "Contact");
        header.put("recordIds", List.of(recordId));
        header.put("changeType", "UPDATE");
        header.put("commitUser", user);
        header.put("nulledFields", List.of());
        header.put("diffFields", List.of());
        header.put("changedFields", List.of(changed));
        GenericRecord event = new GenericData.Record(EVENT);
        event.put("ChangeEventHeader", header);
        event.put("Title", "CTO");
        event.put("Description", "text");
        return event;
    }

    private List<RecordPair> pairs(GenericRecord event, String replayId) {
        return sync.pairs(List.of(new ChangeEventWorkers.Received(event, replayId, false)));
    }

    @Test
    void theServicesOwnWritesUnmappedFieldsAndUnlinkedRecordsCostNothing() {
        links.link(io.github.crmsync.mapping.ObjectType.CONTACT, "003000000000001AAA", "ic-1");
        // the service's user, 15-character form
        assertThat(pairs(event("003000000000001AAA", SERVICE_USER.substring(0, 15), "0x02"), "r1")).isEmpty();
        // Description only: not mapped
        assertThat(pairs(event("003000000000001AAA", "005000000000002AAA", "0x04"), "r2")).isEmpty();
        // Title of a record no Intercom contact is linked to
        assertThat(pairs(event("003000000000009AAA", "005000000000002AAA", "0x02"), "r3")).isEmpty();
        assertThat(sync.ignored()).isEqualTo(3);
        assertThat(errors.list(null, 10)).isEmpty();
    }

    @Test
    void aLinkedRecordsChangeIsPairedWithItsContactUnreadAndTheNewValue() {
        links.link(io.github.crmsync.mapping.ObjectType.CONTACT, "003000000000004AAA", "ic-4");

        List<RecordPair> pairs = pairs(event("003000000000004AAA", "005000000000002AAA", "0x02"), "r4");

        assertThat(pairs).singleElement().satisfies(p -> {
            assertThat(p.intercomId()).isEqualTo("ic-4");
            assertThat(p.intercomRead()).isFalse();
            assertThat(p.salesforceValues()).containsEntry("Title", "CTO").containsEntry("Id", "003000000000004AAA")
                    .doesNotContainKey("Description");
        });
    }

    @Test
    void anEventThatCannotBeReadIsItsRecordsSyncErrorWithTheReplayId() throws Exception {
        assertThat(pairs(event("003000000000002AAA", "005000000000002AAA", "0x80"), "AAAAAAAAAAs=")).isEmpty();

        List<Map<String, Object>> rows = errors.list(null, 10);
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0)).containsEntry("salesforceId", "003000000000002AAA")
                .containsEntry("errorCode", "UNREADABLE_CHANGE_EVENT").containsEntry("objectType", "CONTACT");
        assertThat((String) rows.get(0).get("message")).contains("0x80").contains("field 7");
        try (Connection c = db.getConnection(); ResultSet rs = c.createStatement().executeQuery("SELECT details FROM sync_error")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).contains("AAAAAAAAAAs=");
        }
    }

    @Test
    void theEventsOfOneTransactionGiveTheirLinkedRecordsInTheirOrderAndAnUnreadableOneAloneIsAnError() {
        links.link(io.github.crmsync.mapping.ObjectType.CONTACT, "003000000000005AAA", "ic-5");
        links.link(io.github.crmsync.mapping.ObjectType.CONTACT, "003000000000006AAA", "ic-6");
        links.link(io.github.crmsync.mapping.ObjectType.CONTACT, "003000000000007AAA", "ic-7");

        List<RecordPair> pairs = sync.pairs(List.of(
                new ChangeEventWorkers.Received(event("003000000000007AAA", "005000000000002AAA", "0x02"), "r1", false),
                new ChangeEventWorkers.Received(event("003000000000002AAA", "005000000000002AAA", "0x80"), "r2", false),
                new ChangeEventWorkers.Received(event("003000000000006AAA", SERVICE_USER, "0x02"), "r3", false),
                new ChangeEventWorkers.Received(event("003000000000005AAA", "005000000000002AAA", "0x02"), "r4", false)));

        assertThat(pairs).extracting(RecordPair::intercomId).containsExactly("ic-7", "ic-5");
        assertThat(sync.received()).isEqualTo(4);
        assertThat(sync.ignored()).isEqualTo(1);
        assertThat(errors.list(null, 10)).singleElement().satisfies(row ->
                assertThat(row).containsEntry("salesforceId", "003000000000002AAA"));
    }
}

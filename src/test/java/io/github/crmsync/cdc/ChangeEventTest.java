package io.github.crmsync.cdc;

import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Change events read as Salesforce's event-deserialization rules describe their bitmap fields. */
class ChangeEventTest {

    private static final Schema NAME = SchemaBuilder.record("Switchable_PersonName").fields()
            .optionalString("Salutation").optionalString("FirstName").optionalString("LastName").endRecord();
    private static final Schema HEADER = SchemaBuilder.record("ChangeEventHeader").fields()
            .requiredString("entityName")
            .name("recordIds").type().array().items().stringType().noDefault()
            .requiredString("changeType").requiredString("commitUser")
            .name("nulledFields").type().array().items().stringType().noDefault()
            .name("diffFields").type().array().items().stringType().noDefault()
            .name("changedFields").type().array().items().stringType().noDefault()
            .endRecord();
    /** Positions: 0 header, 1 Name, 2 Title, 3 Phone, 4 Renewal_Date__c, 5 LastModifiedDate, 6 Seats__c. */
    private static final Schema EVENT = SchemaBuilder.record("ContactChangeEvent").fields()
            .name("ChangeEventHeader").type(HEADER).noDefault()
            .name("Name").type().optional().type(NAME)
            .optionalString("Title")
            .optionalString("Phone")
            .name("Renewal_Date__c").type().optional().type(LogicalTypes.date().addToSchema(Schema.create(Schema.Type.INT)))
            .name("LastModifiedDate").type().optional().type(LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG)))
            .optionalDouble("Seats__c")
            .endRecord();

    private static GenericRecord event(List<String> changed, List<String> nulled) {
        GenericRecord header = new GenericData.Record(HEADER);
        header.put("entityName", "Contact");
        header.put("recordIds", List.of("003000000000001AAA"));
        header.put("changeType", "UPDATE");
        header.put("commitUser", "005000000000002AAA");
        header.put("nulledFields", nulled);
        header.put("diffFields", List.of());
        header.put("changedFields", changed);
        GenericRecord event = new GenericData.Record(EVENT);
        event.put("ChangeEventHeader", header);
        return event;
    }

    @Test
    void topLevelBitsNameFieldsByTheirPositionInTheSchema() {
        // bits 2, 3 and 5: 0b101100
        GenericRecord e = event(List.of("0x2C"), List.of("0x08"));
        e.put("Title", "CTO");
        e.put("LastModifiedDate", Instant.parse("2026-12-02T08:00:00Z").toEpochMilli());

        ChangeEvent read = ChangeEvent.of(e);

        assertThat(read.changedValues()).containsExactly(Map.entry("Title", "CTO"), entry("Phone", null),
                Map.entry("LastModifiedDate", "2026-12-02T08:00:00.000+0000"));
        assertThat(read.recordIds()).containsExactly("003000000000001AAA");
        assertThat(read.commitUser()).isEqualTo("005000000000002AAA");
    }

    @Test
    void aCompoundFieldsPartsAreNamedAfterThePartAndValuesComeAsTheRestApiGivesThem() {
        // "1-0x02": part 1 (FirstName) of the compound field at position 1 (Name); bits 4 and 6 at the top
        GenericRecord e = event(List.of("0x50", "1-0x02"), List.of());
        GenericRecord name = new GenericData.Record(NAME);
        name.put("FirstName", "Ada");
        e.put("Name", name);
        e.put("Renewal_Date__c", (int) LocalDate.parse("2027-01-31").toEpochDay());
        e.put("Seats__c", 12.0);

        assertThat(ChangeEvent.of(e).changedValues()).containsOnly(Map.entry("FirstName", "Ada"),
                Map.entry("Renewal_Date__c", "2027-01-31"), Map.entry("Seats__c", 12.0));
    }

    @Test
    void aBitmapNamingAFieldTheSchemaHasNotIsRefusedWithTheBitmap() {
        assertThatThrownBy(() -> ChangeEvent.of(event(List.of("0x0100"), List.of())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x0100").hasMessageContaining("field 8");
    }

    private static Map.Entry<String, Object> entry(String key, Object value) {
        return new java.util.AbstractMap.SimpleEntry<>(key, value);
    }
}

package io.github.crmsync.sandbox.salesforce;

import io.github.crmsync.sandbox.salesforce.SObjectSchema.Field;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The Avro schema of an object's change event ({@code ContactChangeEvent}, {@code LeadChangeEvent}) as
 * the Pub/Sub API serves it, and the encoding of one event. As Salesforce builds these schemas: a
 * {@code ChangeEventHeader} record first, then the object's fields, each a union with null (unchanged
 * fields are null in an update event); the name is the compound field {@code Name} (a
 * {@code Switchable_PersonName} record of Salutation, FirstName, LastName); IsDeleted and
 * SystemModstamp are left out; dates are days and date-times milliseconds since the epoch.
 * {@code changedFields}, {@code nulledFields} and {@code diffFields} are bitmaps of field positions
 * in this schema, as Salesforce's event-deserialization rules describe: the first string a hex
 * bitmap of the top-level fields ({@code 0x...}, bit n = field n), then one {@code "n-0x..."} per
 * compound field n with changed parts, its bits the compound's own fields.
 */
final class ChangeEventSchema {

    static final String NAMESPACE = "com.sforce.eventbus";
    /** The compound name's parts, in the order of Salesforce's {@code Switchable_PersonName}. */
    private static final List<String> NAME_PARTS = List.of("Salutation", "FirstName", "LastName", "MiddleName",
            "InformalName", "Suffix");
    private static final Set<String> LEFT_OUT = Set.of("Id", "IsDeleted", "SystemModstamp", "Name");

    final SObjectSchema object;
    final Schema avro;
    final String schemaId;
    /** Top-level field name in the schema → the sObject field it carries (absent for the compound Name). */
    private final Map<String, Field> fields = new LinkedHashMap<>();

    ChangeEventSchema(SObjectSchema object) {
        this.object = object;
        Schema nameSchema = SchemaBuilder.record("Switchable_PersonName").namespace(NAMESPACE).fields()
                .name("Salutation").type(nullable(Schema.create(Schema.Type.STRING))).withDefault(null)
                .name("FirstName").type(nullable(Schema.create(Schema.Type.STRING))).withDefault(null)
                .name("LastName").type(nullable(Schema.create(Schema.Type.STRING))).withDefault(null)
                .name("MiddleName").type(nullable(Schema.create(Schema.Type.STRING))).withDefault(null)
                .name("InformalName").type(nullable(Schema.create(Schema.Type.STRING))).withDefault(null)
                .name("Suffix").type(nullable(Schema.create(Schema.Type.STRING))).withDefault(null)
                .endRecord();
        List<Schema.Field> avroFields = new ArrayList<>();
        avroFields.add(new Schema.Field("ChangeEventHeader", headerSchema(), "Change Event Header", (Object) null));
        avroFields.add(new Schema.Field("Name", nullable(nameSchema), "Name", Schema.Field.NULL_DEFAULT_VALUE));
        for (Field f : object.fields()) {
            if (LEFT_OUT.contains(f.name()) || NAME_PARTS.contains(f.name())) {
                continue;
            }
            avroFields.add(new Schema.Field(f.name(), nullable(valueSchema(f)), f.label(), Schema.Field.NULL_DEFAULT_VALUE));
            fields.put(f.name(), f);
        }
        Schema record = Schema.createRecord(object.name + "ChangeEvent", null, NAMESPACE, false);
        record.setFields(avroFields);
        this.avro = record;
        this.schemaId = idOf(record.toString());
    }

    static Schema headerSchema() {
        Schema changeType = Schema.createEnum("ChangeType", null, NAMESPACE, List.of("CREATE", "UPDATE", "DELETE",
                "UNDELETE", "GAP_CREATE", "GAP_UPDATE", "GAP_DELETE", "GAP_UNDELETE", "GAP_OVERFLOW", "SNAPSHOT"));
        Schema strings = Schema.createArray(Schema.create(Schema.Type.STRING));
        return SchemaBuilder.record("ChangeEventHeader").namespace(NAMESPACE).fields()
                .name("entityName").type().stringType().noDefault()
                .name("recordIds").type(strings).noDefault()
                .name("changeType").type(changeType).noDefault()
                .name("changeOrigin").type().stringType().noDefault()
                .name("transactionKey").type().stringType().noDefault()
                .name("sequenceNumber").type().intType().noDefault()
                .name("commitTimestamp").type().longType().noDefault()
                .name("commitNumber").type().longType().noDefault()
                .name("commitUser").type().stringType().noDefault()
                .name("nulledFields").type(strings).noDefault()
                .name("diffFields").type(strings).noDefault()
                .name("changedFields").type(strings).noDefault()
                .endRecord();
    }

    private static Schema nullable(Schema schema) {
        return Schema.createUnion(Schema.create(Schema.Type.NULL), schema);
    }

    private static Schema valueSchema(Field f) {
        return switch (f.kind()) {
            case BOOLEAN -> Schema.create(Schema.Type.BOOLEAN);
            case NUMBER -> Schema.create(Schema.Type.DOUBLE);
            case DATE -> LogicalTypes.date().addToSchema(Schema.create(Schema.Type.INT));
            case DATETIME -> LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG));
            default -> Schema.create(Schema.Type.STRING);
        };
    }

    /** Salesforce's schema ids are opaque strings; here one derived from the schema's text. */
    private static String idOf(String json) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(json.getBytes(StandardCharsets.UTF_8));
            return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, 22);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The header of one change. */
    record Header(String recordId, String changeType, String changeOrigin, String transactionKey, int sequenceNumber,
                  long commitTimestamp, long commitNumber, String commitUser) {
    }

    /**
     * One update event's Avro payload: the changed fields carry their new values, all others are null;
     * the bitmaps name the changed fields and those set to null.
     */
    byte[] encode(Header header, Map<String, Object> before, Map<String, Object> after) {
        GenericRecord event = new GenericData.Record(avro);
        BitSet changed = new BitSet();
        BitSet nulled = new BitSet();
        Map<Integer, BitSet[]> compound = new TreeMap<>();
        Schema.Field nameField = avro.getField("Name");
        Schema nameSchema = nameField.schema().getTypes().get(1);
        GenericRecord name = null;
        for (String part : NAME_PARTS) {
            if (object.field(part) == null || equal(before.get(part), after.get(part))) {
                continue;
            }
            if (name == null) {
                name = new GenericData.Record(nameSchema);
            }
            Object value = after.get(part);
            name.put(part, value == null ? null : value.toString());
            int position = nameSchema.getField(part).pos();
            BitSet[] bits = compound.computeIfAbsent(nameField.pos(), p -> new BitSet[] {new BitSet(), new BitSet()});
            bits[0].set(position);
            if (value == null) {
                bits[1].set(position);
            }
        }
        event.put("Name", name);
        for (Map.Entry<String, Field> e : fields.entrySet()) {
            Object old = before.get(e.getKey());
            Object now = after.get(e.getKey());
            if (equal(old, now)) {
                continue;
            }
            int position = avro.getField(e.getKey()).pos();
            changed.set(position);
            if (now == null) {
                nulled.set(position);
            }
            event.put(e.getKey(), avroValue(e.getValue(), now));
        }
        GenericRecord h = new GenericData.Record(avro.getField("ChangeEventHeader").schema());
        h.put("entityName", object.name);
        h.put("recordIds", List.of(header.recordId()));
        h.put("changeType", new GenericData.EnumSymbol(h.getSchema().getField("changeType").schema(), header.changeType()));
        h.put("changeOrigin", header.changeOrigin());
        h.put("transactionKey", header.transactionKey());
        h.put("sequenceNumber", header.sequenceNumber());
        h.put("commitTimestamp", header.commitTimestamp());
        h.put("commitNumber", header.commitNumber());
        h.put("commitUser", header.commitUser());
        h.put("changedFields", bitmaps(changed, compound, 0));
        h.put("nulledFields", bitmaps(nulled, compound, 1));
        h.put("diffFields", List.of());
        event.put("ChangeEventHeader", h);
        return serialize(event);
    }

    private byte[] serialize(GenericRecord event) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            new GenericDatumWriter<GenericRecord>(avro).write(event, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean equal(Object a, Object b) {
        if (a instanceof BigDecimal x && b instanceof BigDecimal y) {
            return x.compareTo(y) == 0;
        }
        return a == null ? b == null : a.equals(b);
    }

    private static Object avroValue(Field f, Object value) {
        if (value == null) {
            return null;
        }
        return switch (f.kind()) {
            case BOOLEAN -> value instanceof Boolean b ? b : Boolean.parseBoolean(value.toString());
            case NUMBER -> value instanceof Number n ? n.doubleValue() : Double.parseDouble(value.toString());
            case DATE -> (int) (value instanceof LocalDate d ? d : LocalDate.parse(value.toString())).toEpochDay();
            case DATETIME -> (value instanceof Instant i ? i : SalesforceRecords.parseDateTime(value.toString())).toEpochMilli();
            default -> value.toString();
        };
    }

    /**
     * The bitmap strings of one header field: empty when no field is named, else the top-level bitmap
     * followed by each compound field's own ({@code which} picks changed or nulled parts).
     */
    private static List<String> bitmaps(BitSet topLevel, Map<Integer, BitSet[]> compound, int which) {
        List<String> out = new ArrayList<>();
        List<String> parts = new ArrayList<>();
        compound.forEach((position, bits) -> {
            if (!bits[which].isEmpty()) {
                parts.add(position + "-" + hex(bits[which]));
            }
        });
        if (topLevel.isEmpty() && parts.isEmpty()) {
            return out;
        }
        out.add(hex(topLevel));
        out.addAll(parts);
        return out;
    }

    /** A bitmap as Salesforce writes it: {@code 0x} and the big-endian bytes in upper-case hex, bit 0 the lowest. */
    static String hex(BitSet bits) {
        byte[] little = bits.toByteArray();
        if (little.length == 0) {
            return "0x00";
        }
        byte[] big = new byte[little.length];
        for (int i = 0; i < little.length; i++) {
            big[i] = little[little.length - 1 - i];
        }
        return "0x" + HexFormat.of().withUpperCase().formatHex(big);
    }
}

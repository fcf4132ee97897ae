package io.github.crmsync.cdc;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Salesforce change event (Change Data Capture over the Pub/Sub API) read from its Avro record:
 * the header's object, records, change type and committing user, and the changed fields with their
 * new values, named as the REST API names them. The header's {@code changedFields} and
 * {@code nulledFields} are bitmaps of positions in the event's schema, decoded as Salesforce's
 * event-deserialization rules say: the first string a hex bitmap of the top-level fields (bit n =
 * field n), then {@code "n-0x..."} for the parts of the compound field at position n (the name:
 * {@code Name.FirstName} is the REST API's {@code FirstName}). Values are given as the REST API's
 * JSON gives them (dates {@code yyyy-MM-dd}, date-times with milliseconds and offset), so that they
 * go through the same patch code as a poll's.
 */
public record ChangeEvent(String entityName, List<String> recordIds, String changeType, String commitUser,
                          Map<String, Object> changedValues) {

    private static final DateTimeFormatter SF_DATETIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ")
            .withZone(ZoneOffset.UTC);

    /** Reads an event; a record that is not a change event is refused with what is missing. */
    public static ChangeEvent of(GenericRecord event) {
        if (!(event.get("ChangeEventHeader") instanceof GenericRecord header)) {
            throw new IllegalArgumentException("Not a change event (no ChangeEventHeader): " + event.getSchema().getFullName());
        }
        Schema schema = event.getSchema();
        List<String> changed = fieldNames(schema, strings(header.get("changedFields")));
        List<String> nulled = fieldNames(schema, strings(header.get("nulledFields")));
        Map<String, Object> values = new LinkedHashMap<>();
        for (String path : changed) {
            values.put(restName(path), nulled.contains(path) ? null : value(event, path));
        }
        return new ChangeEvent(String.valueOf(header.get("entityName")), strings(header.get("recordIds")),
                String.valueOf(header.get("changeType")), String.valueOf(header.get("commitUser")), values);
    }

    /** The field names a header's bitmap strings stand for ({@code Parent.Child} for a compound's parts). */
    static List<String> fieldNames(Schema schema, List<String> bitmaps) {
        List<String> names = new ArrayList<>();
        for (String bitmap : bitmaps) {
            int dash = bitmap.indexOf('-');
            if (dash > 0) {
                Schema.Field parent = field(schema, Integer.parseInt(bitmap.substring(0, dash)), bitmap);
                Schema nested = nonNull(parent.schema());
                if (nested.getType() != Schema.Type.RECORD) {
                    throw new IllegalArgumentException("Bitmap " + bitmap + " names parts of " + parent.name()
                            + ", which is not a compound field");
                }
                for (int position : bits(bitmap.substring(dash + 1))) {
                    names.add(parent.name() + "." + field(nested, position, bitmap).name());
                }
            } else {
                for (int position : bits(bitmap)) {
                    names.add(field(schema, position, bitmap).name());
                }
            }
        }
        return names;
    }

    private static Schema.Field field(Schema schema, int position, String bitmap) {
        if (position < 0 || position >= schema.getFields().size()) {
            throw new IllegalArgumentException("Bitmap " + bitmap + " names field " + position + " of "
                    + schema.getName() + ", which has " + schema.getFields().size());
        }
        return schema.getFields().get(position);
    }

    private static List<Integer> bits(String hex) {
        if (!hex.startsWith("0x")) {
            throw new IllegalArgumentException("Not a bitmap: " + hex);
        }
        BigInteger bits = new BigInteger(hex.substring(2), 16);
        List<Integer> positions = new ArrayList<>();
        for (int i = 0; i < bits.bitLength(); i++) {
            if (bits.testBit(i)) {
                positions.add(i);
            }
        }
        return positions;
    }

    private static Schema nonNull(Schema schema) {
        if (schema.getType() != Schema.Type.UNION) {
            return schema;
        }
        return schema.getTypes().stream().filter(s -> s.getType() != Schema.Type.NULL).findFirst().orElse(schema);
    }

    private static String restName(String path) {
        int dot = path.indexOf('.');
        return dot < 0 ? path : path.substring(dot + 1);
    }

    private static Object value(GenericRecord event, String path) {
        int dot = path.indexOf('.');
        if (dot > 0) {
            Object parent = event.get(path.substring(0, dot));
            return parent instanceof GenericRecord r ? value(r, path.substring(dot + 1)) : null;
        }
        Schema.Field field = event.getSchema().getField(path);
        Object raw = event.get(path);
        if (raw == null) {
            return null;
        }
        Schema type = nonNull(field.schema());
        String logical = type.getLogicalType() == null ? "" : type.getLogicalType().getName();
        return switch (logical) {
            case "date" -> LocalDate.ofEpochDay(((Number) raw).longValue()).toString();
            case "timestamp-millis" -> SF_DATETIME.format(Instant.ofEpochMilli(((Number) raw).longValue()));
            default -> raw instanceof CharSequence s ? s.toString() : raw;
        };
    }

    private static List<String> strings(Object avroArray) {
        List<String> out = new ArrayList<>();
        if (avroArray instanceof List<?> list) {
            list.forEach(o -> out.add(String.valueOf(o)));
        }
        return out;
    }
}

package io.github.crmsync.sandbox.salesforce;

import io.github.crmsync.sandbox.salesforce.SObjectSchema.Field;
import io.github.crmsync.sandbox.salesforce.SObjectSchema.Kind;
import io.github.crmsync.sandbox.seed.SalesforceIds;
import io.github.crmsync.sandbox.seed.SalesforceSeed;
import io.github.crmsync.sandbox.seed.SeedData;
import io.github.crmsync.sandbox.seed.SeedPerson;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * The org's Contacts and Leads: regenerated from the seed on demand, with only changed records held
 * (an overlay) plus compact indexes: the kind of each seed index (a byte), its SystemModstamp (a
 * long) and the sorted hashes of the seeded e-mails (a long per record).
 */
final class SalesforceRecords {

    /** Picklist values an admin deactivated, as "Object.Field=value": describe shows them inactive, writes refuse them. */
    private final Set<String> inactivePicklistValues = java.util.concurrent.ConcurrentHashMap.newKeySet();


    private static final byte NONE = 0;
    private static final byte CONTACT = 1;
    private static final byte LEAD = 2;
    /** Low 32 bits all ones: never a seed index, so never a packed (hash, index) entry. */
    private static final long NO_EMAIL = -1L;
    private static final Pattern EMAIL = Pattern.compile(
            "^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$");

    /** A record-level error as Salesforce reports it. */
    record RecordError(String statusCode, String message, List<String> fields) {
        String bulkText() {
            return statusCode + ":" + message + ":" + (fields.isEmpty() ? "" : String.join(",", fields) + " ") + "--";
        }
    }

    static final class RecordException extends RuntimeException {
        final RecordError error;

        RecordException(String statusCode, String message, List<String> fields) {
            super(message, null, false, false);
            this.error = new RecordError(statusCode, message, fields);
        }
    }

    private final SeedData seed;
    private final byte[] kind;
    private final long[] stamp;
    private final long[] emailIndex;
    private final int contacts;
    private final int leads;
    private final Map<Integer, Map<String, Object>> overlay = new ConcurrentHashMap<>();
    private final AtomicLong lastStamp = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();
    /** Writes per record index (only records written since start), so tests can tell a write applied twice. */
    private final Map<Integer, AtomicLong> writesByIndex = new java.util.concurrent.ConcurrentHashMap<>();

    SalesforceRecords(SeedData seed) {
        this.seed = seed;
        int n = seed.people();
        kind = new byte[n];
        stamp = new long[n];
        long[] emails = new long[n];
        // Regenerating a million people takes seconds: spread it over the cores (each index writes its own slots).
        java.util.stream.IntStream.range(0, n).parallel().forEach(i -> {
            emails[i] = NO_EMAIL;
            SeedPerson p = seed.person(i);
            SalesforceSeed sf = p.salesforce();
            if (sf == null) {
                return;
            }
            kind[i] = p.lead() ? LEAD : CONTACT;
            stamp[i] = ((Instant) sf.fields().get("SystemModstamp")).toEpochMilli();
            Object email = sf.fields().get("Email");
            if (email != null) {
                emails[i] = ((long) emailHash(email.toString()) << 32) | i;
            }
        });
        int e = 0;
        int c = 0;
        int l = 0;
        for (int i = 0; i < n; i++) {
            if (kind[i] == LEAD) {
                l++;
            } else if (kind[i] == CONTACT) {
                c++;
            }
            if (emails[i] != NO_EMAIL) {
                emails[e++] = emails[i];
            }
        }
        emailIndex = Arrays.copyOf(emails, e);
        Arrays.sort(emailIndex);
        contacts = c;
        leads = l;
        lastStamp.set(System.currentTimeMillis());
    }

    private static int emailHash(String email) {
        return email.toLowerCase(Locale.ROOT).hashCode();
    }

    void setPicklistValueActive(SObjectSchema schema, String field, String value, boolean active) {
        String key = schema.name + "." + field + "=" + value;
        if (active) {
            inactivePicklistValues.remove(key);
        } else {
            inactivePicklistValues.add(key);
        }
    }

    boolean picklistValueInactive(SObjectSchema schema, String field, String value) {
        return !inactivePicklistValues.isEmpty() && inactivePicklistValues.contains(schema.name + "." + field + "=" + value);
    }

    int size() {
        return kind.length;
    }

    long count(SObjectSchema schema) {
        return schema == SObjectSchema.LEAD ? leads : contacts;
    }

    long writeCount() {
        return writes.get();
    }

    boolean isOf(SObjectSchema schema, int index) {
        return index >= 0 && index < kind.length && kind[index] == (schema == SObjectSchema.LEAD ? LEAD : CONTACT);
    }

    static String id(SObjectSchema schema, int index) {
        return SalesforceIds.id(schema.keyPrefix, index);
    }

    /** The seed index of an id of this object, or -1 when no such record exists. */
    int resolve(SObjectSchema schema, String id) {
        if (id == null || !id.startsWith(schema.keyPrefix)) {
            return -1;
        }
        long n = SalesforceIds.number(id);
        if (n < 0 || n >= kind.length || !isOf(schema, (int) n)) {
            return -1;
        }
        return (int) n;
    }

    long stampMillis(int index) {
        return stamp[index];
    }

    /** Current stored field values of a record (API names; absent = null). */
    Map<String, Object> fields(int index) {
        Map<String, Object> changed = overlay.get(index);
        if (changed != null) {
            return changed;
        }
        return seed.person(index).salesforce().fields();
    }

    /** A field's current value, including the computed Id and Name. */
    Object value(SObjectSchema schema, int index, Map<String, Object> fields, Field f) {
        switch (f.name()) {
            case "Id":
                return id(schema, index);
            case "IsDeleted":
                return Boolean.FALSE;
            case "Name": {
                Object first = fields.get("FirstName");
                Object last = fields.get("LastName");
                return first == null ? last : first + " " + last;
            }
            case "Newsletter__c": {
                Object v = fields.get("Newsletter__c");
                return v == null ? Boolean.FALSE : v;
            }
            default:
                return fields.get(f.name());
        }
    }

    /** A lazy row for SOQL: Id and SystemModstamp without regenerating the record. */
    Soql.Row row(SObjectSchema schema, int index) {
        return new Soql.Row() {
            private Map<String, Object> fields;

            @Override
            public Object get(Field f) {
                if (f.name().equals("Id")) {
                    return id(schema, index);
                }
                if (f.name().equals("SystemModstamp") || f.name().equals("LastModifiedDate")) {
                    return Instant.ofEpochMilli(stamp[index]);
                }
                if (fields == null) {
                    fields = fields(index);
                }
                return value(schema, index, fields, f);
            }
        };
    }

    /** Seed indexes of this object's records whose e-mail may equal one of these (to be verified). */
    int[] emailCandidates(SObjectSchema schema, List<Object> emails) {
        int[] out = new int[16];
        int n = 0;
        for (Object e : emails) {
            if (e == null) {
                continue;
            }
            long h = (long) emailHash(e.toString());
            int pos = Arrays.binarySearch(emailIndex, h << 32);
            if (pos < 0) {
                pos = -pos - 1;
            }
            while (pos < emailIndex.length && (emailIndex[pos] >> 32) == h) {
                int idx = (int) emailIndex[pos];
                if (isOf(schema, idx)) {
                    if (n == out.length) {
                        out = Arrays.copyOf(out, n * 2);
                    }
                    out[n++] = idx;
                }
                pos++;
            }
        }
        for (Integer changed : overlay.keySet()) {
            if (isOf(schema, changed)) {
                if (n == out.length) {
                    out = Arrays.copyOf(out, n * 2);
                }
                out[n++] = changed;
            }
        }
        int[] result = Arrays.copyOf(out, n);
        Arrays.sort(result);
        return Arrays.stream(result).distinct().toArray();
    }

    /** For tests: the record's current values with Id, as JSON-ready Java values. */
    Map<String, Object> snapshot(SObjectSchema schema, int index) {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> f = fields(index);
        for (Field field : schema.fields()) {
            out.put(field.name(), value(schema, index, f, field));
        }
        return out;
    }

    /**
     * Converts and validates a write body (JSON values, or CSV strings when {@code csv}) as the org
     * validates an update; the first problem is thrown as a {@link RecordException}.
     */
    Map<String, Object> convert(SObjectSchema schema, Map<String, ?> body, boolean csv) {
        Map<String, Object> out = new LinkedHashMap<>();
        List<String> readOnly = new ArrayList<>();
        for (Map.Entry<String, ?> e : body.entrySet()) {
            String name = e.getKey();
            if (name.equals("attributes") || name.equalsIgnoreCase("id")) {
                continue;
            }
            Field f = schema.field(name);
            if (f == null) {
                throw new RecordException("INVALID_FIELD", "No such column '" + name + "' on sobject of type "
                        + schema.name, List.of());
            }
            if (!f.updateable()) {
                readOnly.add(f.name());
                continue;
            }
            Object raw = e.getValue();
            if (csv) {
                String s = (String) raw;
                if (s == null || s.isEmpty()) {
                    continue; // empty CSV values leave the field unchanged
                }
                raw = s.equals("#N/A") ? null : s;
            }
            Object value = convertValue(f, raw, csv);
            if (value instanceof String text && f.restrictedPicklist() && picklistValueInactive(schema, f.name(), text)) {
                throw new RecordException("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", f.label()
                        + ": bad value for restricted picklist field: " + text, List.of(f.name()));
            }
            out.put(f.name(), value);
        }
        if (!readOnly.isEmpty()) {
            throw new RecordException("INVALID_FIELD_FOR_INSERT_UPDATE", "Unable to create/update fields: "
                    + String.join(", ", readOnly) + ". Please check the security settings of this field and verify that "
                    + "it is read/write for your profile or permission set.", readOnly);
        }
        return out;
    }

    private static Object convertValue(Field f, Object raw, boolean csv) {
        if (raw instanceof String s && s.isEmpty() && f.textual()) {
            raw = null;
        }
        if (raw == null) {
            if (!f.nillable() && f.kind() != Kind.BOOLEAN) {
                throw new RecordException("REQUIRED_FIELD_MISSING", "Required fields are missing: [" + f.name() + "]",
                        List.of(f.name()));
            }
            if (f.kind() == Kind.BOOLEAN) {
                return Boolean.FALSE;
            }
            return null;
        }
        switch (f.kind()) {
            case BOOLEAN -> {
                if (raw instanceof Boolean b) {
                    return b;
                }
                if (raw instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")
                        || (csv && (s.equals("1") || s.equals("0"))))) {
                    return s.equalsIgnoreCase("true") || s.equals("1");
                }
                throw typeError(f, raw, csv, "boolean");
            }
            case NUMBER -> {
                BigDecimal n;
                try {
                    n = raw instanceof Number num ? new BigDecimal(num.toString()) : new BigDecimal(raw.toString().trim());
                } catch (NumberFormatException e) {
                    throw typeError(f, raw, csv, "double");
                }
                n = n.setScale(f.scale(), RoundingMode.HALF_UP);
                if (n.precision() - n.scale() > f.precision() - f.scale()) {
                    throw new RecordException("NUMBER_OUTSIDE_VALID_RANGE", f.label() + ": value outside of valid range on "
                            + "numeric field: " + raw, List.of(f.name()));
                }
                return n;
            }
            case DATE -> {
                try {
                    String s = raw.toString();
                    return LocalDate.parse(s.length() > 10 ? s.substring(0, 10) : s);
                } catch (DateTimeParseException e) {
                    throw typeError(f, raw, csv, "date");
                }
            }
            case DATETIME -> {
                try {
                    return parseDateTime(raw.toString());
                } catch (DateTimeParseException e) {
                    throw typeError(f, raw, csv, "datetime");
                }
            }
            default -> {
                if (!(raw instanceof String) && !(raw instanceof Number) && !(raw instanceof Boolean)) {
                    throw typeError(f, raw, csv, "string");
                }
                String s = raw.toString();
                if (s.length() > f.length()) {
                    throw new RecordException("STRING_TOO_LONG", f.label() + ": data value too large: " + s
                            + " (max length=" + f.length() + ")", List.of(f.name()));
                }
                if (f.restrictedPicklist() && !f.picklistValues().contains(s)) {
                    throw new RecordException("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", f.label()
                            + ": bad value for restricted picklist field: " + s, List.of(f.name()));
                }
                if (f.type().equals("email") && !EMAIL.matcher(s).matches()) {
                    throw new RecordException("INVALID_EMAIL_ADDRESS", f.label() + ": invalid email address: " + s,
                            List.of(f.name()));
                }
                return s;
            }
        }
    }

    private static final DateTimeFormatter OFFSET_NO_COLON = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss[.SSS]XX");

    static Instant parseDateTime(String s) {
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
            return OffsetDateTime.parse(s, OFFSET_NO_COLON).toInstant();
        }
    }

    /** JSON bodies: a wrongly typed value fails the whole request as a parser error. */
    private static RuntimeException typeError(Field f, Object raw, boolean csv, String type) {
        if (csv) {
            return new RecordException("INVALID_TYPE_ON_FIELD_IN_RECORD", f.label() + ": value not of required type: "
                    + raw, List.of(f.name()));
        }
        String token = raw instanceof String ? "VALUE_STRING" : raw instanceof Boolean ? "VALUE_" + raw.toString().toUpperCase(Locale.ROOT)
                : raw instanceof Number ? "VALUE_NUMBER_INT" : "START_OBJECT";
        return new SalesforceApiException(400, "JSON_PARSER_ERROR", "Cannot deserialize instance of " + type + " from "
                + token + " value " + raw + " or request may be missing a required field");
    }

    /** A record as it was before a Composite request's first write to it (for a rollback). */
    private static final class Saved {
        final Map<String, Object> overlay;
        final long stamp;
        int writes;

        Saved(Map<String, Object> overlay, long stamp) {
            this.overlay = overlay;
            this.stamp = stamp;
        }
    }

    /** The writes of the Composite request running on this thread (null outside one): what a rollback restores. */
    private final ThreadLocal<Map<Integer, Saved>> journal = new ThreadLocal<>();

    /** From now on this thread's writes can be rolled back, until {@link #endTransaction()}. */
    void beginTransaction() {
        journal.set(new LinkedHashMap<>());
        held.set(new ArrayList<>());
    }

    /** Undoes this thread's writes since {@link #beginTransaction()}: values, stamps and write counts. */
    synchronized void rollback() {
        Map<Integer, Saved> saved = journal.get();
        if (saved == null) {
            return;
        }
        List<Runnable> unpublished = held.get();
        if (unpublished != null) {
            unpublished.clear(); // a rolled-back change publishes no change event
        }
        saved.forEach((index, before) -> {
            if (before.overlay == null) {
                overlay.remove(index);
            } else {
                overlay.put(index, before.overlay);
            }
            stamp[index] = before.stamp;
            writes.addAndGet(-before.writes);
            writesByIndex.get(index).addAndGet(-before.writes);
        });
        saved.clear();
    }

    /** Ends the transaction: its change events (none when it was rolled back) are published now, as it commits. */
    void endTransaction() {
        journal.remove();
        List<Runnable> events = held.get();
        held.remove();
        if (events != null) {
            synchronized (this) {
                events.forEach(Runnable::run);
            }
        }
    }

    // ---------------------------------------------------------------- change events

    /** Told of every committed record change: the record, its values before and after, and who made it. */
    interface ChangeListener {
        void changed(SObjectSchema schema, String id, Map<String, Object> before, Map<String, Object> after, long at,
                     Commit commit, int sequenceNumber);
    }

    /** Who commits this thread's writes, and as which transaction (one API request, one Bulk job's batch). */
    record Commit(String user, String origin, String transactionKey, java.util.concurrent.atomic.AtomicInteger sequence) {
        static Commit of(String user, String origin) {
            return new Commit(user, origin, java.util.UUID.randomUUID().toString(), new java.util.concurrent.atomic.AtomicInteger());
        }
    }

    private volatile ChangeListener changeListener = (schema, id, before, after, at, commit, seq) -> { };
    private final ThreadLocal<Commit> commit = new ThreadLocal<>();
    /** A Composite request's change events, published when it commits. */
    private final ThreadLocal<List<Runnable>> held = new ThreadLocal<>();
    private volatile String defaultUser = "";

    void onChange(ChangeListener listener, String defaultUser) {
        this.changeListener = listener;
        this.defaultUser = defaultUser;
    }

    /** From now on this thread's writes are committed as {@code c}'s; returns the one before, for {@link #leave}. */
    Commit enter(Commit c) {
        Commit before = commit.get();
        commit.set(c);
        return before;
    }

    void leave(Commit before) {
        if (before == null) {
            commit.remove();
        } else {
            commit.set(before);
        }
    }

    /** Who this thread's writes are committed as (the org's admin outside any request). */
    String commitUser() {
        Commit c = commit.get();
        return c == null ? defaultUser : c.user();
    }

    /** Applies converted values to one record, bumping LastModifiedDate and SystemModstamp. */
    synchronized void apply(int index, Map<String, Object> values) {
        Map<Integer, Saved> saved = journal.get();
        if (saved != null) {
            saved.computeIfAbsent(index, i -> new Saved(overlay.get(i), stamp[i])).writes++;
        }
        Map<String, Object> previous = fields(index);
        Map<String, Object> current = new HashMap<>(previous);
        for (Map.Entry<String, Object> e : values.entrySet()) {
            if (e.getValue() == null) {
                current.remove(e.getKey());
            } else {
                current.put(e.getKey(), e.getValue());
            }
        }
        long now = lastStamp.updateAndGet(last -> Math.max(System.currentTimeMillis(), last + 1));
        Instant at = Instant.ofEpochMilli(now);
        current.put("LastModifiedDate", at);
        current.put("SystemModstamp", at);
        overlay.put(index, current);
        stamp[index] = now;
        writes.incrementAndGet();
        writesByIndex.computeIfAbsent(index, i -> new AtomicLong()).incrementAndGet();
        SObjectSchema schema = kind[index] == LEAD ? SObjectSchema.LEAD : SObjectSchema.CONTACT;
        Commit c = commit.get() == null ? Commit.of(defaultUser, "") : commit.get();
        int sequence = c.sequence().incrementAndGet();
        Runnable publish = () -> changeListener.changed(schema, id(schema, index), previous, current, now, c, sequence);
        List<Runnable> pending = held.get();
        if (pending != null) {
            pending.add(publish);
        } else {
            publish.run();
        }
    }

    long writeCount(int index) {
        AtomicLong count = writesByIndex.get(index);
        return count == null ? 0 : count.get();
    }

    /** Checks that a required field would not end up empty (LastName, Company). */
    void checkRequired(SObjectSchema schema, int index, Map<String, Object> values) {
        for (Field f : schema.fields()) {
            if (f.createable() && !f.nillable() && f.kind() != Kind.BOOLEAN && values.containsKey(f.name())
                    && values.get(f.name()) == null) {
                throw new RecordException("REQUIRED_FIELD_MISSING", "Required fields are missing: [" + f.name() + "]",
                        List.of(f.name()));
            }
        }
    }
}

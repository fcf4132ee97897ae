package io.github.crmsync.mapping;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Field values of one Salesforce record, looked up ignoring case; tells "not read" from "empty". */
final class SalesforceRecord {

    private final Map<String, Object> values;

    SalesforceRecord(Map<String, Object> values) {
        this.values = values == null ? Map.of() : values;
    }

    /** Empty if the field was not read. */
    Optional<ReadValue> value(String field) {
        if (values.containsKey(field)) {
            return Optional.of(new ReadValue(values.get(field)));
        }
        String lower = field.toLowerCase(Locale.ROOT);
        for (Map.Entry<String, Object> e : values.entrySet()) {
            if (e.getKey() != null && e.getKey().toLowerCase(Locale.ROOT).equals(lower)) {
                return Optional.of(new ReadValue(e.getValue()));
            }
        }
        return Optional.empty();
    }
}

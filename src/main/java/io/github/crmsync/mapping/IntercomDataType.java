package io.github.crmsync.mapping;

import java.util.Locale;

/** Intercom data attribute {@code data_type} values; dates are Unix seconds. */
public enum IntercomDataType {
    STRING, INTEGER, FLOAT, BOOLEAN, DATE,
    /** A type this code does not know; never synced. */
    UNKNOWN;

    public static IntercomDataType fromApi(String dataType) {
        if (dataType == null) {
            return UNKNOWN;
        }
        return switch (dataType.trim().toLowerCase(Locale.ROOT)) {
            case "string" -> STRING;
            case "integer" -> INTEGER;
            case "float" -> FLOAT;
            case "boolean" -> BOOLEAN;
            case "date", "datetime" -> DATE; // both are Unix seconds on the wire
            default -> UNKNOWN;
        };
    }

    public String apiName() {
        return name().toLowerCase(Locale.ROOT);
    }
}

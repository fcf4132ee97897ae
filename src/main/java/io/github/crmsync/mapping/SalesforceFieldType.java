package io.github.crmsync.mapping;

import java.util.Locale;

/**
 * Salesforce describe field types (partner WSDL {@code fieldType}), grouped into the few kinds of
 * value the sync knows how to carry.
 */
public enum SalesforceFieldType {
    STRING(Kind.TEXT), TEXTAREA(Kind.TEXT), EMAIL(Kind.TEXT), PHONE(Kind.TEXT), URL(Kind.TEXT),
    PICKLIST(Kind.TEXT), MULTIPICKLIST(Kind.TEXT), COMBOBOX(Kind.TEXT), ENCRYPTEDSTRING(Kind.TEXT),
    ID(Kind.IDENTIFIER), REFERENCE(Kind.IDENTIFIER),
    BOOLEAN(Kind.BOOLEAN),
    INT(Kind.NUMBER), LONG(Kind.NUMBER), DOUBLE(Kind.NUMBER), CURRENCY(Kind.NUMBER), PERCENT(Kind.NUMBER),
    DATE(Kind.DATE),
    DATETIME(Kind.DATETIME),
    TIME(Kind.OTHER), BASE64(Kind.OTHER), ADDRESS(Kind.OTHER), LOCATION(Kind.OTHER), ANYTYPE(Kind.OTHER),
    JSON(Kind.OTHER), COMPLEXVALUE(Kind.OTHER), DATACATEGORYGROUPREFERENCE(Kind.OTHER),
    /** A type this code does not know yet; never synced. */
    UNKNOWN(Kind.OTHER);

    /** What a value of the type is, as far as the sync is concerned. */
    public enum Kind { TEXT, IDENTIFIER, BOOLEAN, NUMBER, DATE, DATETIME, OTHER }

    private final Kind kind;

    SalesforceFieldType(Kind kind) {
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    public boolean isPicklist() {
        return this == PICKLIST || this == MULTIPICKLIST;
    }

    /** The type of a describe {@code type} string; {@link #UNKNOWN} for anything new. */
    public static SalesforceFieldType fromDescribe(String type) {
        if (type == null) {
            return UNKNOWN;
        }
        try {
            return valueOf(type.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return UNKNOWN;
        }
    }

    /** The describe spelling, e.g. {@code datetime}. */
    public String describeName() {
        return name().toLowerCase(Locale.ROOT);
    }
}

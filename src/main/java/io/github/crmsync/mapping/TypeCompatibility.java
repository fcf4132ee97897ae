package io.github.crmsync.mapping;

import java.util.Optional;

/**
 * Which Salesforce field types and Intercom data types can be mapped to each other, and in which
 * direction. The table (Salesforce kind ↔ Intercom {@code data_type}):
 *
 * <table>
 *   <tr><th>Salesforce</th><th>Intercom</th><th>directions</th></tr>
 *   <tr><td>string, textarea, email, phone, url, picklist, multipicklist, combobox, encryptedstring</td>
 *       <td>string</td><td>both</td></tr>
 *   <tr><td>id, reference</td><td>string</td><td>Salesforce → Intercom only</td></tr>
 *   <tr><td>boolean (checkbox)</td><td>boolean</td><td>both</td></tr>
 *   <tr><td>int, long, double, currency, percent</td><td>float</td><td>both</td></tr>
 *   <tr><td>int, long, or double/currency/percent with scale 0</td><td>integer</td><td>both</td></tr>
 *   <tr><td>double, currency, percent with scale &gt; 0</td><td>integer</td>
 *       <td>Intercom → Salesforce only (Intercom could not hold the decimals)</td></tr>
 *   <tr><td>date</td><td>date</td><td>both (UTC calendar day)</td></tr>
 *   <tr><td>datetime</td><td>date</td><td>both (whole seconds)</td></tr>
 *   <tr><td>boolean, number, date, datetime</td><td>string</td>
 *       <td>Salesforce → Intercom only, as text ({@code true}, {@code 12.3}, {@code 2026-11-28},
 *       {@code 2026-11-28T10:00:00Z}); free text is never parsed into a typed Salesforce field</td></tr>
 * </table>
 * Everything else (time, base64, address, location, …) is not mapped. Percent values are carried
 * as the number Salesforce shows (85.5 means 85.5 %), not as a fraction.
 */
final class TypeCompatibility {

    private TypeCompatibility() {
    }

    /** The common form for the pair in that direction; empty if the pair cannot be mapped that way. */
    static Optional<ValueKind> kindOf(SalesforceField field, IntercomAttribute attribute, Direction direction) {
        boolean toIntercom = direction == Direction.SALESFORCE_TO_INTERCOM;
        SalesforceFieldType.Kind sf = field.kind();
        ValueKind kind = switch (attribute.dataType()) {
            case STRING -> switch (sf) {
                case TEXT -> ValueKind.TEXT;
                case IDENTIFIER -> toIntercom ? ValueKind.TEXT : null;
                case BOOLEAN, NUMBER, DATE, DATETIME -> toIntercom ? ValueKind.TEXT_RENDERING : null;
                case OTHER -> null;
            };
            case BOOLEAN -> sf == SalesforceFieldType.Kind.BOOLEAN ? ValueKind.BOOLEAN : null;
            case FLOAT -> sf == SalesforceFieldType.Kind.NUMBER ? ValueKind.NUMBER : null;
            case INTEGER -> sf == SalesforceFieldType.Kind.NUMBER && (field.scale() == 0 || !toIntercom)
                    ? ValueKind.NUMBER : null;
            case DATE -> sf == SalesforceFieldType.Kind.DATE ? ValueKind.DATE
                    : sf == SalesforceFieldType.Kind.DATETIME ? ValueKind.DATETIME : null;
            case UNKNOWN -> null;
        };
        return Optional.ofNullable(kind);
    }
}

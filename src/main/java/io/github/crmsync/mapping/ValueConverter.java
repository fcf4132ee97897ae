package io.github.crmsync.mapping;

import java.util.Objects;
import java.util.Optional;

/**
 * Converts one mapped value between Salesforce JSON and Intercom JSON, and says whether two
 * values mean the same. Stateless; never throws for bad data: problems come back as a
 * {@link ConversionResult} with a {@link ConversionErrorCode}.
 *
 * <p>Rules (see {@link TypeCompatibility} for which pairs exist):
 * <ul>
 *   <li><b>Empty:</b> null and blank text are the same on both sides; converting an empty source
 *       gives null, which clears the target (a Salesforce field that is not nillable gives
 *       {@code REQUIRED_VALUE_MISSING} instead).</li>
 *   <li><b>Text:</b> never cut: longer than the Salesforce {@code length} is {@code STRING_TOO_LONG};
 *       a restricted picklist accepts only its active values, else {@code INVALID_PICKLIST_VALUE};
 *       an unrestricted one accepts anything; a known value is matched ignoring case and written
 *       in the picklist's spelling ({@code pro} → {@code Pro}); multi-select items are
 *       {@code ;}-separated; an Email field takes only a plausible address ({@code INVALID_EMAIL}).</li>
 *   <li><b>Checkbox:</b> a Salesforce checkbox is never empty, so a null or missing Intercom
 *       boolean means false, in both directions and in comparisons.</li>
 *   <li><b>Numbers:</b> compared as decimals (12.30 = 12.3; doubles are cut to 15 significant
 *       digits, so 0.1 + 0.2 = 0.3). Written to Salesforce rounded half-up to the field's scale,
 *       as Salesforce itself would store it; too many digits before the point is
 *       {@code NUMBER_TOO_LARGE}. A fraction for an Intercom integer is {@code NOT_AN_INTEGER}.</li>
 *   <li><b>Date:</b> Intercom seconds at UTC midnight of the Salesforce date; back, the UTC day
 *       of the seconds. The JVM time zone plays no part.</li>
 *   <li><b>Datetime:</b> whole seconds; Salesforce millis are dropped on the way to Intercom and
 *       ignored when comparing, and written back as {@code .000}.</li>
 * </ul>
 * Values may be what Jackson reads into maps (String, Boolean, Integer, Long, Double, BigDecimal,
 * null), scalar {@code JsonNode}s, or text as in Bulk API CSV ({@code "true"}, {@code "12.30"}).
 * Read with {@code USE_BIG_DECIMAL_FOR_FLOATS} if numbers need more than 15 significant digits.
 */
public final class ValueConverter {

    /** The Salesforce value as Intercom should hold it. */
    public ConversionResult toIntercom(SalesforceField field, IntercomAttribute attribute, Object salesforceValue) {
        Optional<ValueKind> kind = TypeCompatibility.kindOf(field, attribute, Direction.SALESFORCE_TO_INTERCOM);
        if (kind.isEmpty()) {
            return mismatch(attribute.fullName(), field, attribute);
        }
        return filedUnder(attribute.fullName(), SalesforceValues.read(field, kind.get(), JsonScalars.plain(salesforceValue)))
                .then(common -> IntercomValues.write(attribute, kind.get(), common));
    }

    /** The Intercom value as Salesforce should hold it, checked against the field's limits. */
    public ConversionResult toSalesforce(SalesforceField field, IntercomAttribute attribute, Object intercomValue) {
        Optional<ValueKind> kind = TypeCompatibility.kindOf(field, attribute, Direction.INTERCOM_TO_SALESFORCE);
        if (kind.isEmpty()) {
            return mismatch(field.name(), field, attribute);
        }
        return filedUnder(field.name(), IntercomValues.read(attribute, kind.get(), JsonScalars.plain(intercomValue)))
                .then(common -> SalesforceValues.write(field, kind.get(), common, "Intercom " + attribute.fullName()));
    }

    /** Whether two Salesforce values of the field mean the same (unreadable values equal only themselves). */
    public boolean sameInSalesforce(SalesforceField field, IntercomAttribute attribute, Object a, Object b) {
        Object x = JsonScalars.plain(a);
        Object y = JsonScalars.plain(b);
        Optional<ValueKind> kind = TypeCompatibility.kindOf(field, attribute, Direction.INTERCOM_TO_SALESFORCE)
                .or(() -> TypeCompatibility.kindOf(field, attribute, Direction.SALESFORCE_TO_INTERCOM));
        return kind.map(k -> same(SalesforceValues.read(field, k, x), SalesforceValues.read(field, k, y), x, y))
                .orElseGet(() -> Objects.equals(x, y));
    }

    /** Whether two Intercom values of the attribute mean the same (unreadable values equal only themselves). */
    public boolean sameInIntercom(SalesforceField field, IntercomAttribute attribute, Object a, Object b) {
        Object x = JsonScalars.plain(a);
        Object y = JsonScalars.plain(b);
        Optional<ValueKind> kind = TypeCompatibility.kindOf(field, attribute, Direction.SALESFORCE_TO_INTERCOM);
        return kind.map(k -> same(IntercomValues.read(attribute, k, x), IntercomValues.read(attribute, k, y), x, y))
                .orElseGet(() -> Objects.equals(x, y));
    }

    private static boolean same(ConversionResult x, ConversionResult y, Object a, Object b) {
        if (x.isOk() && y.isOk()) {
            return Objects.equals(x.value(), y.value());
        }
        return Objects.equals(a, b);
    }

    /** An unreadable source value is an error of the attribute that could not be written. */
    private static ConversionResult filedUnder(String target, ConversionResult read) {
        return read.error().map(e -> ConversionResult.failed(e.code(), target, e.message())).orElse(read);
    }

    private static ConversionResult mismatch(String target, SalesforceField field, IntercomAttribute attribute) {
        return ConversionResult.failed(ConversionErrorCode.TYPE_MISMATCH, target, "Salesforce "
                + SalesforceValues.title(field) + " is of type " + field.type().describeName() + " and Intercom "
                + attribute.fullName() + " of type " + attribute.dataType().apiName()
                + "; they cannot be converted in this direction");
    }
}

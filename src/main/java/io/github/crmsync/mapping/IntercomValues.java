package io.github.crmsync.mapping;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * Intercom JSON values ↔ the common forms of {@link ValueKind}. Intercom dates are Unix seconds;
 * a Salesforce date is the UTC calendar day of those seconds (never the JVM's zone).
 */
final class IntercomValues {

    private IntercomValues() {
    }

    static ConversionResult read(IntercomAttribute attribute, ValueKind kind, Object value) {
        String name = "Intercom " + attribute.fullName();
        return switch (kind) {
            case TEXT, TEXT_RENDERING -> CommonValues.text(value, name);
            case BOOLEAN -> CommonValues.bool(value, name);
            case NUMBER -> CommonValues.number(value, name);
            case DATE -> seconds(value, name).then(s -> ConversionResult.ok(s == null ? null
                    : LocalDate.ofInstant(Instant.ofEpochSecond((Long) s), ZoneOffset.UTC)));
            case DATETIME -> seconds(value, name).then(s -> ConversionResult.ok(s == null ? null
                    : Instant.ofEpochSecond((Long) s)));
        };
    }

    static ConversionResult write(IntercomAttribute attribute, ValueKind kind, Object common) {
        if (common == null) {
            return ConversionResult.ok(null);
        }
        return switch (kind) {
            case TEXT, TEXT_RENDERING, BOOLEAN -> ConversionResult.ok(common);
            case NUMBER -> writeNumber(attribute, (BigDecimal) common);
            case DATE -> ConversionResult.ok(((LocalDate) common).atStartOfDay(ZoneOffset.UTC).toEpochSecond());
            case DATETIME -> ConversionResult.ok(((Instant) common).getEpochSecond());
        };
    }

    private static ConversionResult writeNumber(IntercomAttribute attribute, BigDecimal number) {
        if (attribute.dataType() != IntercomDataType.INTEGER) {
            return ConversionResult.ok(number.doubleValue());
        }
        try {
            return ConversionResult.ok(number.longValueExact());
        } catch (ArithmeticException e) {
            return ConversionResult.failed(ConversionErrorCode.NOT_AN_INTEGER, attribute.fullName(), "The value "
                    + number.toPlainString() + " is not a whole number, but Intercom " + attribute.fullName()
                    + " holds integers only");
        }
    }

    /** Unix seconds from a JSON number or numeric text; null and blank are no date. */
    private static ConversionResult seconds(Object value, String name) {
        ConversionResult number = CommonValues.number(value, name);
        if (number.isOk() && number.value() == null) {
            return number;
        }
        if (number.isOk()) {
            try {
                return ConversionResult.ok(((BigDecimal) number.value()).longValueExact());
            } catch (ArithmeticException e) {
                // a fractional number of seconds is not something Intercom stores; reject below
            }
        }
        return ConversionResult.failed(ConversionErrorCode.NOT_A_DATE, name,
                name + " has " + CommonValues.describe(value) + ", which is not a date in Unix seconds");
    }
}

package io.github.crmsync.mapping;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Salesforce JSON values ↔ the common forms of {@link ValueKind}. Writing checks everything
 * Salesforce would reject (length, restricted picklist, e-mail, number size) so that the record
 * fails here, with a clear message, rather than in the API call.
 */
final class SalesforceValues {

    /** {@code 2026-11-28T10:00:00.000+0000}, as Salesforce returns datetimes. */
    static final DateTimeFormatter DATETIME_OUT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ").withZone(ZoneOffset.UTC);

    /** Accepts the REST form and the Bulk/SOQL forms: optional millis, offset {@code +0000}, {@code +00:00}, {@code Z} or none (UTC). */
    private static final DateTimeFormatter DATETIME_IN = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME)
            .optionalStart().appendOffset("+HH:MM", "Z").optionalEnd()
            .optionalStart().appendOffset("+HHMM", "Z").optionalEnd()
            .parseDefaulting(java.time.temporal.ChronoField.OFFSET_SECONDS, 0)
            .toFormatter();

    /** Close to what Salesforce accepts for an Email field: ASCII local part, dotted domain, no spaces. */
    private static final Pattern EMAIL = Pattern.compile(
            "^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                    + "@[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$");

    private static final LocalDate FIRST_DAY = LocalDate.of(1700, 1, 1);
    private static final LocalDate LAST_DAY = LocalDate.of(4000, 12, 31);

    private SalesforceValues() {
    }

    static ConversionResult read(SalesforceField field, ValueKind kind, Object value) {
        String name = "Salesforce " + title(field);
        return switch (kind) {
            case TEXT -> CommonValues.text(value, name);
            case BOOLEAN -> CommonValues.bool(value, name);
            case NUMBER -> CommonValues.number(value, name);
            case DATE -> date(value, name);
            case DATETIME -> datetime(value, name);
            case TEXT_RENDERING -> render(field, value);
        };
    }

    static ConversionResult write(SalesforceField field, ValueKind kind, Object common, String source) {
        if (common == null) {
            return field.nillable() ? ConversionResult.ok(null)
                    : fail(ConversionErrorCode.REQUIRED_VALUE_MISSING, field,
                    source + " is empty, but Salesforce " + title(field) + " must have a value");
        }
        return switch (kind) {
            case TEXT -> writeText(field, (String) common, source);
            case BOOLEAN -> ConversionResult.ok(common);
            case NUMBER -> writeNumber(field, (BigDecimal) common, source);
            case DATE -> inSalesforceRange(field, (LocalDate) common, source)
                    .then(d -> ConversionResult.ok(d.toString()));
            case DATETIME -> inSalesforceRange(field, LocalDate.ofInstant((Instant) common, ZoneOffset.UTC), source)
                    .then(d -> ConversionResult.ok(DATETIME_OUT.format((Instant) common)));
            case TEXT_RENDERING -> fail(ConversionErrorCode.TYPE_MISMATCH, field,
                    "Text from " + source + " is never parsed into Salesforce " + title(field));
        };
    }

    private static ConversionResult writeText(SalesforceField field, String text, String source) {
        String value = text;
        if (field.type().isPicklist()) {
            Optional<String> known = picklistValue(field, value);
            if (known.isEmpty() && field.restrictedPicklist()) {
                return fail(ConversionErrorCode.INVALID_PICKLIST_VALUE, field, source + " has \"" + text
                        + "\", which is not a value of the Salesforce picklist " + title(field) + " "
                        + field.picklistValues());
            }
            value = known.orElse(value); // an unrestricted picklist takes new values as they are
            if (value.isEmpty()) {
                return ConversionResult.ok(null); // nothing but separators: an empty multi-select
            }
        }
        if (field.type() == SalesforceFieldType.EMAIL && !EMAIL.matcher(value).matches()) {
            return fail(ConversionErrorCode.INVALID_EMAIL, field,
                    source + " has \"" + text + "\", which is not a valid e-mail address for Salesforce " + title(field));
        }
        if (field.length() > 0 && value.length() > field.length()) {
            return fail(ConversionErrorCode.STRING_TOO_LONG, field, source + " has " + value.length()
                    + " characters; Salesforce " + title(field) + " allows at most " + field.length());
        }
        return ConversionResult.ok(value);
    }

    /**
     * The picklist's own spelling of the value (matched ignoring case, as the Salesforce UI does);
     * for a multi-select picklist every {@code ;}-separated item must match.
     */
    private static Optional<String> picklistValue(SalesforceField field, String value) {
        if (field.type() == SalesforceFieldType.MULTIPICKLIST) {
            List<String> items = new ArrayList<>();
            for (String item : value.split(";")) {
                if (item.isBlank()) {
                    continue;
                }
                Optional<String> match = single(field, item.trim());
                if (match.isEmpty()) {
                    return Optional.empty();
                }
                items.add(match.get());
            }
            return Optional.of(String.join(";", items));
        }
        return single(field, value);
    }

    private static Optional<String> single(SalesforceField field, String value) {
        return field.picklistValues().stream().filter(v -> v.equals(value)).findFirst()
                .or(() -> field.picklistValues().stream().filter(v -> v.equalsIgnoreCase(value)).findFirst());
    }

    /**
     * Rounds half-up to the field's scale (Salesforce stores numbers that way too, so what is
     * written reads back equal and never causes a second write), but a value whose whole part
     * does not fit is an error rather than a different number.
     */
    private static ConversionResult writeNumber(SalesforceField field, BigDecimal number, String source) {
        int scale = isWhole(field) ? 0 : Math.max(field.scale(), 0);
        BigDecimal rounded = number.setScale(scale, RoundingMode.HALF_UP);
        int wholeDigits = Math.max(rounded.precision() - rounded.scale(), 0);
        int maxWholeDigits = field.precision() - scale;
        if (field.precision() > 0 && wholeDigits > maxWholeDigits) {
            return fail(ConversionErrorCode.NUMBER_TOO_LARGE, field, source + " has " + number.toPlainString()
                    + "; Salesforce " + title(field) + " holds at most " + maxWholeDigits + " digits before the point");
        }
        if (isWhole(field)) {
            try {
                return ConversionResult.ok(rounded.longValueExact());
            } catch (ArithmeticException e) {
                return fail(ConversionErrorCode.NUMBER_TOO_LARGE, field,
                        source + " has " + number.toPlainString() + ", too large for Salesforce " + title(field));
            }
        }
        return ConversionResult.ok(rounded);
    }

    /**
     * Salesforce accepts dates from 1700-01-01 to 4000-12-31; outside that is almost always
     * milliseconds sent where seconds belong, and is refused here rather than by the API.
     */
    private static ConversionResult inSalesforceRange(SalesforceField field, LocalDate day, String source) {
        if (day.isBefore(FIRST_DAY) || day.isAfter(LAST_DAY)) {
            return fail(ConversionErrorCode.NOT_A_DATE, field, source + " is " + day + ", outside the dates Salesforce "
                    + title(field) + " accepts (" + FIRST_DAY + " to " + LAST_DAY + "); was it in milliseconds?");
        }
        return ConversionResult.ok(day);
    }

    private static boolean isWhole(SalesforceField field) {
        return field.type() == SalesforceFieldType.INT || field.type() == SalesforceFieldType.LONG;
    }

    private static ConversionResult date(Object value, String field) {
        if (value instanceof LocalDate d) {
            return ConversionResult.ok(d);
        }
        if (value == null || value instanceof CharSequence s && s.toString().isBlank()) {
            return ConversionResult.ok(null);
        }
        try {
            return ConversionResult.ok(LocalDate.parse(value.toString().trim()));
        } catch (DateTimeParseException e) {
            return ConversionResult.failed(ConversionErrorCode.NOT_A_DATE, field,
                    field + " has " + CommonValues.describe(value) + ", which is not a date (YYYY-MM-DD)");
        }
    }

    /** Whole seconds: Intercom has no millis, so both sides compare at the second. */
    private static ConversionResult datetime(Object value, String field) {
        Instant instant;
        if (value == null || value instanceof CharSequence s && s.toString().isBlank()) {
            return ConversionResult.ok(null);
        } else if (value instanceof Instant i) {
            instant = i;
        } else if (value instanceof OffsetDateTime o) {
            instant = o.toInstant();
        } else if (value instanceof ZonedDateTime z) {
            instant = z.toInstant();
        } else {
            try {
                instant = OffsetDateTime.parse(value.toString().trim(), DATETIME_IN).toInstant();
            } catch (DateTimeParseException e) {
                return ConversionResult.failed(ConversionErrorCode.NOT_A_DATE, field,
                        field + " has " + CommonValues.describe(value) + ", which is not a date and time");
            }
        }
        return ConversionResult.ok(instant.truncatedTo(ChronoUnit.SECONDS));
    }

    private static ConversionResult render(SalesforceField field, Object value) {
        ValueKind kind = switch (field.kind()) {
            case BOOLEAN -> ValueKind.BOOLEAN;
            case NUMBER -> ValueKind.NUMBER;
            case DATE -> ValueKind.DATE;
            case DATETIME -> ValueKind.DATETIME;
            default -> ValueKind.TEXT;
        };
        return read(field, kind, value).then(common -> ConversionResult.ok(
                common instanceof BigDecimal d ? d.toPlainString() : common == null ? null : common.toString()));
    }

    static String title(SalesforceField field) {
        return field.label().equals(field.name()) ? field.name() : field.label() + " (" + field.name() + ")";
    }

    private static ConversionResult fail(ConversionErrorCode code, SalesforceField field, String message) {
        return ConversionResult.failed(code, field.name(), message);
    }
}

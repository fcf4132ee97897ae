package io.github.crmsync.mapping;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;

/** Reading JSON scalars into the common forms of {@link ValueKind}, the same way for both systems. */
final class CommonValues {

    /**
     * A double carries about 15–17 significant digits; keeping 15 removes binary noise such as
     * 0.1 + 0.2 = 0.30000000000000004 while keeping every digit a person could have typed.
     */
    private static final MathContext DOUBLE_DIGITS = new MathContext(15, RoundingMode.HALF_EVEN);

    private CommonValues() {
    }

    // Each reader takes the value's origin as an operator would name it ("Intercom custom_attributes.arr")
    // for its messages; the caller sets which field the error is filed under.

    /** Blank and null are the same: nothing. */
    static ConversionResult text(Object value, String origin) {
        if (value == null) {
            return ConversionResult.ok(null);
        }
        if (value instanceof CharSequence s) {
            return ConversionResult.ok(s.toString().isBlank() ? null : s.toString());
        }
        if (value instanceof BigDecimal d) {
            return ConversionResult.ok(d.toPlainString());
        }
        if (value instanceof Number || value instanceof Boolean) {
            return ConversionResult.ok(String.valueOf(value));
        }
        return ConversionResult.failed(ConversionErrorCode.TYPE_MISMATCH, origin,
                origin + " has " + describe(value) + ", which is not text");
    }

    /** A checkbox is never empty: null and blank mean unticked. */
    static ConversionResult bool(Object value, String origin) {
        if (value == null) {
            return ConversionResult.ok(Boolean.FALSE);
        }
        if (value instanceof Boolean b) {
            return ConversionResult.ok(b);
        }
        if (value instanceof CharSequence s) {
            String t = s.toString().trim();
            if (t.isEmpty()) {
                return ConversionResult.ok(Boolean.FALSE);
            }
            if (t.equalsIgnoreCase("true") || t.equalsIgnoreCase("false")) {
                return ConversionResult.ok(Boolean.valueOf(t.toLowerCase(java.util.Locale.ROOT)));
            }
        }
        return ConversionResult.failed(ConversionErrorCode.NOT_A_BOOLEAN, origin,
                origin + " has " + describe(value) + ", which is neither true nor false");
    }

    /** Any JSON number (or numeric text) as a BigDecimal without trailing zeros or float noise. */
    static ConversionResult number(Object value, String origin) {
        BigDecimal d;
        if (value == null) {
            return ConversionResult.ok(null);
        } else if (value instanceof BigDecimal b) {
            d = b;
        } else if (value instanceof BigInteger i) {
            d = new BigDecimal(i);
        } else if (value instanceof Double || value instanceof Float) {
            double x = ((Number) value).doubleValue();
            if (Double.isNaN(x) || Double.isInfinite(x)) {
                return notANumber(value, origin);
            }
            d = BigDecimal.valueOf(x).round(DOUBLE_DIGITS);
        } else if (value instanceof Number n) {
            d = BigDecimal.valueOf(n.longValue());
        } else if (value instanceof CharSequence s) {
            String t = s.toString().trim();
            if (t.isEmpty()) {
                return ConversionResult.ok(null);
            }
            try {
                d = new BigDecimal(t);
            } catch (NumberFormatException e) {
                return notANumber(value, origin);
            }
        } else {
            return notANumber(value, origin);
        }
        return ConversionResult.ok(canonical(d));
    }

    static BigDecimal canonical(BigDecimal d) {
        return d.signum() == 0 ? BigDecimal.ZERO : d.stripTrailingZeros();
    }

    static String describe(Object value) {
        if (value instanceof CharSequence) {
            return "\"" + value + "\"";
        }
        return value + " (" + value.getClass().getSimpleName() + ")";
    }

    private static ConversionResult notANumber(Object value, String origin) {
        return ConversionResult.failed(ConversionErrorCode.NOT_A_NUMBER, origin,
                origin + " has " + describe(value) + ", which is not a number");
    }
}

package io.github.crmsync.mapping;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/** A converted value (which may be null: "clear the target") or the reason there is none. */
public final class ConversionResult {

    private static final ConversionResult NULL = new ConversionResult(null, null);

    private final Object value;
    private final ConversionError error;

    private ConversionResult(Object value, ConversionError error) {
        this.value = value;
        this.error = error;
    }

    public static ConversionResult ok(Object value) {
        return value == null ? NULL : new ConversionResult(value, null);
    }

    public static ConversionResult failed(ConversionError error) {
        return new ConversionResult(null, Objects.requireNonNull(error, "error"));
    }

    public static ConversionResult failed(ConversionErrorCode code, String field, String message) {
        return failed(new ConversionError(code, field, message));
    }

    public boolean isOk() {
        return error == null;
    }

    /** The converted value; only for a successful result. */
    public Object value() {
        if (error != null) {
            throw new IllegalStateException("No value: " + error.message());
        }
        return value;
    }

    public Optional<ConversionError> error() {
        return Optional.ofNullable(error);
    }

    /** Applies the next step to a successful value; a failure passes through unchanged. */
    public ConversionResult then(Function<Object, ConversionResult> next) {
        return error == null ? next.apply(value) : this;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConversionResult other && Objects.equals(value, other.value)
                && Objects.equals(error, other.error);
    }

    @Override
    public int hashCode() {
        return Objects.hash(value, error);
    }

    @Override
    public String toString() {
        return error == null ? "ok(" + value + ")" : "failed(" + error + ")";
    }
}

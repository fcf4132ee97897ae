package io.github.crmsync.mapping;

import java.util.Objects;

/** A value of one record that could not be synced under one mapping. */
public record AttributeError(AttributeMapping mapping, ConversionError error) {

    public AttributeError {
        Objects.requireNonNull(mapping, "mapping");
        Objects.requireNonNull(error, "error");
    }

    public Direction direction() {
        return mapping.direction();
    }

    /** The code the error store shows, e.g. {@code STRING_TOO_LONG}. */
    public String code() {
        return error.code().name();
    }
}

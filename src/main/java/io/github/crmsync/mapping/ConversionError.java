package io.github.crmsync.mapping;

import java.util.Objects;

/**
 * Why a value could not be converted.
 *
 * @param field   the attribute that could not be written, as the target system names it
 *                ({@code Notes__c} or {@code custom_attributes.notes})
 * @param message a sentence for an operator, naming both sides and the offending value's problem
 */
public record ConversionError(ConversionErrorCode code, String field, String message) {

    public ConversionError {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
    }
}

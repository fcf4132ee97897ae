package io.github.crmsync.mapping;

import java.util.Objects;

/**
 * One thing wrong with one mapping, said so that an operator knows what to change.
 *
 * @param message a sentence about the problem (the mapping itself is in {@link #describe()})
 */
public record MappingProblem(AttributeMapping mapping, Kind kind, String message) {

    public enum Kind {
        UNKNOWN_SALESFORCE_FIELD,
        UNKNOWN_INTERCOM_ATTRIBUTE,
        SALESFORCE_FIELD_NOT_UPDATEABLE,
        INTERCOM_ATTRIBUTE_NOT_WRITABLE,
        INCOMPATIBLE_TYPES,
        DUPLICATE_INTERCOM_ATTRIBUTE,
        DUPLICATE_SALESFORCE_FIELD,
        /** A system field the sync must never write (Id, SystemModstamp, Intercom id or role, …). */
        PROTECTED_FIELD,
        /** The e-mail that records are matched by may be read from, never written to. */
        MATCH_KEY_NOT_WRITABLE
    }

    public MappingProblem {
        Objects.requireNonNull(mapping, "mapping");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
    }

    /** The mapping and the problem in one line, e.g. for a log or a form's error list. */
    public String describe() {
        return mapping.describe() + ": " + message;
    }
}

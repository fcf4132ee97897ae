package io.github.crmsync.mapping;

/**
 * The common form a mapped value takes between the two systems. Values of one kind are compared
 * in that form, so representations that mean the same (12.30 and 12.3, "" and null, a date and
 * the same day's Unix seconds) are equal.
 */
enum ValueKind {
    /** String or null; blank is null. */
    TEXT,
    /** Boolean, never null: a missing checkbox is unticked. */
    BOOLEAN,
    /** BigDecimal without trailing zeros, or null. */
    NUMBER,
    /** LocalDate (the UTC calendar day in Intercom), or null. */
    DATE,
    /** Instant to the whole second, or null. */
    DATETIME,
    /** Any Salesforce value rendered as text for an Intercom string (Salesforce → Intercom only). */
    TEXT_RENDERING
}

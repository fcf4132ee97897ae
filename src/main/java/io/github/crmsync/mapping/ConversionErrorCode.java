package io.github.crmsync.mapping;

/** Why one value of one record could not be carried to the other side; shown as is in the error store. */
public enum ConversionErrorCode {
    /** Text longer than the Salesforce field allows (never cut silently). */
    STRING_TOO_LONG,
    /** Not one of the active values of a restricted Salesforce picklist. */
    INVALID_PICKLIST_VALUE,
    /** Not an e-mail address Salesforce would accept. */
    INVALID_EMAIL,
    NOT_A_NUMBER,
    /** A fractional number for an Intercom integer attribute. */
    NOT_AN_INTEGER,
    /** More digits before the point than the Salesforce field holds. */
    NUMBER_TOO_LARGE,
    NOT_A_DATE,
    NOT_A_BOOLEAN,
    /** A clear (null or blank) for a Salesforce field that must have a value. */
    REQUIRED_VALUE_MISSING,
    /** The two types cannot be converted (the mapping should have been rejected). */
    TYPE_MISMATCH,
    /** The mapping names a field or attribute the live schema no longer has. */
    UNKNOWN_FIELD
}

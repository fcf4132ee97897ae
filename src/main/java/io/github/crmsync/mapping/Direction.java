package io.github.crmsync.mapping;

/** Which system owns an attribute: values flow from the source to the other side, never back. */
public enum Direction {
    SALESFORCE_TO_INTERCOM,
    INTERCOM_TO_SALESFORCE
}

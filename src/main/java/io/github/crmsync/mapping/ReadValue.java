package io.github.crmsync.mapping;

/** A value that was read from a record; {@code value} may be null (read, and empty). */
record ReadValue(Object value) {
}

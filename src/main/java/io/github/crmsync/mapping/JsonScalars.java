package io.github.crmsync.mapping;

import com.fasterxml.jackson.databind.JsonNode;

/** Lets callers hand in values straight from a Jackson tree as well as from a Jackson-read map. */
final class JsonScalars {

    private JsonScalars() {
    }

    /** The plain Java value of a scalar {@link JsonNode}; anything else unchanged. */
    static Object plain(Object value) {
        if (!(value instanceof JsonNode node)) {
            return value;
        }
        if (node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isIntegralNumber()) {
            return node.bigIntegerValue();
        }
        if (node.isNumber()) {
            return node.isBigDecimal() ? node.decimalValue() : (Object) node.doubleValue();
        }
        return node;
    }
}

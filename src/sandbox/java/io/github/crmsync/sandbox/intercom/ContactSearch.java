package io.github.crmsync.sandbox.intercom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.crmsync.sandbox.seed.SeedData;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Intercom's contact search query language, compiled to a predicate over stored contacts.
 *
 * <p>A query is one filter {@code {field, operator, value}} or a group {@code {operator: AND|OR,
 * value: [...]}}; groups nest at most two levels deep and hold at most 15 entries, as documented.
 * Operators by field type follow the 2.14 description of {@code POST /contacts/search}: strings
 * {@code = != IN NIN ~ !~ ^ $}; integers and floats {@code = != IN NIN < > <= >=}; booleans
 * {@code = != IN NIN}; dates {@code = < >} only.
 *
 * <p>Dates are compared <em>by calendar day</em> in the workspace time zone (the simulator's workspace
 * is on UTC), as the 2.14 description states: the value is truncated to its day, {@code =} matches that
 * whole day, {@code >} matches from the start of the next day and {@code <} everything before the start
 * of that day. E-mail comparisons ignore case; other strings compare exactly.
 */
final class ContactSearch {

    static final int MAX_DEPTH = 2;
    static final int MAX_FILTERS_PER_GROUP = 15;
    private static final long DAY = 86_400;

    enum Type { STRING, EMAIL, INTEGER, FLOAT, BOOLEAN, DATE }

    private static final Map<String, Type> STANDARD_FIELDS = standardFields();

    /** A contact being tested: cheap fields come from the store's arrays, the rest from its JSON, built once. */
    static final class Row {
        private final ContactStore store;
        final int position;
        private ObjectNode json;

        Row(ContactStore store, int position) {
            this.store = store;
            this.position = position;
        }

        ObjectNode json() {
            if (json == null) {
                json = store.contact(position);
            }
            return json;
        }

        JsonNode field(String field) {
            switch (field) {
                case "id":
                    return com.fasterxml.jackson.databind.node.TextNode.valueOf(store.id(position));
                case "role":
                    return com.fasterxml.jackson.databind.node.TextNode.valueOf(store.role(position));
                case "updated_at":
                    return com.fasterxml.jackson.databind.node.LongNode.valueOf(store.updatedAt(position));
                case "created_at":
                    return com.fasterxml.jackson.databind.node.LongNode.valueOf(store.createdAt(position));
                case "avatar":
                    JsonNode avatar = json().get("avatar");
                    return avatar == null || avatar.isNull() ? avatar : avatar.get("image_url");
                case "tag_id":
                case "segment_id":
                    return null; // the sandbox's contacts carry no tags and belong to no segment
                default:
                    JsonNode node = json();
                    for (String part : field.split("\\.", 2)) {
                        node = node == null ? null : node.get(part);
                    }
                    return node;
            }
        }
    }

    interface Condition {
        boolean test(Row row);

        /** The only positions that can match, in order, or null when any position may. */
        default int[] candidates() {
            return null;
        }
    }

    private final ContactStore store;

    ContactSearch(ContactStore store) {
        this.store = store;
    }

    Condition compile(JsonNode query) {
        if (query == null || !query.isObject()) {
            throw IntercomApiException.parameterInvalid("query must be an object");
        }
        return compile(query, 0);
    }

    private Condition compile(JsonNode node, int depth) {
        if (!node.isObject()) {
            throw IntercomApiException.parameterInvalid("Each search filter must be an object");
        }
        String operator = text(node.get("operator"));
        if ("AND".equals(operator) || "OR".equals(operator)) {
            return group(operator, node.get("value"), depth + 1);
        }
        return filter(node);
    }

    private Condition group(String operator, JsonNode value, int depth) {
        if (depth > MAX_DEPTH) {
            throw IntercomApiException.parameterInvalid("Search queries support a maximum of 2 nested filters");
        }
        if (value == null || !value.isArray() || value.isEmpty()) {
            throw IntercomApiException.parameterInvalid("The value of an " + operator + " group must be a non-empty array of filters");
        }
        if (value.size() > MAX_FILTERS_PER_GROUP) {
            throw IntercomApiException.parameterInvalid("Search queries support a maximum of 15 filters per " + operator + " group");
        }
        List<Condition> parts = new ArrayList<>();
        for (JsonNode child : value) {
            parts.add(compile(child, depth));
        }
        boolean and = "AND".equals(operator);
        return new Condition() {
            @Override
            public boolean test(Row row) {
                for (Condition part : parts) {
                    if (part.test(row) != and) {
                        return !and;
                    }
                }
                return and;
            }

            @Override
            public int[] candidates() {
                int[] best = null;
                Set<Integer> union = new TreeSet<>();
                for (Condition part : parts) {
                    int[] c = part.candidates();
                    if (and) {
                        if (c != null && (best == null || c.length < best.length)) {
                            best = c;
                        }
                    } else {
                        if (c == null) {
                            return null;
                        }
                        Arrays.stream(c).forEach(union::add);
                    }
                }
                return and ? best : union.stream().mapToInt(Integer::intValue).toArray();
            }
        };
    }

    private Condition filter(JsonNode node) {
        String field = text(node.get("field"));
        String operator = text(node.get("operator"));
        if (field == null) {
            throw IntercomApiException.parameterInvalid("Each search filter needs a field");
        }
        if (operator == null) {
            throw IntercomApiException.parameterInvalid("Each search filter needs an operator");
        }
        Type type = typeOf(field);
        if (field.equals("tag_id") && !operator.equals("=") && !operator.equals("!=")) {
            throw unsupported(operator, field); // "Searching by tag_id supports only the = and != operators"
        }
        JsonNode value = node.get("value");
        Check check = check(field, type, operator, value);
        int[] candidates = candidatesFor(field, operator, value);
        return new Condition() {
            @Override
            public boolean test(Row row) {
                return check.test(row.field(field));
            }

            @Override
            public int[] candidates() {
                return candidates;
            }
        };
    }

    private interface Check {
        boolean test(JsonNode actual);
    }

    private Check check(String field, Type type, String operator, JsonNode value) {
        switch (operator) {
            case "=":
            case "!=": {
                boolean negate = operator.equals("!=");
                if (type == Type.DATE) {
                    if (negate) {
                        throw unsupported(operator, field);
                    }
                    long day = Math.floorDiv(dateValue(field, value), DAY);
                    return actual -> isNumber(actual) && Math.floorDiv(actual.asLong(), DAY) == day;
                }
                if (value == null || value.isNull()) {
                    return actual -> negate != (actual == null || actual.isNull());
                }
                Object wanted = scalar(field, type, value);
                return actual -> negate != equalsValue(type, actual, wanted);
            }
            case "IN":
            case "NIN": {
                if (type == Type.DATE) {
                    throw unsupported(operator, field);
                }
                if (value == null || !value.isArray()) {
                    throw IntercomApiException.parameterInvalid("The value of an " + operator + " filter must be an array");
                }
                List<Object> wanted = new ArrayList<>();
                for (JsonNode v : value) {
                    wanted.add(scalar(field, type, v));
                }
                boolean negate = operator.equals("NIN");
                return actual -> negate != wanted.stream().anyMatch(w -> equalsValue(type, actual, w));
            }
            case "<":
            case ">":
            case "<=":
            case ">=": {
                if (type == Type.DATE) {
                    if (operator.length() == 2) {
                        throw unsupported(operator, field);
                    }
                    long dayStart = Math.floorDiv(dateValue(field, value), DAY) * DAY;
                    return operator.equals(">")
                            ? actual -> isNumber(actual) && actual.asLong() >= dayStart + DAY
                            : actual -> isNumber(actual) && actual.asLong() < dayStart;
                }
                if (type != Type.INTEGER && type != Type.FLOAT) {
                    throw unsupported(operator, field);
                }
                double bound = ((Number) scalar(field, type, value)).doubleValue();
                return actual -> {
                    if (!isNumber(actual)) {
                        return false;
                    }
                    double a = actual.asDouble();
                    return switch (operator) {
                        case "<" -> a < bound;
                        case ">" -> a > bound;
                        case "<=" -> a <= bound;
                        default -> a >= bound;
                    };
                };
            }
            case "~":
            case "!~":
            case "^":
            case "$": {
                if (type != Type.STRING && type != Type.EMAIL) {
                    throw unsupported(operator, field);
                }
                String wanted = (String) scalar(field, type, value);
                boolean ignoreCase = type == Type.EMAIL;
                String w = ignoreCase ? wanted.toLowerCase(Locale.ROOT) : wanted;
                return actual -> {
                    if (actual == null || !actual.isTextual()) {
                        return operator.equals("!~");
                    }
                    String a = ignoreCase ? actual.asText().toLowerCase(Locale.ROOT) : actual.asText();
                    return switch (operator) {
                        case "~" -> a.contains(w);
                        case "!~" -> !a.contains(w);
                        case "^" -> a.startsWith(w);
                        default -> a.endsWith(w);
                    };
                };
            }
            default:
                throw IntercomApiException.parameterInvalid("Operator '" + operator + "' is not supported");
        }
    }

    private int[] candidatesFor(String field, String operator, JsonNode value) {
        if (!operator.equals("=") && !operator.equals("IN")) {
            return null;
        }
        List<JsonNode> values = new ArrayList<>();
        if (value != null && value.isArray()) {
            value.forEach(values::add);
        } else if (value != null) {
            values.add(value);
        }
        if (field.equals("email")) {
            Set<Integer> positions = new TreeSet<>();
            for (JsonNode v : values) {
                for (int p : store.positionsWithEmail(v.asText())) {
                    positions.add(p);
                }
            }
            return positions.stream().mapToInt(Integer::intValue).toArray();
        }
        if (field.equals("id")) {
            Set<Integer> positions = new TreeSet<>();
            for (JsonNode v : values) {
                int p = store.positionOf(v.asText());
                if (p >= 0) {
                    positions.add(p);
                }
            }
            return positions.stream().mapToInt(Integer::intValue).toArray();
        }
        return null;
    }

    private static boolean equalsValue(Type type, JsonNode actual, Object wanted) {
        if (actual == null || actual.isNull()) {
            return false;
        }
        return switch (type) {
            case EMAIL -> actual.isTextual() && actual.asText().equalsIgnoreCase((String) wanted);
            case STRING -> actual.isTextual() && actual.asText().equals(wanted);
            case INTEGER, FLOAT -> actual.isNumber() && actual.asDouble() == ((Number) wanted).doubleValue();
            case BOOLEAN -> actual.isBoolean() && actual.asBoolean() == (Boolean) wanted;
            case DATE -> actual.isNumber() && actual.asLong() == (Long) wanted;
        };
    }

    private static Object scalar(String field, Type type, JsonNode value) {
        if (value == null || value.isNull() || value.isContainerNode()) {
            throw valueInvalid(field);
        }
        switch (type) {
            case STRING, EMAIL -> {
                if (!value.isValueNode() || value.isBoolean()) {
                    throw valueInvalid(field);
                }
                return value.asText();
            }
            case BOOLEAN -> {
                if (value.isBoolean()) {
                    return value.asBoolean();
                }
                if (value.isTextual() && (value.asText().equals("true") || value.asText().equals("false"))) {
                    return Boolean.parseBoolean(value.asText());
                }
                throw valueInvalid(field);
            }
            case INTEGER, FLOAT -> {
                if (value.isNumber()) {
                    return value.numberValue();
                }
                try {
                    return Double.parseDouble(value.asText());
                } catch (NumberFormatException e) {
                    throw valueInvalid(field);
                }
            }
            default -> {
                return dateValue(field, value);
            }
        }
    }

    private static long dateValue(String field, JsonNode value) {
        if (value != null && value.isIntegralNumber()) {
            return value.asLong();
        }
        if (value != null && value.isTextual() && value.asText().matches("-?\\d{1,12}")) {
            return Long.parseLong(value.asText());
        }
        throw valueInvalid(field);
    }

    private static boolean isNumber(JsonNode node) {
        return node != null && node.isNumber();
    }

    static Type typeOf(String field) {
        Type standard = STANDARD_FIELDS.get(field);
        if (standard != null) {
            return standard;
        }
        if (field.startsWith("custom_attributes.")) {
            String dataType = SeedData.INTERCOM_CUSTOM_ATTRIBUTES.get(field.substring("custom_attributes.".length()));
            if (dataType != null) {
                return switch (dataType) {
                    case "integer" -> Type.INTEGER;
                    case "float" -> Type.FLOAT;
                    case "boolean" -> Type.BOOLEAN;
                    case "date" -> Type.DATE;
                    default -> Type.STRING;
                };
            }
        }
        throw IntercomApiException.badRequest("invalid_field", field + " is not a valid search field");
    }

    private static IntercomApiException unsupported(String operator, String field) {
        return IntercomApiException.parameterInvalid("Operator '" + operator + "' is not supported for field " + field);
    }

    private static IntercomApiException valueInvalid(String field) {
        return IntercomApiException.parameterInvalid("Invalid value for field " + field);
    }

    private static String text(JsonNode node) {
        return node != null && node.isTextual() ? node.asText() : null;
    }

    private static Map<String, Type> standardFields() {
        Map<String, Type> f = new java.util.HashMap<>();
        for (String s : new String[] {"id", "role", "name", "avatar", "email_domain", "phone", "formatted_phone",
            "external_id", "language_override", "browser", "browser_language", "os", "location.country",
            "location.region", "location.city", "ios_app_version", "ios_device", "ios_app_device", "ios_os_version",
            "ios_app_name", "ios_sdk_version", "android_app_version", "android_device", "android_app_name",
            "android_sdk_version", "andoid_sdk_version", "segment_id", "tag_id"}) {
            f.put(s, Type.STRING);
        }
        f.put("email", Type.EMAIL);
        f.put("owner_id", Type.INTEGER);
        for (String s : new String[] {"created_at", "signed_up_at", "updated_at", "last_seen_at", "last_contacted_at",
            "last_replied_at", "last_email_opened_at", "last_email_clicked_at", "ios_last_seen_at", "android_last_seen_at"}) {
            f.put(s, Type.DATE);
        }
        for (String s : new String[] {"unsubscribed_from_emails", "marked_email_as_spam", "has_hard_bounced"}) {
            f.put(s, Type.BOOLEAN);
        }
        return Map.copyOf(f);
    }

    /** For tests and diagnostics: the names of all standard searchable fields. */
    static Set<String> standardFieldNames() {
        return new HashSet<>(STANDARD_FIELDS.keySet());
    }
}

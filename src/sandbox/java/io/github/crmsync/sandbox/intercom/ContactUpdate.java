package io.github.crmsync.sandbox.intercom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.crmsync.sandbox.seed.SeedData;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The body of {@code PUT /contacts/{id}} applied to a contact: the standard writable fields of
 * {@code update_contact_request} and {@code custom_attributes}, whose keys left out stay as they
 * are (a null value clears one). The whole body is checked before anything changes, so a rejected
 * request changes nothing.
 */
final class ContactUpdate {

    /** Allowed values of the list attributes (those with {@code options} in the data attributes). */
    static final Map<String, List<String>> OPTIONS = Map.of("plan", List.of("Free", "Pro", "Team", "Enterprise"));

    private ContactUpdate() {
    }

    /**
     * Applies the body to {@code contact} in place.
     *
     * @return whether any value changed
     */
    static boolean apply(ObjectNode contact, JsonNode body, long nowEpochSecond) {
        if (body == null || !body.isObject()) {
            throw IntercomApiException.parameterInvalid("Body must be a JSON object");
        }
        validate(contact, body);
        ObjectNode before = contact.deepCopy();
        body.fields().forEachRemaining(e -> set(contact, e.getKey(), e.getValue()));
        if (before.equals(contact)) {
            return false;
        }
        contact.put("updated_at", Math.max(nowEpochSecond, before.get("updated_at").asLong()));
        return true;
    }

    private static void validate(ObjectNode contact, JsonNode body) {
        for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String field = e.getKey();
            JsonNode v = e.getValue();
            switch (field) {
                case "role" -> {
                    if (!v.isTextual() || !(v.asText().equals("user") || v.asText().equals("lead"))) {
                        throw IntercomApiException.parameterInvalid("role must be one of user, lead");
                    }
                    if (v.asText().equals("lead") && "user".equals(contact.get("role").asText())) {
                        throw IntercomApiException.badRequest("client_error", "Contact with user role can't be converted to a lead");
                    }
                }
                case "email" -> {
                    if (!v.isTextual() || (!v.asText().isEmpty() && !v.asText().matches("[^@\\s]+@[^@\\s]+"))) {
                        throw IntercomApiException.parameterInvalid("email is invalid");
                    }
                }
                case "external_id", "phone", "name", "avatar" -> requireType(field, v, v.isTextual(), "a string");
                case "signed_up_at", "last_seen_at", "owner_id" -> requireType(field, v, v.isIntegralNumber(), "an integer");
                case "unsubscribed_from_emails" -> requireType(field, v, v.isBoolean(), "a boolean");
                case "custom_attributes" -> {
                    if (v.isNull()) {
                        continue;
                    }
                    if (!v.isObject()) {
                        throw IntercomApiException.parameterInvalid("custom_attributes must be an object");
                    }
                    v.fields().forEachRemaining(a -> validateCustom(a.getKey(), a.getValue()));
                }
                default -> {
                    // Intercom ignores body fields it does not know (e.g. read-only ones such as id).
                }
            }
        }
    }

    private static void requireType(String field, JsonNode v, boolean ok, String what) {
        if (!v.isNull() && !ok) {
            throw IntercomApiException.parameterInvalid(field + " must be " + what);
        }
    }

    private static void validateCustom(String name, JsonNode value) {
        String dataType = SeedData.INTERCOM_CUSTOM_ATTRIBUTES.get(name);
        if (dataType == null) {
            throw IntercomApiException.parameterInvalid("Custom attribute '" + name + "' does not exist");
        }
        if (value.isNull()) {
            return;
        }
        boolean ok = switch (dataType) {
            case "string" -> value.isTextual();
            case "boolean" -> value.isBoolean();
            case "integer", "date" -> value.isIntegralNumber()
                    || (value.isNumber() && value.asDouble() == Math.rint(value.asDouble()));
            case "float" -> value.isNumber();
            default -> false;
        };
        if (!ok) {
            throw IntercomApiException.parameterInvalid("'" + value.asText() + "' is not a valid value for '" + name + "'");
        }
        List<String> options = OPTIONS.get(name);
        if (options != null && !options.contains(value.asText())) {
            throw IntercomApiException.parameterInvalid("'" + value.asText() + "' is not a valid value for '" + name + "'");
        }
    }

    private static void set(ObjectNode contact, String field, JsonNode v) {
        switch (field) {
            case "role", "external_id", "phone", "name", "signed_up_at", "last_seen_at", "owner_id",
                 "unsubscribed_from_emails" -> contact.set(field, v.deepCopy());
            case "email" -> {
                contact.set("email", v.deepCopy());
                contact.put("email_domain", ContactRenderer.emailDomain(v.asText()));
            }
            case "avatar" -> {
                if (v.isNull()) {
                    contact.putNull("avatar");
                } else {
                    ObjectNode avatar = contact.putObject("avatar");
                    avatar.put("type", "avatar");
                    avatar.put("image_url", v.asText());
                }
            }
            case "custom_attributes" -> {
                if (v.isNull()) {
                    return;
                }
                ObjectNode custom = (ObjectNode) contact.get("custom_attributes");
                v.fields().forEachRemaining(a -> {
                    if (a.getValue().isNull()) {
                        custom.remove(a.getKey());
                    } else {
                        String type = SeedData.INTERCOM_CUSTOM_ATTRIBUTES.get(a.getKey());
                        JsonNode value = a.getValue();
                        if (("integer".equals(type) || "date".equals(type)) && !value.isIntegralNumber()) {
                            custom.put(a.getKey(), value.asLong());
                        } else {
                            custom.set(a.getKey(), value.deepCopy());
                        }
                    }
                });
            }
            default -> {
            }
        }
    }
}

package io.github.crmsync.inbox;

import io.github.crmsync.mapping.ObjectType;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The Canvas Kit answers of the inbox app, as plain maps ready to be written as JSON:
 * {@code {"canvas": {"content": {"components": [...]}, "stored_data": {...}}}}. One card per outcome
 * of the look-up: the record, no match, several matches, Salesforce out of API calls, and a card
 * for a contact the app cannot look up or a Salesforce that could not be read.
 */
public final class CanvasCards {

    /** What an empty value shows as. */
    public static final String EMPTY = "—";

    private CanvasCards() {
    }

    /**
     * The card of one Salesforce record: its name and type, the mapped fields (label from describe,
     * else API name) with their values as text, and a button that opens the record in Salesforce.
     */
    public static Map<String, Object> record(ObjectType type, Map<String, Object> record, List<String> fields,
                                             Function<String, String> labels, String instanceUrl) {
        String id = text(record.get("Id"));
        String name = text(record.get("Name"));
        List<Map<String, Object>> components = new ArrayList<>();
        components.add(text("title", "**Salesforce " + type.salesforceObject() + "**", "header"));
        components.add(text("record-name", markdown(name), "paragraph"));
        List<Map<String, Object>> items = new ArrayList<>();
        for (String field : fields) {
            String label = labels.apply(field);
            items.add(fieldValue(label == null || label.isBlank() ? field : label, text(valueOf(record, field))));
        }
        if (!items.isEmpty()) {
            components.add(Map.of("type", "data-table", "items", items));
        }
        components.add(Map.of("type", "spacer", "size", "s"));
        components.add(button("open-salesforce", "Open in Salesforce", recordUrl(instanceUrl, id)));
        Map<String, Object> stored = new LinkedHashMap<>();
        stored.put("salesforce_id", id);
        stored.put("salesforce_object", type.salesforceObject());
        return canvas(components, stored);
    }

    /** No Salesforce record has the contact's link or e-mail. */
    public static Map<String, Object> noMatch(ObjectType type, String email) {
        String how = email == null || email.isBlank() ? "This contact has no e-mail address to match by."
                : "No Salesforce " + type.salesforceObject() + " has the e-mail " + markdown(email) + ".";
        return message("no-match", "**No Salesforce " + type.salesforceObject() + " found**", how + " Nothing is synced for it.",
                Map.of("outcome", "no_match"));
    }

    /** The contact is linked to a Salesforce record that no longer exists (deleted or merged). */
    public static Map<String, Object> linkedRecordMissing(ObjectType type, String salesforceId) {
        return message("no-match", "**No Salesforce " + type.salesforceObject() + " found**",
                "The linked Salesforce " + type.salesforceObject() + " " + markdown(salesforceId)
                        + " no longer exists. Nothing is synced for this contact.",
                Map.of("outcome", "no_match", "salesforce_id", salesforceId));
    }

    /** Two or more Salesforce records share the contact's e-mail: none is chosen. */
    public static Map<String, Object> ambiguous(ObjectType type, String email, long count) {
        return message("ambiguous", "**" + count + " Salesforce " + type.salesforceObject() + "s match**",
                count + " Salesforce " + type.salesforceObject() + " records have the e-mail " + markdown(email)
                        + ". None is shown or synced until only one does.",
                Map.of("outcome", "ambiguous", "candidates", count));
    }

    /** The org has spent its 24-hour API allowance: nothing can be read now. */
    public static Map<String, Object> outOfApiCalls() {
        return message("out-of-api-calls", "**Salesforce is out of API calls**",
                "The Salesforce org has used its API allowance for the last 24 hours, so the record cannot be read now. "
                        + "Try again later.", Map.of("outcome", "out_of_api_calls"));
    }

    /** The contact is neither a user nor a lead (e.g. a visitor): nothing to look up. */
    public static Map<String, Object> notSynced(String role) {
        String what = role == null || role.isBlank() ? "a contact without a role" : "a " + markdown(role);
        return message("not-synced", "**Not synced with Salesforce**",
                "This is " + what + ": only users (Salesforce Contacts) and leads (Salesforce Leads) are synced.",
                Map.of("outcome", "not_synced"));
    }

    /** Salesforce could not be read for another reason (unreachable, an error). */
    public static Map<String, Object> unavailable() {
        return message("unavailable", "**Salesforce could not be read**",
                "The Salesforce record could not be loaded just now. Try again in a moment.",
                Map.of("outcome", "unavailable"));
    }

    /**
     * The card with how fresh it is: a muted line "As of 3 minutes ago (14:03 UTC)" before its
     * button (or at its end), and {@code as_of} in its stored data.
     */
    public static Map<String, Object> withFreshness(Map<String, Object> card, Instant asOf, Instant now) {
        return withFreshness(card, asOf, now, null, false);
    }

    /**
     * The same, with when the service last synced the record (wrote it, or read it and found it in step:
     * {@code record_link.last_synced_at}, null: never) as a second muted line: "Last synced 5 minutes ago (14:01 UTC)".
     */
    public static Map<String, Object> withFreshness(Map<String, Object> card, Instant asOf, Instant now, Instant lastSynced) {
        return withFreshness(card, asOf, now, lastSynced, true);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> withFreshness(Map<String, Object> card, Instant asOf, Instant now, Instant lastSynced,
                                                     boolean showSynced) {
        Map<String, Object> canvas = (Map<String, Object>) card.get("canvas");
        List<Map<String, Object>> components = new ArrayList<>(
                (List<Map<String, Object>>) ((Map<String, Object>) canvas.get("content")).get("components"));
        int at = components.size();
        for (int i = 0; i < components.size(); i++) {
            if ("spacer".equals(components.get(i).get("type"))) {
                at = i;
                break;
            }
        }
        components.add(at, text("as-of", "As of " + freshness(asOf, now), "muted"));
        if (showSynced) {
            components.add(at + 1, text("last-synced", lastSynced == null ? "Not synced yet"
                    : "Last synced " + freshness(lastSynced, now), "muted"));
        }
        Map<String, Object> stored = new LinkedHashMap<>((Map<String, Object>) canvas.get("stored_data"));
        stored.put("as_of", asOf.toString());
        return canvas(components, stored);
    }

    /** "just now (14:03 UTC)", "3 minutes ago (14:03 UTC)", "2 days ago (30 Nov 2026, 14:03 UTC)". */
    static String freshness(Instant asOf, Instant now) {
        long seconds = Math.max(0, Duration.between(asOf, now).toSeconds());
        String ago = seconds < 60 ? "just now"
                : seconds < 3_600 ? count(seconds / 60, "minute") + " ago"
                : seconds < 2 * 86_400 ? count(seconds / 3_600, "hour") + " ago"
                : count(seconds / 86_400, "day") + " ago";
        ZonedDateTime at = asOf.atZone(ZoneOffset.UTC);
        String pattern = at.toLocalDate().equals(now.atZone(ZoneOffset.UTC).toLocalDate()) ? "HH:mm" : "d MMM yyyy, HH:mm";
        return ago + " (" + DateTimeFormatter.ofPattern(pattern, Locale.ENGLISH).format(at) + " UTC)";
    }

    private static String count(long n, String unit) {
        return n + " " + unit + (n == 1 ? "" : "s");
    }

    /** A field value as the card shows it: text as is, numbers without a trailing {@code .0}, empty as {@link #EMPTY}. */
    public static String text(Object value) {
        if (value == null) {
            return EMPTY;
        }
        if (value instanceof Double || value instanceof Float || value instanceof BigDecimal) {
            BigDecimal number = value instanceof BigDecimal d ? d : BigDecimal.valueOf(((Number) value).doubleValue());
            return number.stripTrailingZeros().toPlainString();
        }
        String text = String.valueOf(value);
        return text.isBlank() ? EMPTY : text;
    }

    static String recordUrl(String instanceUrl, String id) {
        String base = instanceUrl == null ? "" : instanceUrl.replaceAll("/+$", "");
        return base + "/" + id;
    }

    /** A value of the record, looked up by field name ignoring case (Salesforce answers with its own spelling). */
    private static Object valueOf(Map<String, Object> record, String field) {
        if (record.containsKey(field)) {
            return record.get(field);
        }
        return record.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(field)).map(Map.Entry::getValue)
                .findFirst().orElse(null);
    }

    /** Text with Markdown's emphasis characters escaped, so a name like {@code *Ada*} shows as typed. */
    private static String markdown(String value) {
        return value.replaceAll("([\\\\*_`\\[\\]])", "\\\\$1");
    }

    private static Map<String, Object> message(String id, String title, String body, Map<String, Object> stored) {
        List<Map<String, Object>> components = List.of(text(id, title, "header"), text(id + "-detail", body, "muted"));
        return canvas(components, stored);
    }

    private static Map<String, Object> text(String id, String text, String style) {
        Map<String, Object> component = new LinkedHashMap<>();
        component.put("type", "text");
        component.put("id", id);
        component.put("text", text);
        component.put("style", style);
        component.put("align", "left");
        return component;
    }

    private static Map<String, Object> fieldValue(String field, String value) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("type", "field-value");
        item.put("field", field);
        item.put("value", value);
        return item;
    }

    private static Map<String, Object> button(String id, String label, String url) {
        Map<String, Object> button = new LinkedHashMap<>();
        button.put("type", "button");
        button.put("id", id);
        button.put("label", label);
        button.put("style", "secondary");
        button.put("action", Map.of("type", "url", "url", url));
        return button;
    }

    private static Map<String, Object> canvas(List<Map<String, Object>> components, Map<String, Object> stored) {
        Map<String, Object> canvas = new LinkedHashMap<>();
        canvas.put("content", Map.of("components", components));
        canvas.put("stored_data", stored);
        return Map.of("canvas", canvas);
    }
}

package io.github.crmsync.sandbox.intercom;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.crmsync.sandbox.seed.SeedData;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code GET /data_attributes?model=contact}: Intercom's standard contact attributes (data type and
 * whether the API may write them) followed by the workspace's custom attributes, which carry an id,
 * {@code full_name} {@code custom_attributes.<name>} and, for list attributes, their options.
 */
final class DataAttributes {

    private static final long CREATED = 1_735_689_600L; // 2025-01-01T00:00:00Z
    private static final int FIRST_CUSTOM_ID = 1_200;

    /** name, label, data_type, api_writable. */
    private static final String[][] STANDARD = {
        {"id", "ID", "string", "false"},
        {"name", "Name", "string", "true"},
        {"email", "Email", "string", "true"},
        {"email_domain", "Email domain", "string", "false"},
        {"phone", "Phone", "string", "true"},
        {"external_id", "User ID", "string", "true"},
        {"role", "Role", "string", "true"},
        {"avatar", "Avatar", "string", "true"},
        {"owner_id", "Owner", "integer", "true"},
        {"unsubscribed_from_emails", "Unsubscribed from emails", "boolean", "true"},
        {"marked_email_as_spam", "Marked email as spam", "boolean", "false"},
        {"has_hard_bounced", "Has hard bounced", "boolean", "false"},
        {"created_at", "Created at", "date", "false"},
        {"updated_at", "Updated at", "date", "false"},
        {"signed_up_at", "Signed up", "date", "true"},
        {"last_seen_at", "Last seen", "date", "true"},
        {"last_contacted_at", "Last contacted", "date", "false"},
        {"last_replied_at", "Last heard from", "date", "false"},
        {"last_email_opened_at", "Last opened email", "date", "false"},
        {"last_email_clicked_at", "Last clicked on link in email", "date", "false"},
        {"language_override", "Language override", "string", "true"},
        {"browser", "Browser", "string", "false"},
        {"browser_language", "Browser language", "string", "false"},
        {"os", "OS", "string", "false"},
        {"location.country", "Country", "string", "false"},
        {"location.region", "Region", "string", "false"},
        {"location.city", "City", "string", "false"},
    };

    private DataAttributes() {
    }

    static ObjectNode contactAttributes(ObjectMapper mapper) {
        ObjectNode list = mapper.createObjectNode();
        list.put("type", "list");
        ArrayNode data = list.putArray("data");
        for (String[] s : STANDARD) {
            ObjectNode a = data.addObject();
            a.put("type", "data_attribute");
            a.put("name", s[0].contains(".") ? s[0].substring(s[0].indexOf('.') + 1) : s[0]);
            a.put("full_name", s[0]);
            a.put("label", s[1]);
            a.put("description", "");
            a.put("data_type", s[2]);
            a.put("api_writable", Boolean.parseBoolean(s[3]));
            a.put("ui_writable", Boolean.parseBoolean(s[3]));
            a.put("messenger_writable", false);
            a.put("custom", false);
            a.put("archived", false);
            a.put("model", "contact");
        }
        int id = FIRST_CUSTOM_ID;
        for (Map.Entry<String, String> e : SeedData.INTERCOM_CUSTOM_ATTRIBUTES.entrySet()) {
            ObjectNode a = data.addObject();
            a.put("type", "data_attribute");
            a.put("id", id++);
            a.put("name", e.getKey());
            a.put("full_name", "custom_attributes." + e.getKey());
            a.put("label", label(e.getKey()));
            a.put("description", "");
            a.put("data_type", e.getValue());
            List<String> options = ContactUpdate.OPTIONS.get(e.getKey());
            if (options != null) {
                ArrayNode o = a.putArray("options");
                options.forEach(o::add);
            }
            a.put("api_writable", true);
            a.put("ui_writable", true);
            a.put("messenger_writable", false);
            a.put("custom", true);
            a.put("archived", false);
            a.put("model", "contact");
            a.put("created_at", CREATED);
            a.put("updated_at", CREATED);
            a.put("admin_id", "991267390");
        }
        return list;
    }

    private static String label(String name) {
        StringBuilder b = new StringBuilder();
        for (String word : name.split("_")) {
            if (b.length() > 0) {
                b.append(' ');
            }
            b.append(word.substring(0, 1).toUpperCase(Locale.ROOT)).append(word.substring(1));
        }
        return b.toString();
    }
}

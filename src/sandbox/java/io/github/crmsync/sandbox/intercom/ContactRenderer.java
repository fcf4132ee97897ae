package io.github.crmsync.sandbox.intercom;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.crmsync.sandbox.seed.IntercomSeed;

import java.util.Locale;
import java.util.Map;

/**
 * Turns a seeded Intercom contact into the JSON Intercom 2.14 returns for it: every property of the
 * spec's {@code contact} schema (nulls where the seed has nothing), the list objects for tags, notes,
 * companies and subscription types, and {@code enabled_push_messaging} as GET/PUT responses carry it.
 */
final class ContactRenderer {

    static final String WORKSPACE_ID = "sbx0icsim";

    private static final String[] NULL_AFTER_TIMESTAMPS = {"last_replied_at", "last_contacted_at",
        "last_email_opened_at", "last_email_clicked_at", "language_override", "browser", "browser_version",
        "browser_language", "os"};
    private static final String[] DEVICE_FIELDS = {"android_app_name", "android_app_version", "android_device",
        "android_os_version", "android_sdk_version", "android_last_seen_at", "ios_app_name", "ios_app_version",
        "ios_device", "ios_os_version", "ios_sdk_version", "ios_last_seen_at"};
    private static final String[] TRAILING_NULLS = {"utm_campaign", "utm_content", "utm_medium", "utm_source",
        "utm_term", "referrer", "enabled_push_messaging"};

    private final ObjectMapper mapper;

    ContactRenderer(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    ObjectNode render(IntercomSeed seed) {
        ObjectNode c = mapper.createObjectNode();
        c.put("type", "contact");
        c.put("id", seed.id());
        c.put("workspace_id", WORKSPACE_ID);
        c.putNull("external_id");
        c.put("role", seed.role());
        c.put("email", seed.email());
        c.put("email_domain", emailDomain(seed.email()));
        putNullable(c, "phone", seed.phone());
        putNullable(c, "name", seed.name());
        c.putNull("avatar");
        c.putNull("owner_id");
        ObjectNode social = c.putObject("social_profiles");
        social.put("type", "list");
        social.putArray("data");
        c.put("has_hard_bounced", false);
        c.put("marked_email_as_spam", false);
        c.put("unsubscribed_from_emails", false);
        c.put("created_at", seed.createdAt());
        c.put("updated_at", seed.updatedAt());
        if ("user".equals(seed.role())) {
            c.put("signed_up_at", seed.createdAt());
        } else {
            c.putNull("signed_up_at");
        }
        c.putNull("last_seen_at");
        for (String field : NULL_AFTER_TIMESTAMPS) {
            c.putNull(field);
        }
        ObjectNode location = c.putObject("location");
        location.put("type", "location");
        for (String field : new String[] {"country", "region", "city", "country_code", "continent_code"}) {
            location.putNull(field);
        }
        for (String field : DEVICE_FIELDS) {
            c.putNull(field);
        }
        ObjectNode custom = c.putObject("custom_attributes");
        for (Map.Entry<String, Object> e : seed.customAttributes().entrySet()) {
            custom.set(e.getKey(), mapper.valueToTree(e.getValue()));
        }
        addressableList(c, "tags", seed.id(), "tags");
        addressableList(c, "notes", seed.id(), "notes");
        addressableList(c, "companies", seed.id(), "companies");
        addressableList(c, "opted_out_subscription_types", seed.id(), "subscriptions");
        addressableList(c, "opted_in_subscription_types", seed.id(), "subscriptions");
        for (String field : TRAILING_NULLS) {
            c.putNull(field);
        }
        return c;
    }

    static String emailDomain(String email) {
        if (email == null) {
            return null;
        }
        int at = email.lastIndexOf('@');
        return at < 0 ? "" : email.substring(at + 1).toLowerCase(Locale.ROOT);
    }

    private static void addressableList(ObjectNode c, String field, String id, String path) {
        ObjectNode list = c.putObject(field);
        list.put("type", "list");
        list.putArray("data");
        list.put("url", "/contacts/" + id + "/" + path);
        list.put("total_count", 0);
        list.put("has_more", false);
    }

    private static void putNullable(ObjectNode c, String field, String value) {
        if (value == null) {
            c.putNull(field);
        } else {
            c.put(field, value);
        }
    }
}

package io.github.crmsync.eventsync;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.crmsync.mapping.AttributeMapping;
import io.github.crmsync.mapping.Direction;
import io.github.crmsync.mapping.MappingSet;
import io.github.crmsync.mapping.ObjectType;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * A short digest of the Intercom values that mappings send to Salesforce, for one contact. When a
 * change notification carries the same digest as the contact had when last synced (or as the
 * service itself just wrote it), nothing Salesforce cares about changed: the notification is the
 * echo of a write and costs no Salesforce call.
 */
public final class IntercomFingerprint {

    private IntercomFingerprint() {
    }

    public static String of(MappingSet mappings, ObjectType type, JsonNode contact) {
        List<AttributeMapping> sent = mappings.forObject(type, Direction.INTERCOM_TO_SALESFORCE).stream()
                .sorted(Comparator.comparing(AttributeMapping::intercomAttribute)).toList();
        StringBuilder canonical = new StringBuilder();
        for (AttributeMapping mapping : sent) {
            JsonNode value = mapping.isCustomIntercomAttribute()
                    ? contact.path("custom_attributes").path(mapping.intercomKey())
                    : contact.path(mapping.intercomKey());
            canonical.append(mapping.intercomAttribute()).append('→').append(mapping.salesforceField()).append('=')
                    .append(value.isMissingNode() || value.isNull() ? "null" : value.toString()).append('\n');
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}

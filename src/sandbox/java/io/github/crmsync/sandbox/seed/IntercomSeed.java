package io.github.crmsync.sandbox.seed;

import java.util.Map;

/**
 * A seeded Intercom contact. {@code customAttributes} values are String, Boolean, Long (integer
 * and date attributes, dates as Unix seconds) or Double (float attributes).
 */
public record IntercomSeed(String id, String role, String email, String name, String phone,
                           long createdAt, long updatedAt, Map<String, Object> customAttributes) {
}

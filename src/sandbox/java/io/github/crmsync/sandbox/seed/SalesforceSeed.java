package io.github.crmsync.sandbox.seed;

import java.util.Map;

/**
 * A seeded Salesforce record. {@code fields} holds the API names of the stored fields (not
 * {@code Id} or the compound {@code Name}) with Java values: String, Boolean, BigDecimal,
 * LocalDate (date fields) and Instant (datetime fields). Null values are absent.
 */
public record SalesforceSeed(String type, String id, Map<String, Object> fields) {
}

package io.github.crmsync.admin;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * One mapping as a client sends it ({@code POST /api/mappings}, {@code PUT /api/mappings/{id}},
 * each item of {@code POST /api/mappings/validate}). Text as sent, so that every wrong field is
 * named in one answer; other fields (such as the {@code id} of a mapping read before) are ignored.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@Schema(name = "MappingRequest", description = "One attribute mapping as sent; every field is required.")
public record MappingBody(
        @Schema(allowableValues = {"LEAD", "CONTACT"}, example = "CONTACT") String objectType,
        @Schema(description = "Intercom attribute full name", example = "custom_attributes.plan") String intercomAttribute,
        @Schema(description = "Salesforce field API name", example = "Plan__c") String salesforceField,
        @Schema(allowableValues = {"INTERCOM_TO_SALESFORCE", "SALESFORCE_TO_INTERCOM"}) String direction) {
}

package io.github.crmsync.mapping;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Checks candidate mappings against the live schemas before they are saved, and reports every
 * problem at once (one {@link MappingProblem} per issue, in mapping order).
 *
 * <p>Rules:
 * <ul>
 *   <li>The Salesforce field must exist on the object's describe, the Intercom attribute among the
 *       contact data attributes (archived ones do not count). Custom attributes are written in
 *       full: {@code custom_attributes.plan}.</li>
 *   <li>The target side must be writable: an updateable Salesforce field for
 *       {@code INTERCOM_TO_SALESFORCE}, an {@code api_writable} Intercom attribute for
 *       {@code SALESFORCE_TO_INTERCOM}. The source side only needs to be readable.</li>
 *   <li>System fields are never written, whatever the describe says: Salesforce {@link #PROTECTED_SALESFORCE}
 *       and Intercom {@link #PROTECTED_INTERCOM}.</li>
 *   <li>E-mail is the match key: Salesforce {@code Email} and Intercom {@code email} may be the
 *       <em>source</em> of a mapping (e.g. Salesforce Email → Intercom {@code custom_attributes.crm_email}),
 *       never its target, so the sync can never change which records it pairs up.</li>
 *   <li>The types must be compatible in the mapping's direction, as {@link TypeCompatibility} lists.</li>
 *   <li>Per object type, an Intercom attribute and a Salesforce field appear in at most one mapping
 *       (one direction per attribute); the later duplicates are the ones reported.</li>
 * </ul>
 */
public final class MappingValidator {

    /** Salesforce system and audit fields; lower case. */
    static final Set<String> PROTECTED_SALESFORCE = Set.of("id", "isdeleted", "masterrecordid", "createddate",
            "createdbyid", "lastmodifieddate", "lastmodifiedbyid", "systemmodstamp", "lastactivitydate",
            "lastvieweddate", "lastreferenceddate", "isconverted", "converteddate", "convertedaccountid",
            "convertedcontactid", "convertedopportunityid", "recordtypeid");

    /** Intercom contact fields that identify or classify the contact, or are kept by Intercom itself. */
    static final Set<String> PROTECTED_INTERCOM = Set.of("id", "type", "workspace_id", "role", "external_id",
            "created_at", "updated_at", "email_domain");

    private static final String SALESFORCE_MATCH_KEY = "email";
    private static final String INTERCOM_MATCH_KEY = "email";

    public List<MappingProblem> validate(MappingSet candidate, Schemas schemas) {
        return validate(candidate, schemas.lead(), schemas.contact(), schemas.intercom());
    }

    public List<MappingProblem> validate(MappingSet candidate, SalesforceSchema lead, SalesforceSchema contact,
                                         IntercomSchema intercom) {
        List<MappingProblem> problems = new ArrayList<>();
        Map<String, AttributeMapping> seenIntercom = new HashMap<>();
        Map<String, AttributeMapping> seenSalesforce = new HashMap<>();
        for (AttributeMapping mapping : candidate.all()) {
            SalesforceSchema salesforce = mapping.objectType() == ObjectType.LEAD ? lead : contact;
            Optional<SalesforceField> field = salesforce.field(mapping.salesforceField());
            Optional<IntercomAttribute> attribute = intercom.attribute(mapping.intercomAttribute());
            field.ifPresentOrElse(f -> { }, () -> problems.add(unknownField(mapping)));
            attribute.ifPresentOrElse(a -> { }, () -> problems.add(unknownAttribute(mapping, intercom)));
            writability(mapping, field, attribute).ifPresent(problems::add);
            if (field.isPresent() && attribute.isPresent()) {
                compatibility(mapping, field.get(), attribute.get()).ifPresent(problems::add);
            }
            duplicate(mapping, seenIntercom, mapping.intercomAttribute(), MappingProblem.Kind.DUPLICATE_INTERCOM_ATTRIBUTE,
                    "Intercom " + mapping.intercomAttribute()).ifPresent(problems::add);
            duplicate(mapping, seenSalesforce, mapping.salesforceField().toLowerCase(Locale.ROOT),
                    MappingProblem.Kind.DUPLICATE_SALESFORCE_FIELD, "Salesforce " + mapping.salesforceField())
                    .ifPresent(problems::add);
        }
        return List.copyOf(problems);
    }

    private static MappingProblem unknownField(AttributeMapping mapping) {
        String object = mapping.objectType().salesforceObject();
        return new MappingProblem(mapping, MappingProblem.Kind.UNKNOWN_SALESFORCE_FIELD, "Salesforce " + object
                + " has no field " + mapping.salesforceField() + " (or this integration user cannot see it)");
    }

    private static MappingProblem unknownAttribute(AttributeMapping mapping, IntercomSchema intercom) {
        String name = mapping.intercomAttribute();
        String hint = !mapping.isCustomIntercomAttribute()
                && intercom.attribute(AttributeMapping.CUSTOM_PREFIX + name).isPresent()
                ? "; did you mean custom_attributes." + name + "?" : "";
        return new MappingProblem(mapping, MappingProblem.Kind.UNKNOWN_INTERCOM_ATTRIBUTE,
                "Intercom contacts have no data attribute " + name + " (or it is archived)" + hint);
    }

    /** Only the target side is checked: the source is only read. */
    private static Optional<MappingProblem> writability(AttributeMapping mapping, Optional<SalesforceField> field,
                                                        Optional<IntercomAttribute> attribute) {
        if (mapping.writesSalesforce()) {
            String name = mapping.salesforceField();
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.equals(SALESFORCE_MATCH_KEY)) {
                return problem(mapping, MappingProblem.Kind.MATCH_KEY_NOT_WRITABLE, "Salesforce Email is how records are "
                        + "matched, so the sync never writes it; map it the other way or to another field");
            }
            if (PROTECTED_SALESFORCE.contains(lower)) {
                return problem(mapping, MappingProblem.Kind.PROTECTED_FIELD,
                        "Salesforce " + name + " is a system field and is never written by the sync");
            }
            if (field.isPresent() && !field.get().updateable()) {
                return problem(mapping, MappingProblem.Kind.SALESFORCE_FIELD_NOT_UPDATEABLE, "Salesforce "
                        + SalesforceValues.title(field.get()) + " cannot be updated (read-only, formula or "
                        + "no edit access for this integration user); choose the direction Salesforce → Intercom");
            }
        } else {
            String name = mapping.intercomAttribute();
            if (name.equals(INTERCOM_MATCH_KEY)) {
                return problem(mapping, MappingProblem.Kind.MATCH_KEY_NOT_WRITABLE, "Intercom email is how records are "
                        + "matched, so the sync never writes it; map it the other way or to another attribute");
            }
            if (PROTECTED_INTERCOM.contains(name)) {
                return problem(mapping, MappingProblem.Kind.PROTECTED_FIELD,
                        "Intercom " + name + " identifies the contact and is never written by the sync");
            }
            if (attribute.isPresent() && !attribute.get().apiWritable()) {
                return problem(mapping, MappingProblem.Kind.INTERCOM_ATTRIBUTE_NOT_WRITABLE, "Intercom " + name
                        + " cannot be written through the API; choose the direction Intercom → Salesforce");
            }
        }
        return Optional.empty();
    }

    private static Optional<MappingProblem> compatibility(AttributeMapping mapping, SalesforceField field,
                                                          IntercomAttribute attribute) {
        if (TypeCompatibility.kindOf(field, attribute, mapping.direction()).isPresent()) {
            return Optional.empty();
        }
        String sf = "Salesforce " + SalesforceValues.title(field) + " is " + article(field.type().describeName());
        String ic = "Intercom " + attribute.fullName() + " is " + article(attribute.dataType().apiName());
        if (attribute.dataType() == IntercomDataType.INTEGER && field.kind() == SalesforceFieldType.Kind.NUMBER) {
            return problem(mapping, MappingProblem.Kind.INCOMPATIBLE_TYPES, sf + " with " + field.scale()
                    + " decimal places, which Intercom integer " + attribute.fullName()
                    + " cannot hold; use a float attribute");
        }
        String why = mapping.writesSalesforce() && attribute.dataType() == IntercomDataType.STRING
                && TypeCompatibility.kindOf(field, attribute, Direction.SALESFORCE_TO_INTERCOM).isPresent()
                ? "; Intercom text is never parsed into a typed Salesforce field, so this mapping can only go "
                        + "Salesforce → Intercom"
                : "; those types cannot hold each other's values";
        return problem(mapping, MappingProblem.Kind.INCOMPATIBLE_TYPES, sf + " and " + ic + why);
    }

    private static Optional<MappingProblem> duplicate(AttributeMapping mapping, Map<String, AttributeMapping> seen,
                                                      String name, MappingProblem.Kind kind, String what) {
        String key = mapping.objectType() + "/" + name;
        AttributeMapping earlier = seen.putIfAbsent(key, mapping);
        if (earlier == null) {
            return Optional.empty();
        }
        return problem(mapping, kind, what + " is already mapped for " + mapping.objectType() + " ("
                + earlier.describe() + "); each attribute has one mapping, in one direction");
    }

    private static String article(String type) {
        return ("aeiou".indexOf(type.charAt(0)) >= 0 ? "an " : "a ") + type;
    }

    private static Optional<MappingProblem> problem(AttributeMapping mapping, MappingProblem.Kind kind, String message) {
        return Optional.of(new MappingProblem(mapping, kind, message));
    }
}

package io.github.crmsync.mapping;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Works out the minimal writes that bring one Salesforce record and one Intercom contact in
 * step under the mappings, for the event sync and the bulk sync alike.
 *
 * <p>Rules:
 * <ul>
 *   <li>Each mapping writes only its target side, and only when the converted source value is
 *       not {@linkplain ValueConverter#sameInSalesforce the same} as the target's current value
 *       (12.30 vs 12.3, "" vs null, a date vs the same day's seconds all count as the same).</li>
 *   <li>An empty source value clears the target (if the target is not already empty).</li>
 *   <li><b>A value that was not read is never written over:</b> a source field missing from the
 *       Salesforce values, a standard attribute missing from the contact, or a missing
 *       {@code custom_attributes} object means "unknown", and the mapping is skipped. A custom
 *       attribute missing from a present {@code custom_attributes} object is empty, because
 *       Intercom may leave unset attributes out. A <em>target</em> value that was not read is
 *       taken as empty, so the source value is written (safe, if not minimal). With
 *       {@link #computeTargetUnread} no target value was read at all (a Salesforce change event
 *       carries the new values, and Intercom is not asked for the old ones): every source value
 *       present is written, an empty one clearing the target.</li>
 *   <li><b>Errors withhold that side:</b> if any value bound for one side cannot be converted,
 *       nothing is written to that side for this record (a partial update would look synced while
 *       it is not); all errors come back so the record lands in the error store, and the other
 *       side is still written.</li>
 * </ul>
 * Make a new calculator when the schemas are refreshed; it holds no other state.
 */
public final class PatchCalculator {

    private final Schemas schemas;
    private final ValueConverter converter;

    public PatchCalculator(Schemas schemas, ValueConverter converter) {
        this.schemas = Objects.requireNonNull(schemas, "schemas");
        this.converter = Objects.requireNonNull(converter, "converter");
    }

    /** Both directions. */
    public SyncPatch compute(MappingSet mappings, ObjectType objectType, Map<String, Object> salesforceValues,
                             Map<String, Object> intercomContact) {
        return patch(mappings.forObject(objectType), objectType, salesforceValues, intercomContact);
    }

    /** One direction only, e.g. for a Salesforce poll that must not report Intercom-side problems again. */
    public SyncPatch compute(MappingSet mappings, ObjectType objectType, Direction direction,
                             Map<String, Object> salesforceValues, Map<String, Object> intercomContact) {
        return patch(mappings.forObject(objectType, direction), objectType, salesforceValues, intercomContact, true);
    }

    /** One direction, the target side not read: every source value present is written, empty ones as clears. */
    public SyncPatch computeTargetUnread(MappingSet mappings, ObjectType objectType, Direction direction,
                                        Map<String, Object> salesforceValues, Map<String, Object> intercomContact) {
        return patch(mappings.forObject(objectType, direction), objectType, salesforceValues, intercomContact, false);
    }

    private SyncPatch patch(List<AttributeMapping> mappings, ObjectType objectType,
                            Map<String, Object> salesforceValues, Map<String, Object> intercomContact) {
        return patch(mappings, objectType, salesforceValues, intercomContact, true);
    }

    private SyncPatch patch(List<AttributeMapping> mappings, ObjectType objectType, Map<String, Object> salesforceValues,
                            Map<String, Object> intercomContact, boolean targetRead) {
        SalesforceRecord salesforce = new SalesforceRecord(salesforceValues);
        IntercomContact intercom = new IntercomContact(intercomContact);
        Map<AttributeMapping, Object> writes = new LinkedHashMap<>();
        List<AttributeError> errors = new ArrayList<>();

        for (AttributeMapping mapping : mappings) {
            Optional<SalesforceField> field = schemas.salesforce(objectType).field(mapping.salesforceField());
            Optional<IntercomAttribute> attribute = schemas.intercom().attribute(mapping.intercomAttribute());
            if (field.isEmpty() || attribute.isEmpty()) {
                errors.add(unknown(mapping, field.isEmpty()));
            } else if (mapping.writesSalesforce()) {
                intercom.value(mapping).ifPresent(source -> {
                    ConversionResult target = converter.toSalesforce(field.get(), attribute.get(), source.value());
                    Object current = salesforce.value(mapping.salesforceField()).map(ReadValue::value).orElse(null);
                    if (!target.isOk()) {
                        errors.add(new AttributeError(mapping, target.error().orElseThrow()));
                    } else if (!targetRead || !converter.sameInSalesforce(field.get(), attribute.get(), target.value(), current)) {
                        writes.put(mapping.withSalesforceField(field.get().name()), target.value());
                    }
                });
            } else {
                salesforce.value(mapping.salesforceField()).ifPresent(source -> {
                    ConversionResult target = converter.toIntercom(field.get(), attribute.get(), source.value());
                    Object current = intercom.value(mapping).map(ReadValue::value).orElse(null);
                    if (!target.isOk()) {
                        errors.add(new AttributeError(mapping, target.error().orElseThrow()));
                    } else if (!targetRead || !converter.sameInIntercom(field.get(), attribute.get(), target.value(), current)) {
                        writes.put(mapping, target.value());
                    }
                });
            }
        }
        // withhold every write to a side that has an error
        writes.keySet().removeIf(m -> errors.stream().anyMatch(e -> e.direction() == m.direction()));
        return SyncPatch.of(writes, errors);
    }

    private static AttributeError unknown(AttributeMapping mapping, boolean salesforceMissing) {
        String what = salesforceMissing
                ? "Salesforce " + mapping.objectType().salesforceObject() + " field " + mapping.salesforceField()
                : "Intercom attribute " + mapping.intercomAttribute();
        String target = mapping.writesSalesforce() ? mapping.salesforceField() : mapping.intercomAttribute();
        return new AttributeError(mapping, new ConversionError(ConversionErrorCode.UNKNOWN_FIELD, target,
                what + " no longer exists; fix the mapping (" + mapping.describe() + ")"));
    }
}

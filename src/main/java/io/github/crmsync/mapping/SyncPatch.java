package io.github.crmsync.mapping;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one record pair needs: the values to write on each side (only those that differ) and the
 * values that could not be converted. A side with an error has no writes (see
 * {@link PatchCalculator}). Written values may be null, meaning "clear".
 *
 * @param writes each mapping whose target is written, with the value written (wire form), in
 *               mapping order; what to remember as "last written" for a record
 * @param errors every value that could not be converted, in mapping order
 */
public record SyncPatch(Map<AttributeMapping, Object> writes, List<AttributeError> errors) {

    private static final SyncPatch EMPTY = new SyncPatch(Map.of(), List.of());

    public SyncPatch {
        writes = Collections.unmodifiableMap(new LinkedHashMap<>(writes)); // Map.copyOf refuses null ("clear")
        errors = List.copyOf(errors);
    }

    static SyncPatch of(Map<AttributeMapping, Object> writes, List<AttributeError> errors) {
        return writes.isEmpty() && errors.isEmpty() ? EMPTY : new SyncPatch(writes, errors);
    }

    /** Nothing to write and nothing to report: the pair is in step. */
    public boolean isEmpty() {
        return writes.isEmpty() && errors.isEmpty();
    }

    public boolean hasErrors() {
        return !errors.isEmpty();
    }

    public boolean hasSalesforceChanges() {
        return writes.keySet().stream().anyMatch(AttributeMapping::writesSalesforce);
    }

    public boolean hasIntercomChanges() {
        return writes.keySet().stream().anyMatch(m -> !m.writesSalesforce());
    }

    public List<AttributeError> errors(Direction direction) {
        return errors.stream().filter(e -> e.direction() == direction).toList();
    }

    /** Field API name → Salesforce JSON value: the body of a PATCH or one record of a Collections update. */
    public Map<String, Object> salesforcePatch() {
        Map<String, Object> patch = new LinkedHashMap<>();
        writes.forEach((mapping, value) -> {
            if (mapping.writesSalesforce()) {
                patch.put(mapping.salesforceField(), value);
            }
        });
        return Collections.unmodifiableMap(patch);
    }

    /** The Intercom values keyed by full attribute name ({@code phone}, {@code custom_attributes.plan}). */
    public Map<String, Object> intercomChanges() {
        Map<String, Object> changes = new LinkedHashMap<>();
        writes.forEach((mapping, value) -> {
            if (!mapping.writesSalesforce()) {
                changes.put(mapping.intercomAttribute(), value);
            }
        });
        return Collections.unmodifiableMap(changes);
    }

    /**
     * The body of {@code PUT /contacts/{id}}: standard attributes at the top level, custom ones in
     * a {@code custom_attributes} object.
     */
    public Map<String, Object> intercomPatch() {
        return IntercomContact.putBody(intercomChanges());
    }
}

package io.github.crmsync.mapping;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one record pair needs: the fields to write on each side (only those that differ) and the
 * values that could not be converted. A side with an error has an empty patch (see
 * {@link PatchCalculator}). Patch values may be null, meaning "clear".
 *
 * @param salesforcePatch field API name → Salesforce JSON value, the body of a PATCH / Collections update
 * @param intercomPatch   the body of {@code PUT /contacts/{id}}: standard attributes at the top
 *                        level, custom ones in a {@code custom_attributes} object
 * @param intercomChanges the same Intercom values keyed by full attribute name
 *                        ({@code phone}, {@code custom_attributes.plan}), e.g. to remember what was written
 */
public record SyncPatch(Map<String, Object> salesforcePatch, Map<String, Object> intercomPatch,
                        Map<String, Object> intercomChanges, List<AttributeError> errors) {

    public SyncPatch {
        salesforcePatch = frozen(salesforcePatch);
        intercomPatch = frozen(intercomPatch);
        intercomChanges = frozen(intercomChanges);
        errors = List.copyOf(errors);
    }

    /** Nothing to write and nothing to report: the pair is in step. */
    public boolean isEmpty() {
        return salesforcePatch.isEmpty() && intercomPatch.isEmpty() && errors.isEmpty();
    }

    public boolean hasErrors() {
        return !errors.isEmpty();
    }

    public boolean hasSalesforceChanges() {
        return !salesforcePatch.isEmpty();
    }

    public boolean hasIntercomChanges() {
        return !intercomPatch.isEmpty();
    }

    public List<AttributeError> errors(Direction direction) {
        return errors.stream().filter(e -> e.direction() == direction).toList();
    }

    /** Map.copyOf refuses null values, and null ("clear this") is a value here. */
    private static Map<String, Object> frozen(Map<String, Object> map) {
        Map<String, Object> copy = new LinkedHashMap<>();
        map.forEach((k, v) -> copy.put(k, v instanceof Map<?, ?> nested ? frozenNested(nested) : v));
        return Collections.unmodifiableMap(copy);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> frozenNested(Map<?, ?> nested) {
        return frozen((Map<String, Object>) nested);
    }
}

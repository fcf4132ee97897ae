package io.github.crmsync.admin;

import io.github.crmsync.mapping.AttributeMapping;
import io.github.crmsync.mapping.Direction;
import io.github.crmsync.mapping.MappingProblem;
import io.github.crmsync.mapping.MappingSet;
import io.github.crmsync.mapping.MappingStore;
import io.github.crmsync.mapping.MappingValidator;
import io.github.crmsync.mapping.ObjectType;
import io.github.crmsync.mapping.SchemaCache;
import io.github.crmsync.requests.InvalidInput;
import io.github.crmsync.requests.NotFound;
import io.swagger.v3.oas.annotations.media.Schema;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * {@code /api/mappings}: list, create, update, delete and validate attribute mappings. Every change
 * is validated as part of the whole set against the live schemas; a refused change answers 400 with
 * one message per problem and leaves the stored set as it was.
 */
public final class MappingsApi {

    @Schema(requiredProperties = "mappings")
    public record Mappings(List<AttributeMapping> mappings) {
    }

    @Schema(requiredProperties = {"valid", "problems"})
    public record Validated(@Schema(description = "always true: an invalid set answers 400") boolean valid,
                            List<String> problems) {
    }

    private final MappingStore store;
    private final SchemaCache schemas;
    private final MappingValidator validator = new MappingValidator();
    private final Consumer<String> beforeSave;

    /**
     * @param beforeSave called with the request's {@code confirm} parameter right before a change is
     *                   saved (e.g. the bulk-run guard); it refuses by throwing
     */
    public MappingsApi(MappingStore store, SchemaCache schemas, Consumer<String> beforeSave) {
        this.store = store;
        this.schemas = schemas;
        this.beforeSave = beforeSave;
    }

    public Mappings list() {
        return new Mappings(store.current().all());
    }

    public AttributeMapping create(MappingBody body, String confirm) {
        AttributeMapping mapping = read(body);
        List<AttributeMapping> candidate = new ArrayList<>(store.current().all());
        candidate.add(mapping);
        requireValid(MappingSet.of(candidate));
        beforeSave.accept(confirm);
        return store.create(mapping);
    }

    public AttributeMapping update(String id, MappingBody body, String confirm) {
        long mappingId = id(id);
        AttributeMapping mapping = read(body);
        List<AttributeMapping> candidate = new ArrayList<>(store.current().all());
        if (!candidate.removeIf(m -> m.id().equals(mappingId))) {
            throw notFound(mappingId);
        }
        AttributeMapping updated = mapping.withId(mappingId);
        candidate.add(updated);
        requireValid(MappingSet.of(candidate));
        beforeSave.accept(confirm);
        store.update(mappingId, updated);
        return updated;
    }

    public Deleted delete(String id, String confirm) {
        long mappingId = id(id);
        if (store.current().all().stream().noneMatch(m -> m.id().equals(mappingId))) {
            throw notFound(mappingId);
        }
        beforeSave.accept(confirm);
        if (!store.delete(mappingId)) {
            throw notFound(mappingId);
        }
        return new Deleted(mappingId);
    }

    /** Validates a mapping set as given (an array of mappings) without saving it. */
    public Validated validate(List<MappingBody> list) {
        if (list == null) {
            throw new InvalidInput("Send an array of mappings.");
        }
        List<AttributeMapping> mappings = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            int index = i;
            parse(list.get(i)).ifPresentOrElse(mappings::add, () -> problems.add("mappings[" + index + "]: "
                    + String.join("; ", fieldProblems(list.get(index)))));
        }
        if (!problems.isEmpty()) {
            throw new InvalidInput("The mappings are not valid.", problems);
        }
        requireValid(MappingSet.of(mappings));
        return new Validated(true, List.of());
    }

    private void requireValid(MappingSet candidate) {
        List<MappingProblem> problems = validator.validate(candidate, schemas.current());
        if (!problems.isEmpty()) {
            throw new InvalidInput("The mappings are not valid.", problems.stream().map(MappingProblem::describe).toList());
        }
    }

    private static AttributeMapping read(MappingBody body) {
        if (body == null) {
            throw new InvalidInput("The request has no JSON body.");
        }
        return parse(body).orElseThrow(() -> new InvalidInput("The mapping is not valid.", fieldProblems(body)));
    }

    private static Optional<AttributeMapping> parse(MappingBody body) {
        if (!fieldProblems(body).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(AttributeMapping.of(ObjectType.valueOf(body.objectType()), body.intercomAttribute(),
                body.salesforceField(), Direction.valueOf(body.direction())));
    }

    private static List<String> fieldProblems(MappingBody body) {
        if (body == null) {
            return List.of("a mapping is a JSON object with objectType, intercomAttribute, salesforceField and direction");
        }
        List<String> problems = new ArrayList<>();
        enumProblem("objectType", body.objectType(), ObjectType.values()).ifPresent(problems::add);
        enumProblem("direction", body.direction(), Direction.values()).ifPresent(problems::add);
        if (body.intercomAttribute() == null || body.intercomAttribute().isBlank()) {
            problems.add("intercomAttribute is required");
        }
        if (body.salesforceField() == null || body.salesforceField().isBlank()) {
            problems.add("salesforceField is required");
        }
        return problems;
    }

    private static Optional<String> enumProblem(String field, String value, Enum<?>[] values) {
        List<String> names = Arrays.stream(values).map(Enum::name).toList();
        if (value == null || !names.contains(value)) {
            return Optional.of(field + " must be one of " + names + (value == null ? "" : ", not '" + value + "'"));
        }
        return Optional.empty();
    }

    private static long id(String id) {
        try {
            return Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw new InvalidInput("A mapping id is a number, not '" + id + "'.");
        }
    }

    private static NotFound notFound(long id) {
        return new NotFound("There is no mapping " + id + ".");
    }
}

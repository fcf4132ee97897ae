package io.github.crmsync.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crmsync.mapping.AttributeMapping;
import io.github.crmsync.mapping.Direction;
import io.github.crmsync.mapping.MappingProblem;
import io.github.crmsync.mapping.MappingSet;
import io.github.crmsync.mapping.MappingStore;
import io.github.crmsync.mapping.MappingValidator;
import io.github.crmsync.mapping.ObjectType;
import io.github.crmsync.mapping.SchemaCache;
import org.apache.camel.Exchange;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * {@code /api/mappings}: list, create, update, delete and validate attribute mappings. Every change
 * is validated as part of the whole set against the live schemas; a refused change answers 400 with
 * one message per problem and leaves the stored set as it was.
 */
public final class MappingsApi {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final MappingStore store;
    private final SchemaCache schemas;
    private final MappingValidator validator = new MappingValidator();
    private final Predicate<Exchange> saveAllowed;

    public MappingsApi(MappingStore store, SchemaCache schemas) {
        this(store, schemas, exchange -> true);
    }

    /**
     * @param saveAllowed asked right before a change is saved (e.g. the bulk-run guard); when it
     *                    says no it has set the answer itself
     */
    public MappingsApi(MappingStore store, SchemaCache schemas, Predicate<Exchange> saveAllowed) {
        this.store = store;
        this.schemas = schemas;
        this.saveAllowed = saveAllowed;
    }

    public void list(Exchange exchange) {
        HttpAnswers.json(exchange, 200, Map.of("mappings", store.current().all()));
    }

    public void create(Exchange exchange) {
        Optional<AttributeMapping> mapping = read(exchange);
        if (mapping.isEmpty()) {
            return;
        }
        List<AttributeMapping> candidate = new ArrayList<>(store.current().all());
        candidate.add(mapping.get());
        if (valid(exchange, MappingSet.of(candidate)) && saveAllowed.test(exchange)) {
            HttpAnswers.json(exchange, 201, store.create(mapping.get()));
        }
    }

    public void update(Exchange exchange) {
        Long id = id(exchange);
        if (id == null) {
            return;
        }
        Optional<AttributeMapping> mapping = read(exchange);
        if (mapping.isEmpty()) {
            return;
        }
        List<AttributeMapping> candidate = new ArrayList<>(store.current().all());
        if (!candidate.removeIf(m -> m.id().equals(id))) {
            HttpAnswers.error(exchange, 404, "There is no mapping " + id + ".");
            return;
        }
        AttributeMapping updated = mapping.get().withId(id);
        candidate.add(updated);
        if (valid(exchange, MappingSet.of(candidate)) && saveAllowed.test(exchange)) {
            store.update(id, updated);
            HttpAnswers.json(exchange, 200, updated);
        }
    }

    public void delete(Exchange exchange) {
        Long id = id(exchange);
        if (id == null) {
            return;
        }
        if (store.current().all().stream().noneMatch(m -> m.id().equals(id))) {
            HttpAnswers.error(exchange, 404, "There is no mapping " + id + ".");
            return;
        }
        if (!saveAllowed.test(exchange)) {
            return;
        }
        if (store.delete(id)) {
            HttpAnswers.json(exchange, 200, Map.of("deleted", id));
        } else {
            HttpAnswers.error(exchange, 404, "There is no mapping " + id + ".");
        }
    }

    /** Validates a mapping set as given (an array of mappings, or {"mappings": [...]}) without saving it. */
    public void validate(Exchange exchange) {
        JsonNode body = body(exchange);
        if (body == null) {
            return;
        }
        JsonNode list = body.isArray() ? body : body.path("mappings");
        if (!list.isArray()) {
            HttpAnswers.error(exchange, 400, "Send an array of mappings, or {\"mappings\": [...]}.");
            return;
        }
        List<AttributeMapping> mappings = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            int index = i;
            parse(list.get(i)).ifPresentOrElse(mappings::add, () -> problems.add("mappings[" + index + "]: "
                    + String.join("; ", fieldProblems(list.get(index)))));
        }
        if (problems.isEmpty() && valid(exchange, MappingSet.of(mappings))) {
            HttpAnswers.json(exchange, 200, Map.of("valid", true, "problems", List.of()));
        } else if (!problems.isEmpty()) {
            HttpAnswers.problems(exchange, 400, "The mappings are not valid.", problems);
        }
    }

    private boolean valid(Exchange exchange, MappingSet candidate) {
        List<MappingProblem> problems = validator.validate(candidate, schemas.current());
        if (problems.isEmpty()) {
            return true;
        }
        HttpAnswers.problems(exchange, 400, "The mappings are not valid.", problems.stream().map(MappingProblem::describe).toList());
        return false;
    }

    private Optional<AttributeMapping> read(Exchange exchange) {
        JsonNode body = body(exchange);
        if (body == null) {
            return Optional.empty();
        }
        Optional<AttributeMapping> mapping = parse(body);
        if (mapping.isEmpty()) {
            HttpAnswers.problems(exchange, 400, "The mapping is not valid.", fieldProblems(body));
        }
        return mapping;
    }

    private static JsonNode body(Exchange exchange) {
        return HttpAnswers.jsonBody(exchange);
    }

    private static Optional<AttributeMapping> parse(JsonNode node) {
        if (!fieldProblems(node).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(AttributeMapping.of(ObjectType.valueOf(node.path("objectType").asText()),
                node.path("intercomAttribute").asText(), node.path("salesforceField").asText(),
                Direction.valueOf(node.path("direction").asText())));
    }

    private static List<String> fieldProblems(JsonNode node) {
        List<String> problems = new ArrayList<>();
        if (node == null || !node.isObject()) {
            return List.of("a mapping is a JSON object with objectType, intercomAttribute, salesforceField and direction");
        }
        enumProblem(node, "objectType", ObjectType.values()).ifPresent(problems::add);
        enumProblem(node, "direction", Direction.values()).ifPresent(problems::add);
        for (String field : List.of("intercomAttribute", "salesforceField")) {
            if (!node.path(field).isTextual() || node.path(field).asText().isBlank()) {
                problems.add(field + " is required");
            }
        }
        return problems;
    }

    private static Optional<String> enumProblem(JsonNode node, String field, Enum<?>[] values) {
        String value = node.path(field).asText(null);
        List<String> names = Arrays.stream(values).map(Enum::name).toList();
        if (value == null || !names.contains(value)) {
            return Optional.of(field + " must be one of " + names + (value == null ? "" : ", not '" + value + "'"));
        }
        return Optional.empty();
    }

    private static Long id(Exchange exchange) {
        String id = exchange.getMessage().getHeader("id", String.class);
        try {
            return Long.parseLong(id);
        } catch (NumberFormatException e) {
            HttpAnswers.error(exchange, 400, "A mapping id is a number, not '" + id + "'.");
            return null;
        }
    }
}

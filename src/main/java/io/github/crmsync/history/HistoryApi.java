package io.github.crmsync.history;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.github.crmsync.requests.InvalidInput;
import io.github.crmsync.requests.QueryParameters;
import io.swagger.v3.oas.annotations.media.Schema;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/history}: one person's change history by exactly one of {@code salesforceId},
 * {@code intercomId} or {@code email}, newest first, {@code limit} rows (50, at most 500) before the
 * row id {@code before} (the previous page's {@code nextBefore}).
 */
public final class HistoryApi {

    public static final int MAX_LIMIT = 500;
    private static final int DEFAULT_LIMIT = 50;
    private static final int MAX_VALUE_LENGTH = 320;
    private static final Map<String, ChangeHistory.Key> KEYS = Map.of(
            "salesforceId", ChangeHistory.Key.SALESFORCE_ID, "intercomId", ChangeHistory.Key.INTERCOM_ID,
            "email", ChangeHistory.Key.EMAIL);

    @Schema(name = "HistoryPage", requiredProperties = {"changes"})
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Page(List<Change> changes,
                       @Schema(description = "pass as before for the next, older page; absent on the last page")
                       Long nextBefore) {
    }

    @Schema(name = "HistoryChange", requiredProperties = {"id", "changedAt", "syncType", "direction", "objectType",
            "salesforceId", "intercomId", "field"})
    public record Change(long id, String changedAt,
                         @Schema(allowableValues = {"EVENT", "BULK", "RETRY", "CDC"}) String syncType,
                         @Schema(allowableValues = {"SALESFORCE_TO_INTERCOM", "INTERCOM_TO_SALESFORCE"}) String direction,
                         @Schema(allowableValues = {"LEAD", "CONTACT"}) String objectType,
                         String salesforceId, String intercomId,
                         @Schema(nullable = true) String email,
                         @Schema(description = "the target's field or Intercom attribute") String field,
                         @Schema(nullable = true, description = "the source's field or attribute") String sourceField,
                         @Schema(nullable = true, description = "the target's value before, as the service knew it; "
                                 + "null when not known or empty") String oldValue,
                         @Schema(nullable = true) String newValue,
                         @Schema(nullable = true) Long bulkRunId) {
    }

    private final ChangeHistory history;

    public HistoryApi(ChangeHistory history) {
        this.history = history;
    }

    /** The page the raw query string asks for; 400 naming each parameter that is wrong. */
    public Page page(String rawQuery) {
        Map<String, String> query = new LinkedHashMap<>();
        QueryParameters.parse(rawQuery).forEach((name, value) -> {
            if (!value.isBlank()) {
                query.put(name, value.trim());
            }
        });
        List<String> problems = new ArrayList<>();
        List<String> given = KEYS.keySet().stream().filter(query::containsKey).sorted().toList();
        if (given.size() != 1) {
            problems.add(given.isEmpty() ? "salesforceId, intercomId or email is required"
                    : "only one of salesforceId, intercomId and email may be given, not " + String.join(" and ", given));
        } else if (query.get(given.get(0)).length() > MAX_VALUE_LENGTH) {
            problems.add(given.get(0) + " must be at most " + MAX_VALUE_LENGTH + " characters");
        }
        long limit = QueryParameters.number(query, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT, problems);
        long before = QueryParameters.number(query, "before", Long.MAX_VALUE, 1, Long.MAX_VALUE, problems);
        if (!problems.isEmpty()) {
            throw new InvalidInput(problems.size() == 1 ? problems.get(0) : "The query is not valid.", problems);
        }
        String name = given.get(0);
        List<ChangeHistory.Row> rows = history.page(KEYS.get(name), query.get(name),
                before == Long.MAX_VALUE ? null : before, (int) limit + 1);
        boolean more = rows.size() > limit;
        List<Change> changes = rows.stream().limit(limit).map(HistoryApi::change).toList();
        return new Page(changes, more ? changes.get(changes.size() - 1).id() : null);
    }

    private static Change change(ChangeHistory.Row r) {
        return new Change(r.id(), r.changedAt().toString(), r.syncType(), r.direction().name(), r.objectType().name(),
                r.salesforceId(), r.intercomId(), r.email(), r.field(), r.sourceField(), r.oldValue(), r.newValue(),
                r.bulkRunId());
    }
}

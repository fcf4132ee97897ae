package io.github.crmsync.eventsync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.crmsync.mapping.ObjectType;
import org.apache.camel.component.salesforce.api.SalesforceException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How a poll of Contacts and Leads packs their query operations into Composite calls, without Camel. */
class PollCycleTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant STARTED = Instant.parse("2026-12-02T10:00:00Z");

    private static PollCycle poll(ObjectType... types) {
        Map<ObjectType, String> queries = new LinkedHashMap<>();
        for (ObjectType type : types) {
            queries.put(type, "SELECT Id FROM " + type.salesforceObject());
        }
        return new PollCycle("60.0", STARTED, queries);
    }

    @ParameterizedTest(name = "pages to read {0} in a call of 5: operations {1}")
    @CsvSource(delimiter = ';', value = {
            // before the first page of either (0: unknown): the queries, then the room in turns
            "0 0; 3 2",
            "0; 5",
            // known: up to what each has to read, the room left in turns (those references end halted, at no cost)
            "1 1; 3 2",
            "4 1; 4 1",
            "2 1; 3 2",
            "11 5; 4 1",
            "1 7; 1 4",
            "0 4; 1 4"})
    void operationsGoFirstToThePagesEachTypeHasToRead(String pagesToRead, String expected) {
        int[] toRead = Arrays.stream(pagesToRead.split(" ")).mapToInt(Integer::parseInt).toArray();
        int[] operations = Arrays.stream(expected.split(" ")).mapToInt(Integer::parseInt).toArray();

        assertThat(PollCycle.operations(toRead, 5)).containsExactly(operations);
    }

    @Test
    void aQuietPollOfBothTypesIsOneCallTheirQueriesChainedToTheirNextPages() throws Exception {
        PollCycle poll = poll(ObjectType.CONTACT, ObjectType.LEAD);
        FakeSalesforce salesforce = new FakeSalesforce(2000, Map.of("Contact", 2, "Lead", 1));

        String request = poll.nextRequest();

        JsonNode subrequests = JSON.readTree(request).get("compositeRequest");
        assertThat(subrequests).extracting(s -> s.get("referenceId").asText() + " " + s.get("url").asText()).containsExactly(
                "contact0 /services/data/v60.0/query/?q=SELECT+Id+FROM+Contact",
                "contact1 @{contact0.nextRecordsUrl}",
                "contact2 @{contact1.nextRecordsUrl}",
                "lead0 /services/data/v60.0/query/?q=SELECT+Id+FROM+Lead",
                "lead1 @{lead0.nextRecordsUrl}");
        List<PollCycle.Page> pages = poll.read(salesforce.answer(request));
        assertThat(pages).extracting(p -> p.objectType().name() + " " + p.index() + " " + JSON.readTree(p.json()).path("records").size())
                .containsExactly("CONTACT 0 2", "LEAD 0 1");
        pages.forEach(page -> {
            assertThat(poll.inTurn(page)).isTrue();
            poll.handled(page);
        });
        assertThat(poll.nextRequest()).isNull();
        assertThat(poll.completed()).containsExactly(ObjectType.CONTACT, ObjectType.LEAD);
        assertThat(poll.calls()).isEqualTo(1);
        assertThat(salesforce.halted).as("the references past each query's last page").isEqualTo(3);
    }

    @ParameterizedTest(name = "{0} Contacts and {1} Leads in pages of 2,000: {2} Composite calls")
    @CsvSource({
            "3, 2, 1",
            "0, 0, 1",
            "2100, 10, 1",
            "5600, 2400, 1",
            // the event-sync benchmark's 10,000 (6 pages): the 5 operations of a call allow no fewer than 2
            "6845, 3155, 2",
            "27380, 12620, 5",
            "34225, 15775, 6",
            "1, 9000, 2",
            "1, 12000, 2",
            // 5 pages, but the first call places its operations before either type's size is known (3 + 2)
            "8000, 2000, 2",
            "1, 8000, 2"})
    void aBusyPollCostsOneCallPerFivePagesOfBothTypes(int contacts, int leads, int calls) {
        PollCycle poll = poll(ObjectType.CONTACT, ObjectType.LEAD);
        FakeSalesforce salesforce = new FakeSalesforce(2000, Map.of("Contact", contacts, "Lead", leads));
        Map<ObjectType, Integer> read = new HashMap<>();

        for (String request = poll.nextRequest(); request != null; request = poll.nextRequest()) {
            for (PollCycle.Page page : poll.read(salesforce.answer(request))) {
                assertThat(poll.inTurn(page)).isTrue();
                read.merge(page.objectType(), JSON.valueToTree(parse(page.json())).path("records").size(), Integer::sum);
                poll.handled(page);
            }
        }

        assertThat(read.getOrDefault(ObjectType.CONTACT, 0)).isEqualTo(contacts);
        assertThat(read.getOrDefault(ObjectType.LEAD, 0)).isEqualTo(leads);
        assertThat(salesforce.recordsServed).as("each record read once").isEqualTo(contacts + leads);
        assertThat(poll.calls()).isEqualTo(salesforce.calls).isEqualTo(calls);
        int pages = (contacts + 1999) / 2000 + (leads + 1999) / 2000;
        assertThat(calls).as("at most one more than the pages need").isLessThanOrEqualTo(Math.max(1, (pages + 4) / 5) + 1);
        assertThat(poll.completed()).containsExactly(ObjectType.CONTACT, ObjectType.LEAD);
    }

    @Test
    void aCatchUpOfOneTypeGivesItEveryOperation() throws Exception {
        PollCycle poll = poll(ObjectType.LEAD);

        JsonNode subrequests = JSON.readTree(poll.nextRequest()).get("compositeRequest");

        assertThat(subrequests).extracting(s -> s.get("referenceId").asText())
                .containsExactly("lead0", "lead1", "lead2", "lead3", "lead4");
    }

    @Test
    void aTypeWhoseQueryFailedIsLeftForTheNextPollAndTheOtherGoesOn() {
        PollCycle poll = poll(ObjectType.CONTACT, ObjectType.LEAD);
        FakeSalesforce salesforce = new FakeSalesforce(2000, Map.of("Contact", 5, "Lead", 4500));
        salesforce.refuse.put("contact0", "INVALID_FIELD");

        List<PollCycle.Page> pages = poll.read(salesforce.answer(poll.nextRequest()));
        assertThat(pages).extracting(PollCycle.Page::objectType).containsOnly(ObjectType.LEAD).hasSize(2);
        pages.forEach(poll::handled);

        String next = poll.nextRequest();
        assertThat(next).doesNotContain("contact").contains("\"lead0\"");
        poll.read(salesforce.answer(next)).forEach(poll::handled);
        assertThat(poll.nextRequest()).isNull();
        assertThat(poll.completed()).containsExactly(ObjectType.LEAD);
    }

    @Test
    void aCallWhereEveryTypeFailedFailsInSalesforcesWords() {
        PollCycle poll = poll(ObjectType.CONTACT, ObjectType.LEAD);
        FakeSalesforce salesforce = new FakeSalesforce(2000, Map.of("Contact", 5, "Lead", 5));
        salesforce.refuse.put("contact0", "MALFORMED_QUERY");
        salesforce.refuse.put("lead0", "INVALID_FIELD");

        assertThatThrownBy(() -> poll.read(salesforce.answer(poll.nextRequest()))).rootCause()
                .isInstanceOfSatisfying(SalesforceException.class, e -> {
                    assertThat(e.getStatusCode()).isEqualTo(400);
                    assertThat(e.getErrors().get(0).getErrorCode()).isEqualTo("MALFORMED_QUERY");
                });
        assertThat(poll.nextRequest()).isNull();
        assertThat(poll.completed()).isEmpty();
    }

    @Test
    void aLaterPageThatFailedIsAskedForAgainInTheNextCallFromThePageBeforeIt() throws Exception {
        PollCycle poll = poll(ObjectType.CONTACT, ObjectType.LEAD);
        FakeSalesforce salesforce = new FakeSalesforce(2000, Map.of("Contact", 5000, "Lead", 10));
        salesforce.refuse.put("contact1", "INVALID_QUERY_LOCATOR");

        List<PollCycle.Page> pages = poll.read(salesforce.answer(poll.nextRequest()));
        assertThat(pages).extracting(p -> p.objectType().name() + " " + p.index()).containsExactly("CONTACT 0", "LEAD 0");
        pages.forEach(poll::handled);
        salesforce.refuse.clear();

        JsonNode subrequests = JSON.readTree(poll.nextRequest()).get("compositeRequest");
        assertThat(subrequests.get(0).get("url").asText()).isEqualTo("/services/data/v60.0/query/Contact-2000");
        assertThat(subrequests).extracting(s -> s.get("referenceId").asText()).allMatch(r -> r.startsWith("contact"));
    }

    @Test
    void aPageNotHandledEndsItsTypesPollAndItsLaterPagesAreNotInTurn() {
        PollCycle poll = poll(ObjectType.CONTACT, ObjectType.LEAD);
        FakeSalesforce salesforce = new FakeSalesforce(2000, Map.of("Contact", 6500, "Lead", 4500));

        List<PollCycle.Page> pages = poll.read(salesforce.answer(poll.nextRequest()));
        assertThat(pages).extracting(p -> p.objectType().name() + " " + p.index())
                .containsExactly("CONTACT 0", "CONTACT 1", "CONTACT 2", "LEAD 0", "LEAD 1");
        // CONTACT 0 failed as a whole (its watermark stays): the Contacts after it must not move it past it
        assertThat(poll.inTurn(pages.get(1))).isFalse();
        assertThat(poll.inTurn(pages.get(3))).isTrue();
        poll.handled(pages.get(3));
        poll.handled(pages.get(4));

        String next = poll.nextRequest();
        assertThat(next).doesNotContain("contact");
        poll.read(salesforce.answer(next)).forEach(poll::handled);
        assertThat(poll.nextRequest()).isNull();
        assertThat(poll.completed()).containsExactly(ObjectType.LEAD);
    }

    private static Object parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Salesforce's Composite resource reduced to queries of record counts: a query's first page,
     * its next pages by explicit {@code nextRecordsUrl} or by reference to an earlier subrequest's,
     * 400 {@code PROCESSING_HALTED} for a reference with no value, at most 5 query operations a call.
     */
    private static final class FakeSalesforce {
        private static final Pattern QUERY = Pattern.compile("/services/data/v60\\.0/query/\\?q=SELECT\\+Id\\+FROM\\+(\\w+)");
        private static final Pattern MORE = Pattern.compile("/services/data/v60\\.0/query/(\\w+)-(\\d+)");
        private static final Pattern REFERENCE = Pattern.compile("@\\{(\\w+)\\.nextRecordsUrl}");

        final int pageSize;
        final Map<String, Integer> counts;
        final Map<String, String> refuse = new HashMap<>();
        int calls;
        int halted;
        long recordsServed;

        FakeSalesforce(int pageSize, Map<String, Integer> counts) {
            this.pageSize = pageSize;
            this.counts = counts;
        }

        String answer(String request) {
            calls++;
            JsonNode subrequests = (JsonNode) parse(request);
            assertThat(subrequests.get("compositeRequest").size()).as("query operations in one call").isLessThanOrEqualTo(5);
            Map<String, JsonNode> bodies = new HashMap<>();
            ArrayNode results = JSON.createArrayNode();
            for (JsonNode sub : subrequests.get("compositeRequest")) {
                String referenceId = sub.get("referenceId").asText();
                String url = sub.get("url").asText();
                Matcher reference = REFERENCE.matcher(url);
                if (reference.matches()) {
                    JsonNode earlier = bodies.get(reference.group(1));
                    if (earlier == null || earlier.path("nextRecordsUrl").isMissingNode()) {
                        halted++;
                        results.add(result(referenceId, 400, error("PROCESSING_HALTED", "Invalid reference specified.")));
                        continue;
                    }
                    url = earlier.get("nextRecordsUrl").asText();
                }
                if (refuse.containsKey(referenceId)) {
                    results.add(result(referenceId, 400, error(refuse.get(referenceId), "refused")));
                    continue;
                }
                Matcher query = QUERY.matcher(url);
                Matcher more = MORE.matcher(url);
                JsonNode body;
                if (query.matches()) {
                    body = page(query.group(1), 0);
                } else if (more.matches()) {
                    body = page(more.group(1), Integer.parseInt(more.group(2)));
                } else {
                    throw new AssertionError("not a query: " + url);
                }
                bodies.put(referenceId, body);
                results.add(result(referenceId, 200, body));
            }
            ObjectNode answer = JSON.createObjectNode();
            answer.set("compositeResponse", results);
            return answer.toString();
        }

        private JsonNode page(String object, int offset) {
            int total = counts.getOrDefault(object, 0);
            int end = Math.min(total, offset + pageSize);
            ObjectNode page = JSON.createObjectNode();
            page.put("totalSize", total);
            page.put("done", end >= total);
            if (end < total) {
                page.put("nextRecordsUrl", "/services/data/v60.0/query/" + object + "-" + end);
            }
            ArrayNode records = page.putArray("records");
            for (int i = offset; i < end; i++) {
                records.addObject().put("Id", object + i);
            }
            recordsServed += end - offset;
            return page;
        }

        private static JsonNode error(String code, String message) {
            ArrayNode errors = JSON.createArrayNode();
            errors.addObject().put("errorCode", code).put("message", message);
            return errors;
        }

        private static JsonNode result(String referenceId, int status, JsonNode body) {
            ObjectNode result = JSON.createObjectNode();
            result.set("body", body);
            result.putObject("httpHeaders");
            result.put("httpStatusCode", status);
            result.put("referenceId", referenceId);
            return result;
        }
    }
}

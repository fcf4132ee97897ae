package io.github.crmsync.salesforce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CompositeRequestTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void queriesAndCollectionsUpdatesAreWrittenAsTheCompositeResourceTakesThem() throws Exception {
        Map<String, Object> fields = new HashMap<>();
        fields.put("Title", "CTO");
        fields.put("Phone", null);
        String json = new CompositeRequest("60.0")
                .query("page0", "SELECT Id FROM Contact WHERE Email = 'a+b@example.com'")
                .queryMore("page1", "@{page0.nextRecordsUrl}")
                .update("update0", List.of(new SObjectPatch("Contact", "003000000000001AAA", fields)))
                .json();

        JsonNode request = JSON.readTree(json);
        assertThat(request.get("allOrNone").asBoolean()).isFalse();
        assertThat(request.get("collateSubrequests").asBoolean()).isFalse();
        JsonNode subs = request.get("compositeRequest");
        assertThat(subs.get(0).get("method").asText()).isEqualTo("GET");
        assertThat(subs.get(0).get("url").asText()).isEqualTo(
                "/services/data/v60.0/query/?q=SELECT+Id+FROM+Contact+WHERE+Email+%3D+%27a%2Bb%40example.com%27");
        assertThat(subs.get(1).get("url").asText()).isEqualTo("@{page0.nextRecordsUrl}");
        JsonNode update = subs.get(2);
        assertThat(update.get("method").asText()).isEqualTo("PATCH");
        assertThat(update.get("url").asText()).isEqualTo("/services/data/v60.0/composite/sobjects");
        assertThat(update.get("body").get("allOrNone").asBoolean()).isFalse();
        JsonNode record = update.get("body").get("records").get(0);
        assertThat(record.get("attributes").get("type").asText()).isEqualTo("Contact");
        assertThat(record.get("Id").asText()).isEqualTo("003000000000001AAA");
        assertThat(record.get("Title").asText()).isEqualTo("CTO");
        assertThat(record.has("Phone")).as("a null clears the field").isTrue();
        assertThat(record.get("Phone").isNull()).isTrue();
    }

    @Test
    void aSixthCollectionOrQueryAndA201stRecordAreRefusedBeforeAnythingIsSent() {
        CompositeRequest request = new CompositeRequest("60.0");
        for (int i = 0; i < 5; i++) {
            request.query("q" + i, "SELECT Id FROM Lead");
        }
        assertThat(request.roomForCollectionOrQuery()).isFalse();
        assertThatThrownBy(() -> request.query("q5", "SELECT Id FROM Lead")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("5 of them sObject Collections or queries");
        List<SObjectPatch> records = new ArrayList<>();
        for (int i = 0; i < 201; i++) {
            records.add(new SObjectPatch("Lead", "00Q" + i, Map.of("Title", "x")));
        }
        assertThatThrownBy(() -> new CompositeRequest("60.0").update("u", records))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("up to 200 records, not 201");
    }

    @Test
    void eachSubrequestsAnswerIsReadWithItsStatusAndFirstError() {
        List<CompositeRequest.Result> results = CompositeRequest.results("""
                {"compositeResponse":[
                  {"body":{"totalSize":0,"done":true,"records":[]},"httpHeaders":{},"httpStatusCode":200,"referenceId":"page0"},
                  {"body":[{"errorCode":"PROCESSING_HALTED","message":"Invalid reference specified."}],
                   "httpHeaders":{},"httpStatusCode":400,"referenceId":"page1"}]}""");

        assertThat(results).extracting(CompositeRequest.Result::referenceId).containsExactly("page0", "page1");
        assertThat(results.get(0).ok()).isTrue();
        assertThat(results.get(1).ok()).isFalse();
        assertThat(results.get(1).errorCode()).isEqualTo("PROCESSING_HALTED");
        assertThat(results.get(1).errorMessage()).isEqualTo("Invalid reference specified.");
    }

    @Test
    void aRequestHandedBackInsteadOfAnAnswerIsNoAnswer() {
        String request = new CompositeRequest("60.0").query("query0", "SELECT Id FROM Lead").json();

        assertThatThrownBy(() -> CompositeRequest.results(request)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Salesforce's answer is not a Composite answer: {\"allOrNone\"");
    }
}

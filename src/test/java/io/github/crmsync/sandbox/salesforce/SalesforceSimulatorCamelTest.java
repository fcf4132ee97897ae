package io.github.crmsync.sandbox.salesforce;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crmsync.sandbox.SimulatorFaults;
import io.github.crmsync.sandbox.seed.SeedData;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.salesforce.SalesforceComponent;
import org.apache.camel.component.salesforce.SalesforceEndpointConfig;
import org.apache.camel.component.salesforce.api.SalesforceException;
import org.apache.camel.component.salesforce.api.dto.AbstractDescribedSObjectBase;
import org.apache.camel.component.salesforce.api.dto.RestError;
import org.apache.camel.component.salesforce.api.dto.SObjectDescription;
import org.apache.camel.component.salesforce.api.dto.SaveSObjectResult;
import org.apache.camel.component.salesforce.api.dto.bulkv2.JobStateEnum;
import org.apache.camel.component.salesforce.api.dto.bulkv2.OperationEnum;
import org.apache.camel.component.salesforce.api.dto.bulkv2.QueryJob;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The real camel-salesforce component, in a plain CamelContext, against the simulator. */
class SalesforceSimulatorCamelTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter SF_DATETIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ");
    private static final SeedData SEED = new SeedData(SeedData.DEFAULT_SEED, 5000);

    private static SalesforceSimulator simulator;
    private static CamelContext camel;
    private static ProducerTemplate producer;

    @BeforeAll
    static void start() throws Exception {
        simulator = new SalesforceSimulator(SalesforceSimulatorSettings.defaults().withPort(0), SEED);
        simulator.start();
        camel = new DefaultCamelContext();
        camel.addComponent("salesforce", component(SalesforceSimulator.SERVICE_CLIENT_ID, SalesforceSimulator.SERVICE_CLIENT_SECRET));
        camel.addComponent("otherSalesforce", component(SalesforceSimulator.OTHER_CLIENT_ID, SalesforceSimulator.OTHER_CLIENT_SECRET));
        camel.start();
        producer = camel.createProducerTemplate();
    }

    private static SalesforceComponent component(String clientId, String secret) {
        SalesforceComponent sf = new SalesforceComponent();
        sf.setLoginUrl(simulator.baseUrl());
        sf.setClientId(clientId);
        sf.setClientSecret(secret);
        sf.setUserName(SalesforceSimulator.USERNAME);
        sf.setPassword(SalesforceSimulator.PASSWORD);
        SalesforceEndpointConfig config = new SalesforceEndpointConfig();
        config.setApiVersion("60.0");
        config.setRawPayload(true);
        sf.setConfig(config);
        return sf;
    }

    @AfterAll
    static void stop() throws Exception {
        camel.stop();
        simulator.close();
    }

    @AfterEach
    void resetUsage() {
        simulator.resetApiRequests();
    }

    private static JsonNode json(Object body) throws Exception {
        return JSON.readTree(body instanceof String s ? s : new String((byte[]) camel.getTypeConverter()
                .convertTo(byte[].class, body), StandardCharsets.UTF_8));
    }

    private static JsonNode query(String soql) throws Exception {
        return json(producer.requestBody("salesforce:query", soql));
    }

    private static SalesforceException salesforceError(Runnable call) {
        try {
            call.run();
        } catch (CamelExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(SalesforceException.class);
            return (SalesforceException) e.getCause();
        }
        throw new AssertionError("expected a SalesforceException");
    }

    private static long expectedCount(String type) {
        long n = 0;
        for (int i = 0; i < SEED.people(); i++) {
            var sf = SEED.person(i).salesforce();
            if (sf != null && sf.type().equals(type)) {
                n++;
            }
        }
        return n;
    }

    @Test
    void queryAndQueryMoreReturnEveryRecordOnce() throws Exception {
        for (String batchSize : new String[] {null, "batchSize=500"}) {
            Set<String> ids = new HashSet<>();
            int pages = 0;
            JsonNode page = json(batchSize == null
                    ? producer.requestBody("salesforce:query", "SELECT Id, Email, SystemModstamp FROM Contact")
                    : producer.requestBodyAndHeader("salesforce:query", "SELECT Id, Email, SystemModstamp FROM Contact",
                    "Sforce-Query-Options", batchSize));
            long total = page.get("totalSize").asLong();
            while (true) {
                pages++;
                for (JsonNode r : page.get("records")) {
                    assertThat(r.at("/attributes/type").asText()).isEqualTo("Contact");
                    assertThat(r.get("SystemModstamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\+0000");
                    assertThat(ids.add(r.get("Id").asText())).as("seen once: %s", r.get("Id")).isTrue();
                }
                if (page.get("done").asBoolean()) {
                    break;
                }
                assertThat(page.get("nextRecordsUrl").asText()).matches("/services/data/v60\\.0/query/01g\\w{15}-\\d+");
                page = json(producer.requestBody("salesforce:queryMore", page.get("nextRecordsUrl").asText()));
            }
            assertThat(total).isEqualTo(expectedCount("Contact"));
            assertThat(ids).hasSize((int) total);
            assertThat(pages).isEqualTo((int) Math.ceil(total / (batchSize == null ? 2000.0 : 500.0)));
        }
        JsonNode count = query("SELECT COUNT() FROM Lead");
        assertThat(count.get("totalSize").asLong()).isEqualTo(expectedCount("Lead"));
        assertThat(count.get("records")).isEmpty();
        assertThat(json(producer.requestBody("salesforce:queryAll", "SELECT Id FROM Lead")).get("totalSize").asLong())
                .isEqualTo(expectedCount("Lead"));
    }

    @Test
    void updateIsSeenByTheNextQueryWithALaterModstamp() throws Exception {
        JsonNode before = query("SELECT Id, Phone, SystemModstamp FROM Contact ORDER BY SystemModstamp DESC LIMIT 1")
                .get("records").get(0);
        String id = before.get("Id").asText();
        long writes = simulator.writeCount();
        producer.requestBodyAndHeaders("salesforce:updateSObject", "{\"Phone\":\"+44 20 7946 0000\",\"Nickname__c\":null}",
                Map.of("sObjectName", "Contact", "sObjectId", id));
        JsonNode after = query("SELECT Id, Phone, Nickname__c, SystemModstamp FROM Contact WHERE Id = '" + id + "'")
                .get("records").get(0);
        assertThat(after.get("Phone").asText()).isEqualTo("+44 20 7946 0000");
        assertThat(after.get("Nickname__c").isNull()).isTrue();
        Instant was = OffsetDateTime.parse(before.get("SystemModstamp").asText(), SF_DATETIME).toInstant();
        Instant now = OffsetDateTime.parse(after.get("SystemModstamp").asText(), SF_DATETIME).toInstant();
        assertThat(now).isAfter(was);
        assertThat(simulator.writeCount()).isEqualTo(writes + 1);
        assertThat(simulator.record("Contact", id).orElseThrow()).containsEntry("Phone", "+44 20 7946 0000");
        JsonNode since = query("SELECT Id FROM Contact WHERE SystemModstamp > " + before.get("SystemModstamp").asText()
                .replace("+0000", "Z"));
        assertThat(since.get("totalSize").asInt()).isEqualTo(1);
    }

    /** A Contact DTO as camel-salesforce's generator would make it, reduced to the fields the test writes. */
    public static class ContactDto extends AbstractDescribedSObjectBase {
        private String phone;
        private String plan;

        ContactDto(String id, String phone, String plan) {
            getAttributes().setType("Contact");
            setId(id);
            this.phone = phone;
            this.plan = plan;
        }

        @JsonProperty("Phone")
        public String getPhone() {
            return phone;
        }

        @JsonProperty("Plan__c")
        public String getPlan() {
            return plan;
        }

        @Override
        public SObjectDescription description() {
            SObjectDescription d = new SObjectDescription();
            d.setName("Contact");
            return d;
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void collectionsUpdateReportsPerRecordErrorsAndWritesTheGoodRecord() throws Exception {
        JsonNode two = query("SELECT Id FROM Contact ORDER BY Id LIMIT 2");
        String good = two.get("records").get(0).get("Id").asText();
        String bad = two.get("records").get(1).get("Id").asText();
        List<ContactDto> body = List.of(new ContactDto(good, "+1 555 0100 0001", "Team"),
                new ContactDto(bad, "+1 555 0100 0002", "Platinum"));
        Object response = producer.requestBody("salesforce:compositeUpdateSObjectCollections", body);
        List<SaveSObjectResult> results = response instanceof List<?> l ? (List<SaveSObjectResult>) l
                : JSON.readValue(json(response).toString(), JSON.getTypeFactory()
                .constructCollectionType(List.class, SaveSObjectResult.class));
        assertThat(results).hasSize(2);
        assertThat(results.get(0).getSuccess()).isTrue();
        assertThat(results.get(0).getId()).isEqualTo(good);
        assertThat(results.get(1).getSuccess()).isFalse();
        RestError error = results.get(1).getErrors().get(0);
        assertThat(error.getErrorCode()).isEqualTo("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST");
        assertThat(error.getMessage()).isEqualTo("Plan: bad value for restricted picklist field: Platinum");
        assertThat(error.getFields()).containsExactly("Plan__c");
        assertThat(simulator.record("Contact", good).orElseThrow()).containsEntry("Plan__c", "Team")
                .containsEntry("Phone", "+1 555 0100 0001");
        assertThat(simulator.record("Contact", bad).orElseThrow().get("Phone")).isNotEqualTo("+1 555 0100 0002");
    }

    @Test
    void limitsAndUsageAttributedToTheCallingClient() throws Exception {
        JsonNode limits = json(producer.requestBody("salesforce:limits", (Object) null));
        assertThat(limits.at("/DailyApiRequests/Max").asLong()).isEqualTo(100_000);
        long remaining = limits.at("/DailyApiRequests/Remaining").asLong();
        assertThat(remaining).isBetween(100_000L - simulator.apiRequestsUsed(), 99_999L);
        producer.requestBody("otherSalesforce:query", "SELECT Id FROM Lead LIMIT 1");
        producer.requestBody("otherSalesforce:limits", (Object) null);
        assertThat(simulator.apiRequestsUsedByClient()).containsEntry(SalesforceSimulator.OTHER_CLIENT_ID, 2L);
        assertThat(simulator.apiRequestsUsedByClient()).containsKey(SalesforceSimulator.SERVICE_CLIENT_ID);
        assertThat(simulator.apiRequestsUsed()).isEqualTo(simulator.apiRequestsUsedByClient().values().stream()
                .mapToLong(Long::longValue).sum());
    }

    @Test
    void bulkQueryResultsPageWithTheLocator() throws Exception {
        QueryJob job = new QueryJob();
        job.setOperation(OperationEnum.QUERY);
        job.setQuery("SELECT Id, Email, Plan__c FROM Lead ORDER BY Id");
        QueryJob created = producer.requestBody("salesforce:bulk2CreateQueryJob", job, QueryJob.class);
        assertThat(created.getId()).startsWith("750");
        await().atMost(Duration.ofSeconds(20)).until(() -> producer.requestBodyAndHeader("salesforce:bulk2GetQueryJob",
                null, "jobId", created.getId(), QueryJob.class).getState() == JobStateEnum.JOB_COMPLETE);
        List<String> ids = new ArrayList<>();
        String locator = null;
        int pages = 0;
        do {
            String loc = locator;
            Exchange result = producer.request("salesforce:bulk2GetQueryJobResults", e -> {
                e.getIn().setHeader("jobId", created.getId());
                e.getIn().setHeader("maxRecords", 500);
                if (loc != null) {
                    e.getIn().setHeader("locator", loc);
                }
            });
            assertThat(result.getException()).isNull();
            String csv = new String(result.getMessage().getBody(InputStream.class).readAllBytes(), StandardCharsets.UTF_8);
            String[] lines = csv.split("\n");
            assertThat(lines[0]).isEqualTo("\"Id\",\"Email\",\"Plan__c\"");
            for (int i = 1; i < lines.length; i++) {
                ids.add(lines[i].substring(1, 19));
            }
            assertThat(result.getMessage().getHeader("Sforce-NumberOfRecords", String.class))
                    .isEqualTo(Integer.toString(lines.length - 1));
            locator = result.getMessage().getHeader("Sforce-Locator", String.class);
            pages++;
        } while (!"null".equals(locator));
        assertThat(ids).hasSize((int) expectedCount("Lead")).doesNotHaveDuplicates().isSorted();
        assertThat(pages).isEqualTo((int) Math.ceil(expectedCount("Lead") / 500.0));
    }

    @Test
    void expiredTokenIsRenewedByReLogin() throws Exception {
        query("SELECT Id FROM Contact LIMIT 1");
        long logins = simulator.tokensIssued();
        long used = simulator.apiRequestsUsed();
        simulator.expireAllTokens();
        assertThat(query("SELECT Id FROM Contact LIMIT 1").get("records")).hasSize(1);
        assertThat(simulator.tokensIssued()).isEqualTo(logins + 1);
        // the refused call and the token request do not count; the repeated query does
        assertThat(simulator.apiRequestsUsed()).isEqualTo(used + 1);
    }

    @Test
    void pastTheDailyLimitEveryCallIsRefused() {
        simulator.addApiRequests(SalesforceSimulator.OTHER_CLIENT_ID, 100_000);
        SalesforceException e = salesforceError(() -> producer.requestBody("salesforce:query", "SELECT Id FROM Contact LIMIT 1"));
        assertThat(e.getStatusCode()).isEqualTo(403);
        assertThat(e.getErrors()).extracting(RestError::getErrorCode).containsExactly("REQUEST_LIMIT_EXCEEDED");
        assertThat(e.getErrors().get(0).getMessage()).isEqualTo("TotalRequests Limit exceeded.");
    }

    @Test
    void badInputGetsTheOrgsErrorShapes() {
        SalesforceException malformed = salesforceError(() -> producer.requestBody("salesforce:query",
                "SELECT Id FROM Contact WHERE Email = "));
        assertThat(malformed.getStatusCode()).isEqualTo(400);
        assertThat(malformed.getErrors().get(0).getErrorCode()).isEqualTo("MALFORMED_QUERY");
        assertThat(malformed.getErrors().get(0).getMessage()).contains("ERROR at Row:1:Column:").contains("unexpected token:");

        SalesforceException unknownColumn = salesforceError(() -> producer.requestBody("salesforce:query",
                "SELECT Id,Invalid__x FROM Contact LIMIT 1"));
        assertThat(unknownColumn.getStatusCode()).isEqualTo(400);
        assertThat(unknownColumn.getErrors().get(0).getErrorCode()).isEqualTo("INVALID_FIELD");
        assertThat(unknownColumn.getErrors().get(0).getMessage()).isEqualTo("\nSELECT Id,Invalid__x FROM Contact LIMIT 1\n"
                + "          ^\nERROR at Row:1:Column:11\nNo such column 'Invalid__x' on entity 'Contact'. If you are "
                + "attempting to use a custom field, be sure to append the '__c' after the custom field name. Please "
                + "reference your WSDL or the describe call for the appropriate names.");

        String id = SeedData.salesforceId(firstContact(), false);
        assertWriteError(id, "{\"Foo__c\":\"x\"}", "INVALID_FIELD", "No such column 'Foo__c' on sobject of type Contact");
        String longNick = "x".repeat(41);
        assertWriteError(id, "{\"Nickname__c\":\"" + longNick + "\"}", "STRING_TOO_LONG",
                "Nickname: data value too large: " + longNick + " (max length=40)");
        assertWriteError(id, "{\"Plan__c\":\"Gold\"}", "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                "Plan: bad value for restricted picklist field: Gold");
        assertWriteError(id, "{\"Email\":\"not an email\"}", "INVALID_EMAIL_ADDRESS", "Email: invalid email address: not an email");
        assertWriteError(id, "{\"LastName\":null}", "REQUIRED_FIELD_MISSING", "Required fields are missing: [LastName]");
    }

    private static int firstContact() {
        for (int i = 0; ; i++) {
            var p = SEED.person(i);
            if (p.salesforce() != null && !p.lead()) {
                return i;
            }
        }
    }

    private void assertWriteError(String id, String body, String code, String message) {
        long writes = simulator.writeCount();
        SalesforceException e = salesforceError(() -> producer.requestBodyAndHeaders("salesforce:updateSObject", body,
                Map.of("sObjectName", "Contact", "sObjectId", id)));
        assertThat(e.getStatusCode()).isEqualTo(400);
        assertThat(e.getErrors().get(0).getErrorCode()).isEqualTo(code);
        assertThat(e.getErrors().get(0).getMessage()).isEqualTo(message);
        assertThat(simulator.writeCount()).isEqualTo(writes);
    }

    @Test
    void faultsReachTheClientAsSalesforceErrors() {
        simulator.faults().set(0, 1.0, 0, 0);
        try {
            SalesforceException e = salesforceError(() -> producer.requestBody("salesforce:limits", (Object) null));
            assertThat(e.getStatusCode()).isEqualTo(503);
        } finally {
            simulator.faults().set(0, 0, 0, 0);
        }
        simulator.faults().set(0, 0, 1.0, 0);
        try {
            SalesforceException e = salesforceError(() -> producer.requestBody("salesforce:limits", (Object) null));
            assertThat(e.getStatusCode()).isEqualTo(403);
            assertThat(e.getErrors().get(0).getErrorCode()).isEqualTo("REQUEST_LIMIT_EXCEEDED");
            assertThat(e.getErrors().get(0).getMessage()).isEqualTo("ConcurrentRequests (Concurrent API Requests) Limit exceeded.");
        } finally {
            simulator.faults().set(0, 0, 0, 0);
        }
        assertThat(SimulatorFaults.none().asMap()).containsEntry("serverErrorRate", 0.0);
    }
}

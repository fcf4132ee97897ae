package io.github.crmsync.bulksync;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crmsync.mapping.AttributeMapping;
import io.github.crmsync.mapping.Direction;
import io.github.crmsync.mapping.MappingSet;
import io.github.crmsync.mapping.ObjectType;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The bulk sync's plain parts: CSV reading and writing, run figures, the staged contact, settings. */
class BulkSyncPartsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void csvRowsReadQuotesDoubledQuotesLineBreaksAndEmptyCellsAsBulkApiWritesThem() throws Exception {
        CsvRows rows = new CsvRows(new StringReader("\"Id\",\"Title\",\"Phone\"\r\n"
                + "\"003A\",\"Say \"\"hi\"\"\",\n"
                + "\"003B\",\"two\nlines\",\"\"\n"
                + "003C,plain,+1 555\n"), ',');
        assertThat(rows.next()).containsExactly("Id", "Title", "Phone");
        assertThat(rows.next()).containsExactly("003A", "Say \"hi\"", null);
        assertThat(rows.next()).containsExactly("003B", "two\nlines", "");
        assertThat(rows.next()).containsExactly("003C", "plain", "+1 555");
        assertThat(rows.next()).isNull();
    }

    @Test
    void csvRowsRefuseACellLeftOpen() {
        CsvRows rows = new CsvRows(new StringReader("\"003A\",\"never closed\n"), ',');
        assertThatThrownBy(rows::next).hasMessageContaining("quoted cell");
    }

    @Test
    void ingestCellsLeaveUntouchedFieldsEmptyAndClearWithNotAvailable() {
        Map<String, Object> patch = new LinkedHashMap<>();
        patch.put("Plan__c", "Pro \"Plus\"");
        patch.put("Seats__c", new BigDecimal("1.50E+2"));
        patch.put("Nickname__c", null);
        assertThat(BulkIngest.cell(patch, "plan__c")).isEqualTo("\"Pro \"\"Plus\"\"\"");
        assertThat(BulkIngest.cell(patch, "Seats__c")).isEqualTo("\"150\"");
        assertThat(BulkIngest.cell(patch, "Nickname__c")).isEqualTo("\"#N/A\"");
        assertThat(BulkIngest.cell(patch, "Newsletter__c")).isEmpty();
    }

    @Test
    void ingestColumnsAreTheFieldsIntercomWritesOnceEach() {
        MappingSet set = MappingSet.of(
                AttributeMapping.of(ObjectType.LEAD, "custom_attributes.plan", "Plan__c", Direction.INTERCOM_TO_SALESFORCE),
                AttributeMapping.of(ObjectType.LEAD, "phone", "Phone", Direction.SALESFORCE_TO_INTERCOM),
                AttributeMapping.of(ObjectType.CONTACT, "custom_attributes.seats", "Seats__c", Direction.INTERCOM_TO_SALESFORCE));
        assertThat(BulkIngest.columns(set, ObjectType.LEAD)).containsExactly("Plan__c");
        assertThat(BulkIngest.columns(set, ObjectType.CONTACT)).containsExactly("Seats__c");
    }

    @Test
    void runFiguresFollowTheCountersAndTheClock() {
        Instant start = Instant.parse("2026-11-28T14:00:00Z");
        // writing since second 4: 250 of 1,000 writes done is 35 % + 65 % × 0.25 = 51.25 %
        BulkProgress writing = new BulkProgress("WRITING", 0L, 0, 0L, 0, 4, 0L, 0, 1000, 250, start.plusSeconds(4));
        BulkRun running = run("WRITING", true, start, start.plusSeconds(10), null, 1000, 250, 18L, writing);
        assertThat(running.percent()).isEqualTo(51.2);
        assertThat(running.recordsPerSecond()).isEqualTo(25.0);
        assertThat(running.etaSeconds()).as("the owner's estimate").isEqualTo(18L);
        Map<String, Object> json = running.asJson();
        assertThat(json).containsEntry("phase", "WRITING").containsEntry("status", "WRITING")
                .containsEntry("startedAt", "2026-11-28T14:00:00Z").containsEntry("finishedAt", null)
                .containsEntry("processed", 250L).containsEntry("etaSeconds", 18L).containsEntry("percent", 51.2);
        assertThat(json).containsEntry("kind", "RUN").containsEntry("previewId", null);
        assertThat(json.keySet()).containsExactly("id", "kind", "previewId", "status", "startedBy", "startedAt", "updatedAt", "finishedAt",
                "stopReason", "failureMessage", "phase", "total", "processed", "updatedInSalesforce", "updatedInIntercom",
                "unchanged", "failed", "percent", "recordsPerSecond", "etaSeconds", "salesforceCalls", "intercomRequests",
                "progress");
        @SuppressWarnings("unchecked")
        Map<String, Object> counts = (Map<String, Object>) json.get("progress");
        assertThat(counts).containsEntry("writesToDo", 1000L).containsEntry("writesDone", 250L)
                .containsEntry("phaseStartedAt", "2026-11-28T14:00:04Z").containsEntry("writingStartsAtPercent", 35.0);

        BulkRun waiting = run("WAITING_FOR_CAPACITY", true, start, start.plusSeconds(10), null, 1000, 250, 18L, writing);
        assertThat(waiting.etaSeconds()).as("no rate while waiting for capacity").isNull();
        assertThat(waiting.asJson()).containsEntry("phase", "WRITING").containsEntry("percent", 51.2);
        BulkRun staging = run("STAGING", true, start, start.plusSeconds(3), null, 0, 0, null,
                new BulkProgress("STAGING", null, 0, null, 0, 0, null, 0, 0, 0, start));
        assertThat(staging.etaSeconds()).as("not known yet").isNull();
        assertThat(staging.percent()).isZero();
        BulkRun done = run("COMPLETED", false, start, start.plusSeconds(60), start.plusSeconds(20), 1000, 1000, 5L,
                new BulkProgress("WRITING", 0L, 0, 0L, 0, 4, 0L, 0, 0, 0, start));
        assertThat(done.recordsPerSecond()).as("to the finish").isEqualTo(50.0);
        assertThat(done.etaSeconds()).isZero();
        assertThat(done.percent()).isEqualTo(100.0);
        assertThat(done.asJson()).containsEntry("phase", "COMPLETED");
        BulkRun stopped = run("STOPPED", false, start, start.plusSeconds(60), start.plusSeconds(20), 1000, 500, 5L, writing);
        assertThat(stopped.percent()).as("where it stopped").isEqualTo(51.2);
    }

    @Test
    void theStagedContactKeepsOnlyWhatTheMappingsReadAndTellsNotReadFromEmpty() throws Exception {
        var contact = JSON.readTree("{\"type\":\"contact\",\"id\":\"c1\",\"role\":\"user\",\"email\":\"a@b.c\",\"phone\":\"+1\","
                + "\"name\":\"A\",\"custom_attributes\":{\"plan\":\"Pro\",\"notes\":\"long text\"}}");
        List<AttributeMapping> mappings = List.of(
                AttributeMapping.of(ObjectType.CONTACT, "phone", "Phone", Direction.SALESFORCE_TO_INTERCOM),
                AttributeMapping.of(ObjectType.CONTACT, "custom_attributes.plan", "Plan__c", Direction.INTERCOM_TO_SALESFORCE),
                AttributeMapping.of(ObjectType.CONTACT, "custom_attributes.seats", "Seats__c", Direction.INTERCOM_TO_SALESFORCE));
        assertThat(BulkStaging.mappedPart(contact, mappings).toString()).isEqualTo("{\"type\":\"contact\",\"id\":\"c1\","
                + "\"role\":\"user\",\"email\":\"a@b.c\",\"phone\":\"+1\",\"custom_attributes\":{\"plan\":\"Pro\"}}");
        var noCustom = JSON.readTree("{\"id\":\"c2\",\"role\":\"user\"}");
        assertThat(BulkStaging.mappedPart(noCustom, mappings).has("custom_attributes"))
                .as("absent custom_attributes stays absent: not read, not empty").isFalse();
    }

    @Test
    void theRunsMappingSetSurvivesTheRunRow() {
        MappingSet set = MappingSet.of(
                AttributeMapping.of(ObjectType.LEAD, "custom_attributes.plan", "Plan__c", Direction.INTERCOM_TO_SALESFORCE).withId(7L),
                AttributeMapping.of(ObjectType.CONTACT, "phone", "Phone", Direction.SALESFORCE_TO_INTERCOM).withId(8L));
        assertThat(BulkSync.mappingSet(BulkSync.mappingSetJson(set))).isEqualTo(set);
    }

    @Test
    void settingsHaveDefaultsAndRefuseNonsense() {
        BulkSyncSettings defaults = BulkSyncSettings.from(key -> Optional.empty());
        assertThat(defaults.bulkQueryThreshold()).isEqualTo(2_000);
        assertThat(defaults.ingestThreshold()).isEqualTo(2_000);
        assertThat(defaults.progressInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(defaults.publicUrl()).isEqualTo("http://127.0.0.1:8080");
        assertThat(defaults.earlyPatches()).isEqualTo(10_000);
        Map<String, String> values = new HashMap<>(Map.of("crmsync.bulk.progress-ms", "5000", "camel.server.port", "9000"));
        BulkSyncSettings set = BulkSyncSettings.from(key -> Optional.ofNullable(values.get(key)));
        assertThat(set.progressInterval()).as("at least every second, as promised").isEqualTo(Duration.ofSeconds(1));
        assertThat(set.publicUrl()).isEqualTo("http://127.0.0.1:9000");
        assertThatThrownBy(() -> BulkSyncSettings.from(key -> Optional.ofNullable(
                key.equals("crmsync.bulk.ingest-threshold") ? "many" : null)))
                .hasMessage("crmsync.bulk.ingest-threshold must be a whole number of at least 0, not 'many'");
    }

    @Test
    void theSummaryNamesTheOutcomeAndTheCounts() {
        Instant start = Instant.parse("2026-11-28T14:00:00Z");
        BulkRun done = new BulkRun(7, "STOPPED", false, "admin", "r1", true, "USER", start, start.plusSeconds(95),
                start.plusSeconds(95), 1000, 600, 40, 60, 480, 20, 12, 700, null, null, BulkProgress.starting());
        assertThat(BulkSummary.subject(done)).isEqualTo("Bulk sync #7 stopped: 40 updated in Salesforce, 60 in Intercom, 20 failed");
        String body = new BulkSummary(null, "i@x", "s@x", "https://sync.example.com/").body(done, 3);
        assertThat(Arrays.asList(body.split("\n"))).contains(
                "Updated in Salesforce            40", "Updated in Intercom              60", "Failed                           20",
                "Ambiguous e-mails (not synced)   3", "Duration                         1 min 35 s",
                "Salesforce API calls used        12", "Intercom requests                700",
                "Records that could not be synced: https://sync.example.com/api/sync-errors?syncType=BULK&direction=ALL");
        assertThat(body).startsWith("Bulk sync #7, started by admin at 2026-11-28T14:00:00Z, ended STOPPED (stop reason: USER).");
    }

    private static BulkRun run(String status, boolean active, Instant start, Instant updated, Instant finished,
                               long total, long processed, Long eta, BulkProgress progress) {
        return new BulkRun(1, status, active, "admin", "r1", false, null, start, updated, finished, total, processed,
                0, 0, processed, 0, 0, 0, null, eta, progress);
    }

    @Test
    void anIngestJobIsFirstLookedAtAfterAWaitThatGrowsWithItsRecords() {
        assertThat(BulkSync.ingestJobFirstWait(500, 40)).as("a small job: the configured first wait").isEqualTo(500);
        assertThat(BulkSync.ingestJobFirstWait(500, 5_000)).as("1 ms a record").isEqualTo(5_000);
        assertThat(BulkSync.ingestJobFirstWait(500, 2_000_000)).as("at most 10 s").isEqualTo(10_000);
    }

    @Test
    void aJobWithoutFailedRecordsIsNotAskedForThem() {
        org.apache.camel.component.salesforce.api.dto.bulkv2.Job job = new org.apache.camel.component.salesforce.api.dto.bulkv2.Job();
        assertThat(BulkIngest.hasFailures(job)).as("not said: asked").isTrue();
        job.setNumberRecordsFailed(0L);
        assertThat(BulkIngest.hasFailures(job)).isFalse();
        job.setNumberRecordsFailed(3L);
        assertThat(BulkIngest.hasFailures(job)).isTrue();
    }
}

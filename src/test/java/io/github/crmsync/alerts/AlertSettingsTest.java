package io.github.crmsync.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AlertSettingsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AlertSettings SAVED = new AlertSettings(true, List.of("ops@example.com"),
            "https://hooks.example.com/crmsync?token=s3cret", 50, 900, 300, 60);

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    @Test
    void aCompleteObjectIsReadAndAFieldLeftOutKeepsItsValue() throws Exception {
        AlertSettings read = AlertSettings.fromJson(json("""
                {"enabled":false,"recipients":["a@example.com"," b@example.org ","a@example.com"],"webhookUrl":"http://127.0.0.1:9/x",
                 "syncErrorsPerHour":5,"eventSyncLagSeconds":60,"circuitOpenSeconds":30,"quietPeriodMinutes":15}"""),
                AlertSettings.DEFAULTS).settings();
        assertThat(read).isEqualTo(new AlertSettings(false, List.of("a@example.com", "b@example.org"), "http://127.0.0.1:9/x",
                5, 60, 30, 15));

        AlertSettings partial = AlertSettings.fromJson(json("{\"quietPeriodMinutes\":5}"), SAVED).settings();
        assertThat(partial).isEqualTo(new AlertSettings(true, List.of("ops@example.com"), SAVED.webhookUrl(), 50, 900, 300, 5));
    }

    @Test
    void theMaskedUrlSentBackKeepsTheStoredOneAndNullOrEmptyRemovesIt() throws Exception {
        assertThat(SAVED.asJson().get("webhookUrl")).isEqualTo("https://hooks.example.com/crmsync?***");
        assertThat(AlertSettings.fromJson(json("{\"webhookUrl\":\"https://hooks.example.com/crmsync?***\"}"), SAVED).settings()
                .webhookUrl()).isEqualTo(SAVED.webhookUrl());
        assertThat(AlertSettings.fromJson(json("{\"webhookUrl\":null}"), SAVED).settings().webhookUrl()).isNull();
        assertThat(AlertSettings.fromJson(json("{\"webhookUrl\":\"  \"}"), SAVED).settings().webhookUrl()).isNull();
        assertThat(AlertSettings.fromJson(json("{\"webhookUrl\":\"https://other.example.com/h\"}"), SAVED).settings()
                .webhookUrl()).isEqualTo("https://other.example.com/h");
    }

    @Test
    void everyProblemIsNamedByItsFieldAndNothingIsRead() throws Exception {
        AlertSettings.Parsed parsed = AlertSettings.fromJson(json("""
                {"enabled":"yes","recipients":["ok@example.com","nobody",7,"x@localhost"],"webhookUrl":"mailto:ops@example.com",
                 "syncErrorsPerHour":0,"eventSyncLagSeconds":-5,"circuitOpenSeconds":86401,"quietPeriodMinutes":"60","extra":1}"""),
                SAVED);
        assertThat(parsed.settings()).isNull();
        assertThat(parsed.problems()).containsExactlyInAnyOrder(
                "unknown alert setting: alerts.extra",
                "alerts.enabled must be true or false",
                "alerts.recipients[1] is not an e-mail address: 'nobody'",
                "alerts.recipients[2] is not an e-mail address",
                "alerts.recipients[3] is not an e-mail address: 'x@localhost'",
                "alerts.webhookUrl must be an http:// or https:// URL, not mailto:",
                "alerts.syncErrorsPerHour must be a whole number from 1 to 1000000",
                "alerts.eventSyncLagSeconds must be a whole number from 1 to 604800",
                "alerts.circuitOpenSeconds must be a whole number from 1 to 86400",
                "alerts.quietPeriodMinutes must be a whole number from 1 to 10080");
        assertThat(AlertSettings.fromJson(json("[]"), SAVED).problems()).containsExactly(
                "alerts must be an object: {\"enabled\":true,\"recipients\":[…],…}");
        assertThat(AlertSettings.fromJson(json("{\"recipients\":\"ops@example.com\"}"), SAVED).problems()).containsExactly(
                "alerts.recipients must be a list of e-mail addresses");
        assertThat(AlertSettings.fromJson(json("{\"webhookUrl\":42}"), SAVED).problems()).containsExactly(
                "alerts.webhookUrl must be a URL (text) or null for none");
    }

    @Test
    void atMostTwentyRecipients() throws Exception {
        StringBuilder many = new StringBuilder("{\"recipients\":[");
        for (int i = 0; i < 21; i++) {
            many.append(i == 0 ? "" : ",").append("\"ops").append(i).append("@example.com\"");
        }
        assertThat(AlertSettings.fromJson(json(many + "]}"), SAVED).problems()).containsExactly(
                "alerts.recipients may name at most 20 addresses, not 21");
    }

    @Test
    void itDeliversOnlyWhenOnWithSomewhereToSend() {
        assertThat(AlertSettings.DEFAULTS.delivers()).as("no recipient, no webhook").isFalse();
        assertThat(SAVED.delivers()).isTrue();
        assertThat(new AlertSettings(false, List.of("ops@example.com"), null, 1, 1, 1, 1).delivers()).isFalse();
        assertThat(new AlertSettings(true, List.of(), "https://h.example.com/x", 1, 1, 1, 1).delivers()).isTrue();
        assertThat(SAVED.toString()).as("logs name the webhook by its origin").contains("webhookUrl=https://hooks.example.com/…")
                .doesNotContain("s3cret", "crmsync?");
    }
}

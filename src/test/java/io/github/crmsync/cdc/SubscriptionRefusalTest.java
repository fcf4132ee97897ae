package io.github.crmsync.cdc;

import io.grpc.Status;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which answers of the Pub/Sub API's GetTopic refuse a channel for good, and how the warning words them. */
class SubscriptionRefusalTest {

    private static final String TOPIC = "/data/LeadChangeEvent";

    @Test
    void anAuthenticationErrorNamesTheLoginWithItsErrorCode() {
        assertThat(CdcSubscriptions.refusalCause(Status.Code.UNAUTHENTICATED,
                "sfdc.platform.eventbus.grpc.service.auth.error", TOPIC))
                .hasValueSatisfying(cause -> assertThat(cause).startsWith("authentication refused")
                        .contains("sfdc.platform.eventbus.grpc.service.auth.error"));
    }

    @Test
    void aMissingOrForbiddenChannelNamesTheObjectToSelectForChangeDataCapture() {
        assertThat(CdcSubscriptions.refusalCause(Status.Code.NOT_FOUND, "sfdc.platform.eventbus.grpc.topic.not.found", TOPIC))
                .hasValueSatisfying(cause -> assertThat(cause).contains("select Lead for Change Data Capture")
                        .contains("topic.not.found"));
        assertThat(CdcSubscriptions.refusalCause(Status.Code.PERMISSION_DENIED, null, TOPIC))
                .hasValueSatisfying(cause -> assertThat(cause).contains("PERMISSION_DENIED"));
    }

    @Test
    void aPassingFailureIsNoRefusal() {
        assertThat(CdcSubscriptions.refusalCause(Status.Code.UNAVAILABLE, null, TOPIC)).isEmpty();
        assertThat(CdcSubscriptions.refusalCause(Status.Code.DEADLINE_EXCEEDED, null, TOPIC)).isEmpty();
    }
}

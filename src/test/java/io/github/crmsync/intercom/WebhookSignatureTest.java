package io.github.crmsync.intercom;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class WebhookSignatureTest {

    private final WebhookSignature signature = new WebhookSignature("sandbox-webhook-secret");
    private final byte[] body = "{\"type\":\"notification_event\"}".getBytes(StandardCharsets.UTF_8);

    @Test
    void acceptsOnlyTheHmacOfTheExactBody() {
        String header = signature.hubSignature(body);
        assertThat(header).matches("sha1=[0-9a-f]{40}");
        assertThat(signature.validHubSignature(header, body)).isTrue();
        assertThat(signature.validHubSignature(header, "{\"type\":\"notification_event\" }".getBytes(StandardCharsets.UTF_8))).isFalse();
        assertThat(new WebhookSignature("other-secret").validHubSignature(header, body)).isFalse();
    }

    @Test
    void refusesMissingOrMalformedHeaders() {
        assertThat(signature.validHubSignature(null, body)).isFalse();
        assertThat(signature.validHubSignature("", body)).isFalse();
        assertThat(signature.validHubSignature(signature.hubSignature(body).substring(5), body)).isFalse();
        assertThat(signature.validHubSignature("sha256=" + signature.hubSignature(body).substring(5), body)).isFalse();
    }

    @Test
    void matchesAnIndependentlyComputedHmac() {
        // printf '%s' '{"type":"notification_event"}' | openssl dgst -sha1 -hmac sandbox-webhook-secret
        assertThat(signature.hubSignature(body)).isEqualTo("sha1=6610777e2486f3b46ad11e5fccde4a58aac34452");
        assertThat(signature.validHubSignature("sha1=6610777E2486F3B46AD11E5FCCDE4A58AAC34452", body)).isTrue();
    }

    @Test
    void canvasBodySignatureIsHmacSha256() {
        // printf '%s' '{"type":"notification_event"}' | openssl dgst -sha256 -hmac sandbox-webhook-secret
        assertThat(signature.validBodySignature("523b87cb755640319c476ec45d97254f6f1216a2c365550fba76c408652f80ab", body)).isTrue();
        assertThat(signature.validBodySignature("00", body)).isFalse();
        assertThat(signature.validBodySignature(null, body)).isFalse();
    }
}

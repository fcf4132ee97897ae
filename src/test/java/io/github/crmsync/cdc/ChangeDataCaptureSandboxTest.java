package io.github.crmsync.cdc;

import io.github.crmsync.testing.WholeService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** In sandbox mode change events are on unless set off: the service subscribes to its simulator's Pub/Sub API. */
class ChangeDataCaptureSandboxTest {

    @RegisterExtension
    static final WholeService whole = WholeService.sandbox().without("crmsync.cdc.enabled");

    @Test
    void theSandboxSubscribesToChangeEventsByDefault() {
        assertThat(whole.service().bean("cdcSettings", io.github.crmsync.CdcConfiguration.CdcSettings.class).enabled()).isTrue();
        await().atMost(Duration.ofSeconds(60)).until(() ->
                whole.service().bean("cdcSubscriptions", CdcSubscriptions.class).subscribed());
        assertThat(whole.service().context().getRoute("salesforce-contacts-cdc")).isNotNull();
        assertThat(whole.service().context().getRoute("salesforce-leads-cdc")).isNotNull();
    }
}

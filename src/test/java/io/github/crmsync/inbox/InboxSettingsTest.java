package io.github.crmsync.inbox;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InboxSettingsTest {

    private static InboxSettings with(Map<String, String> values) {
        return InboxSettings.from(key -> Optional.ofNullable(values.get(key)));
    }

    @Test
    void theCardTtlIsTenMinutesUnlessSet() {
        assertThat(with(Map.of()).cardTtl()).isEqualTo(Duration.ofMinutes(10));
        assertThat(with(Map.of("crmsync.inbox.card-ttl-seconds", " 90 ")).cardTtl()).isEqualTo(Duration.ofSeconds(90));
        assertThat(with(Map.of("crmsync.inbox.card-ttl-seconds", "0")).cardTtl()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ten", "-1", "1.5", "86401", "PT10M"})
    void aTtlThatIsNotWholeSecondsInRangeIsRefusedNamingTheSetting(String value) {
        assertThatThrownBy(() -> with(Map.of("crmsync.inbox.card-ttl-seconds", value)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("crmsync.inbox.card-ttl-seconds must be a whole number of seconds from 0 to 86400, not '"
                        + value + "'");
    }
}

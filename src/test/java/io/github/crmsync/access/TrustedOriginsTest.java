package io.github.crmsync.access;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** crmsync.operator.trusted-origins: the origins of the operators' Hawtio consoles, as the setting is read. */
class TrustedOriginsTest {

    @Test
    void originsAreReadNormalisedAndAnEmptySettingTrustsNone() {
        assertThat(ManagementAccess.origins(" http://127.0.0.1:8090, HTTPS://Hawtio.Example.com/ "))
                .containsExactlyInAnyOrder("http://127.0.0.1:8090", "https://hawtio.example.com");
        assertThat(ManagementAccess.origins("")).isEmpty();
        assertThat(ManagementAccess.origins(null)).isEmpty();
    }

    @Test
    void aValueThatIsNotAnOriginIsRefusedByName() {
        for (String bad : new String[] {"http://127.0.0.1:8090/hawtio", "127.0.0.1:8090", "ftp://host", "*",
                "http://user@host:8090", "http://host:8090?x=1"}) {
            assertThatThrownBy(() -> ManagementAccess.origins(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("crmsync.operator.trusted-origins")
                    .hasMessageContaining(bad);
        }
    }
}

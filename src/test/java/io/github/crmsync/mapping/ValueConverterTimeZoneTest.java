package io.github.crmsync.mapping;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.TimeZone;
import java.util.stream.Stream;

import static io.github.crmsync.mapping.MappingFixtures.ic;
import static io.github.crmsync.mapping.MappingFixtures.sf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Dates near midnight come out the same whatever the JVM's default time zone is. */
class ValueConverterTimeZoneTest {

    private static final long JAN_1_2026 = 1767225600L;

    private final ValueConverter converter = new ValueConverter();
    private TimeZone original;

    @BeforeEach
    void rememberZone() {
        original = TimeZone.getDefault();
    }

    @AfterEach
    void restoreZone() {
        TimeZone.setDefault(original);
    }

    static Stream<Arguments> zonesAndDays() {
        Stream.Builder<Arguments> rows = Stream.builder();
        for (String zone : new String[] {"Pacific/Kiritimati", "America/Los_Angeles", "Pacific/Pago_Pago", "UTC"}) {
            rows.add(arguments(zone, "2026-01-01", JAN_1_2026, JAN_1_2026 + 86_399, "2025-12-31T23:59:59.000+0000"));
            rows.add(arguments(zone, "2024-02-29", 1709164800L, 1709164800L + 43_200, "2024-02-28T23:59:59.000+0000"));
            rows.add(arguments(zone, "1969-12-31", -86_400L, -1L, "1969-12-30T23:59:59.000+0000"));
        }
        return rows.build();
    }

    @ParameterizedTest(name = "[{index}] {0}: {1}")
    @MethodSource("zonesAndDays")
    void dateIsUtcMidnightInAnyZone(String zone, String day, long midnight, long lateSameDay, String secondBefore) {
        TimeZone.setDefault(TimeZone.getTimeZone(zone));

        assertThat(converter.toIntercom(sf("Renewal_Date__c"), ic("renewal_date"), day).value()).isEqualTo(midnight);
        assertThat(converter.toSalesforce(sf("Renewal_Date__c"), ic("renewal_date"), midnight).value()).isEqualTo(day);
        assertThat(converter.toSalesforce(sf("Renewal_Date__c"), ic("renewal_date"), lateSameDay).value()).isEqualTo(day);
        assertThat(converter.toSalesforce(sf("Last_Login__c"), ic("last_login"), midnight - 1).value())
                .isEqualTo(secondBefore);
        assertThat(converter.toIntercom(sf("Last_Login__c"), ic("last_login"), secondBefore).value())
                .isEqualTo(midnight - 1);
        assertThat(converter.sameInIntercom(sf("Renewal_Date__c"), ic("renewal_date"), midnight, lateSameDay)).isTrue();
    }
}

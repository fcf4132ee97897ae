package io.github.crmsync.sandbox.seed;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SeedDataTest {

    @Test
    void theSameSeedAndIndexGiveTheSamePerson() {
        assertThat(new SeedData(7, 100).person(42)).isEqualTo(new SeedData(7, 100).person(42));
        assertThat(new SeedData(7, 100).person(42)).isNotEqualTo(new SeedData(8, 100).person(42));
    }

    @Test
    void aDuplicateRepeatsTheEmailOfThePersonBeforeInOneSystemWhereThatPersonIsToo() {
        for (int people : new int[] {1000, 5000}) {
            SeedData seed = new SeedData(SeedData.DEFAULT_SEED, people);
            int duplicates = 0;
            for (int i = 1; i < people; i++) {
                if (!seed.isDuplicate(i)) {
                    continue;
                }
                duplicates++;
                SeedPerson twin = seed.person(i);
                SeedPerson original = seed.person(i - 1);
                assertThat(twin.lead()).isEqualTo(original.lead());
                assertThat(original.salesforce()).isNotNull();
                assertThat(original.intercom()).isNotNull();
                if (twin.salesforce() != null) {
                    assertThat(twin.salesforce().fields().get("Email")).isEqualTo(original.salesforce().fields().get("Email"));
                } else {
                    assertThat(twin.intercom().email().toLowerCase(Locale.ROOT))
                            .isEqualTo(original.intercom().email().toLowerCase(Locale.ROOT));
                }
            }
            assertThat(duplicates).isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void theMixIsAboutSeventyThirtyAndMostPeopleAreInBothSystems() {
        SeedData seed = new SeedData(SeedData.DEFAULT_SEED, 5000);
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < seed.people(); i++) {
            SeedPerson p = seed.person(i);
            counts.merge(p.lead() ? "lead" : "user", 1, Integer::sum);
            counts.merge(p.salesforce() != null && p.intercom() != null ? "both" : "one", 1, Integer::sum);
        }
        assertThat(counts.get("user")).isBetween(3200, 3800);
        assertThat(counts.get("both")).isBetween(4000, 4500);
    }

    @Test
    void idsCarryTheSeedIndexBack() {
        assertThat(SalesforceIds.number(SeedData.salesforceId(123_456, true))).isEqualTo(123_456);
        assertThat(SeedData.salesforceId(5, false)).hasSize(18).startsWith("003");
        assertThat(SeedData.intercomIndex(SeedData.intercomId(999_999))).isEqualTo(999_999);
        assertThat(SalesforceIds.number("not-an-id")).isEqualTo(-1);
    }
}

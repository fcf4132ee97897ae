package io.github.crmsync.testing;

import io.github.crmsync.sandbox.seed.SeedPerson;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Objects;

/** Whether a seeded pair's two records hold the same values under the sandbox mappings, in the target's terms. */
public final class SandboxPairValues {

    private SandboxPairValues() {
    }

    /** Every sandbox mapping's two values are the same. */
    public static boolean inStep(SimulatedWorld world, SeedPerson p) {
        Map<String, Object> sf = salesforce(world, p);
        Map<String, Object> custom = custom(world, p);
        return salesforceToIntercomInStep(world, p)
                && text(sf.get("Plan__c")).equals(text(custom.get("plan")))
                && text(sf.get("Nickname__c")).equals(text(custom.get("nickname")))
                && number(sf.get("Seats__c")).equals(number(custom.get("seats")))
                && Boolean.TRUE.equals(sf.get("Newsletter__c")) == Boolean.TRUE.equals(custom.get("newsletter"));
    }

    /** The Salesforce → Intercom mappings' values (phone, job title, lead source, renewal date) are the same. */
    public static boolean salesforceToIntercomInStep(SimulatedWorld world, SeedPerson p) {
        Map<String, Object> sf = salesforce(world, p);
        Map<String, Object> ic = world.intercom.contact(p.intercom().id()).orElseThrow();
        Map<String, Object> custom = custom(world, p);
        return text(sf.get("Phone")).equals(text(ic.get("phone")))
                && text(sf.get("Title")).equals(text(custom.get("job_title")))
                && text(sf.get("LeadSource")).equals(text(custom.get("lead_source")))
                && Objects.equals(date(sf.get("Renewal_Date__c")), custom.get("renewal_date") == null ? null
                : LocalDate.ofInstant(Instant.ofEpochSecond(((Number) custom.get("renewal_date")).longValue()), ZoneOffset.UTC));
    }

    private static Map<String, Object> salesforce(SimulatedWorld world, SeedPerson p) {
        return world.salesforce.record(p.salesforce().type(), p.salesforce().id()).orElseThrow();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> custom(SimulatedWorld world, SeedPerson p) {
        return (Map<String, Object>) world.intercom.contact(p.intercom().id()).orElseThrow()
                .getOrDefault("custom_attributes", Map.of());
    }

    private static String text(Object v) {
        return v == null || v.toString().isBlank() ? "" : v.toString();
    }

    private static String number(Object v) {
        return v == null ? "" : new BigDecimal(v.toString()).stripTrailingZeros().toPlainString();
    }

    private static LocalDate date(Object v) {
        return v == null ? null : v instanceof LocalDate d ? d : LocalDate.parse(v.toString().substring(0, 10));
    }
}

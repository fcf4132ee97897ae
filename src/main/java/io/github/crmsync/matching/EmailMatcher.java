package io.github.crmsync.matching;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Matches unlinked records by e-mail, case-insensitively: exactly one candidate on each side is a
 * match; two or more on either side is an ambiguity to report, never a guess.
 */
public final class EmailMatcher {

    public record Candidate(String id, String email) {
    }

    /** An e-mail that more than one record carries on one side, with every candidate. */
    public record Ambiguity(String email, List<String> salesforceIds, List<String> intercomIds) {
        public String describe() {
            return "The e-mail " + email + " belongs to " + salesforceIds.size() + " Salesforce record(s) " + salesforceIds
                    + " and " + intercomIds.size() + " Intercom contact(s) " + intercomIds + "; records are matched only "
                    + "when there is exactly one on each side.";
        }
    }

    public record Outcome(Map<String, String> intercomIdBySalesforceId, List<Ambiguity> ambiguities) {
    }

    private EmailMatcher() {
    }

    public static Outcome match(Collection<Candidate> salesforce, Collection<Candidate> intercom) {
        Map<String, List<String>> sfByEmail = byEmail(salesforce);
        Map<String, List<String>> icByEmail = byEmail(intercom);
        Map<String, String> matched = new LinkedHashMap<>();
        List<Ambiguity> ambiguities = new ArrayList<>();
        sfByEmail.forEach((email, sfIds) -> {
            List<String> icIds = icByEmail.get(email);
            if (icIds == null) {
                return;
            }
            if (sfIds.size() == 1 && icIds.size() == 1) {
                matched.put(sfIds.get(0), icIds.get(0));
            } else {
                ambiguities.add(new Ambiguity(email, sfIds, icIds));
            }
        });
        return new Outcome(matched, ambiguities);
    }

    public static String normalise(String email) {
        return email == null ? null : email.trim().toLowerCase(Locale.ROOT);
    }

    private static Map<String, List<String>> byEmail(Collection<Candidate> candidates) {
        Map<String, List<String>> grouped = new LinkedHashMap<>();
        for (Candidate c : candidates) {
            String email = normalise(c.email());
            if (email != null && !email.isEmpty()) {
                List<String> ids = grouped.computeIfAbsent(email, k -> new ArrayList<>());
                if (!ids.contains(c.id())) {
                    ids.add(c.id());
                }
            }
        }
        return grouped;
    }
}

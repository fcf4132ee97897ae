package io.github.crmsync.matching;

import io.github.crmsync.matching.EmailMatcher.Candidate;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class EmailMatcherTest {

    @Test
    void oneCandidateOnEachSideMatchesIgnoringCaseAndSpaces() {
        EmailMatcher.Outcome outcome = EmailMatcher.match(
                List.of(new Candidate("003A", "Ada@Example.com"), new Candidate("003B", "grace@example.com")),
                List.of(new Candidate("ic-a", " ada@example.COM "), new Candidate("ic-c", "alan@example.com")));
        assertThat(outcome.intercomIdBySalesforceId()).isEqualTo(Map.of("003A", "ic-a"));
        assertThat(outcome.ambiguities()).isEmpty();
    }

    @Test
    void twoCandidatesOnEitherSideIsAnAmbiguityNamingEveryCandidateNeverAGuess() {
        EmailMatcher.Outcome salesforceSide = EmailMatcher.match(
                List.of(new Candidate("003A", "dup@example.com"), new Candidate("003B", "DUP@example.com")),
                List.of(new Candidate("ic-a", "dup@example.com")));
        assertThat(salesforceSide.intercomIdBySalesforceId()).isEmpty();
        assertThat(salesforceSide.ambiguities()).singleElement().satisfies(a -> {
            assertThat(a.salesforceIds()).containsExactly("003A", "003B");
            assertThat(a.intercomIds()).containsExactly("ic-a");
            assertThat(a.describe()).contains("dup@example.com", "003A", "003B", "ic-a");
        });

        EmailMatcher.Outcome intercomSide = EmailMatcher.match(
                List.of(new Candidate("003A", "dup@example.com")),
                List.of(new Candidate("ic-a", "dup@example.com"), new Candidate("ic-b", "dup@example.com")));
        assertThat(intercomSide.intercomIdBySalesforceId()).isEmpty();
        assertThat(intercomSide.ambiguities()).singleElement()
                .satisfies(a -> assertThat(a.intercomIds()).containsExactly("ic-a", "ic-b"));
    }

    @Test
    void blankOrMissingEmailsNeverMatch() {
        EmailMatcher.Outcome outcome = EmailMatcher.match(
                List.of(new Candidate("003A", null), new Candidate("003B", " ")),
                List.of(new Candidate("ic-a", null), new Candidate("ic-b", " ")));
        assertThat(outcome.intercomIdBySalesforceId()).isEmpty();
        assertThat(outcome.ambiguities()).isEmpty();
    }

    @Test
    void theSameRecordSeenTwiceIsOneCandidate() {
        EmailMatcher.Outcome outcome = EmailMatcher.match(
                List.of(new Candidate("003A", "a@x.com"), new Candidate("003A", "a@x.com")),
                List.of(new Candidate("ic-a", "a@x.com")));
        assertThat(outcome.intercomIdBySalesforceId()).containsEntry("003A", "ic-a");
    }
}

package io.github.crmsync.eventsync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crmsync.errors.SyncError;
import io.github.crmsync.errors.SyncErrorStore;
import io.github.crmsync.errors.SyncFailures;
import io.github.crmsync.eventsync.Watermarks.Watermark;
import io.github.crmsync.intercom.IntercomClient;
import io.github.crmsync.mapping.Direction;
import io.github.crmsync.mapping.MappingSet;
import io.github.crmsync.mapping.MappingStore;
import io.github.crmsync.mapping.ObjectType;
import io.github.crmsync.matching.EmailMatcher;
import io.github.crmsync.matching.EmailMatcher.Candidate;
import io.github.crmsync.matching.RecordLinks;
import io.github.crmsync.salesforce.CompositeRequest;
import io.github.crmsync.salesforce.QueryPage;
import io.github.crmsync.salesforce.SalesforceQueries;
import io.github.crmsync.salesforce.Soql;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Event sync, Salesforce → Intercom: which records changed since the watermark, which Intercom
 * contacts they pair with (by link, else by a unique e-mail match), and when the watermark may move.
 * The changed records are read in Composite calls of a query and up to 4 of its next pages (10,000
 * records for one API call).
 * Reads of the Intercom side are batched per page, so a page of 2,000 changes costs a handful of
 * Intercom searches, not 2,000 reads. A page that failed as a whole {@code wholePageAttempts} times
 * is taken record by record, so that one record or request that keeps failing becomes that
 * record's sync error instead of holding back the page.
 */
public final class SalesforceToIntercom {

    private static final Logger LOG = LoggerFactory.getLogger(SalesforceToIntercom.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter SF_DATETIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ");

    private final MappingStore mappings;
    private final RecordLinks links;
    private final IntercomClient intercom;
    private final SalesforceQueries salesforce;
    private final SyncErrorStore errors;
    private final Watermarks watermarks;
    private final Clock clock;
    private final Duration overlap;
    private final int wholePageAttempts;

    public SalesforceToIntercom(MappingStore mappings, RecordLinks links, IntercomClient intercom,
                                SalesforceQueries salesforce, SyncErrorStore errors, Watermarks watermarks, Clock clock,
                                Duration overlap, int wholePageAttempts) {
        this.mappings = mappings;
        this.links = links;
        this.intercom = intercom;
        this.salesforce = salesforce;
        this.errors = errors;
        this.watermarks = watermarks;
        this.clock = clock;
        this.overlap = overlap;
        this.wholePageAttempts = wholePageAttempts;
    }

    public static String watermarkName(ObjectType type) {
        return "salesforce:" + type.salesforceObject();
    }

    /** When a poll starts: taken before its query is sent, stored as the point read to when the poll completes. */
    public Instant pollStart() {
        return clock.instant();
    }

    /**
     * The SOQL of this poll, or null when no mapping sends this object type's values to Intercom:
     * the records changed after the watermark, and again those of the overlap before the last
     * complete poll's start (see {@link PollWindow}).
     */
    public String changedRecordsQuery(String objectType) {
        ObjectType type = ObjectType.valueOf(objectType);
        MappingSet set = mappings.current();
        if (set.forObject(type, Direction.SALESFORCE_TO_INTERCOM).isEmpty()) {
            return null;
        }
        // normally started when the first mapping was saved; this covers one stored some other way
        Watermarks.State state = watermarks.stateOrStart(watermarkName(type), new Watermark(clock.instant(), null));
        Watermark since = PollWindow.readFrom(state, overlap);
        return Soql.changedSince(type.salesforceObject(), fields(set, type), since.at(), since.lastId());
    }

    /** The poll that started at {@code startedAt} read every page: what was committed before then has been seen. */
    public void pollCompleted(String objectType, Instant startedAt) {
        watermarks.readUntil(watermarkName(ObjectType.valueOf(objectType)), startedAt);
    }

    /**
     * Whether the next page goes as a whole (one batched look-up for all its records) or, after it
     * has failed as a whole {@code wholePageAttempts} times, record by record.
     */
    public boolean wholePage(String objectType) {
        return watermarks.state(watermarkName(ObjectType.valueOf(objectType)))
                .map(s -> s.pageFailures() < wholePageAttempts).orElse(true);
    }

    /** A page failed as a whole after its retries: counted in the database, so any replica's next poll knows. */
    public void pageFailed(String objectType, Throwable failure) {
        if (!WholeFailures.counts(failure)) {
            LOG.warn("A page of changed {} records was not read: {}; the next poll tries it again", objectType,
                    SyncFailures.Cause.of(failure).message());
            return;
        }
        int failures = watermarks.pageFailed(watermarkName(ObjectType.valueOf(objectType)));
        LOG.warn("A page of changed {} records failed as a whole ({} of {} attempts){}: {}", objectType, failures,
                wholePageAttempts, failures >= wholePageAttempts ? "; the next poll takes it record by record"
                        : "; the next poll tries it again", SyncFailures.Cause.of(failure).message());
    }

    /**
     * The page's records one by one, each as a pair not looked up yet (its Intercom contact unknown):
     * a failure of its own look-up becomes that record's sync error.
     */
    public List<RecordPair> records(String objectType, String queryPage) {
        ObjectType type = ObjectType.valueOf(objectType);
        MappingSet set = mappings.current();
        List<Map<String, Object>> records = QueryPage.parse(queryPage).records();
        Map<String, String> linked = links.intercomIdsBySalesforceId(
                records.stream().map(r -> (String) r.get("Id")).toList());
        return records.stream().map(r -> new RecordPair(type, (String) r.get("Id"), linked.get((String) r.get("Id")), r,
                Map.of(), set)).toList();
    }

    /** One record of {@link #records} paired with its Intercom contact (empty when it has none). */
    public List<RecordPair> pairOf(RecordPair record) {
        return pairs(record.objectType(), record.mappings(), List.of(record.salesforceValues()));
    }

    /** The page's records paired with their Intercom contacts; records that can't be paired are reported. */
    public List<RecordPair> pairs(String objectType, String queryPage) {
        return pairs(ObjectType.valueOf(objectType), mappings.current(), QueryPage.parse(queryPage).records());
    }

    /** These records (each with its Id and Email) paired with their Intercom contacts; records that can't be paired are reported. */
    public List<RecordPair> pairs(ObjectType type, MappingSet set, List<Map<String, Object>> records) {
        Map<String, Map<String, Object>> byId = new HashMap<>();
        records.forEach(r -> byId.put((String) r.get("Id"), r));

        Map<String, String> linked = new HashMap<>(links.intercomIdsBySalesforceId(byId.keySet()));
        List<Candidate> unlinked = records.stream().filter(r -> !linked.containsKey((String) r.get("Id")))
                .map(r -> new Candidate((String) r.get("Id"), (String) r.get("Email"))).toList();
        Map<String, JsonNode> contacts = new HashMap<>();
        intercom.searchIn("id", Set.copyOf(linked.values()), null).forEach(c -> contacts.put(c.path("id").asText(), c));
        linked.putAll(matchByEmail(type, unlinked, contacts));

        List<RecordPair> pairs = new ArrayList<>();
        for (Map<String, Object> record : records) {
            String sfId = (String) record.get("Id");
            String icId = linked.get(sfId);
            JsonNode contact = icId == null ? null : contacts.get(icId);
            if (contact == null && icId != null) {
                // linked to a contact Intercom no longer has (deleted or archived): the update lets
                // Intercom say so, and the change becomes that record's sync error instead of vanishing
                contact = JSON.createObjectNode().put("id", icId);
            }
            if (contact != null) {
                pairs.add(new RecordPair(type, sfId, icId, record, JSON.convertValue(contact, Map.class), set));
            }
        }
        return pairs;
    }

    /** Moves the watermark past the page's last record: every record on it was synced, unchanged or reported. */
    public void advanceWatermark(String objectType, String queryPage) {
        List<Map<String, Object>> records = QueryPage.parse(queryPage).records();
        links.markRead(records); // the inbox cards of records read in a new version: out of date
        if (!records.isEmpty()) {
            Map<String, Object> last = records.get(records.size() - 1);
            OffsetDateTime at = OffsetDateTime.parse((String) last.get("SystemModstamp"), SF_DATETIME);
            watermarks.advance(watermarkName(ObjectType.valueOf(objectType)), new Watermark(at.toInstant(), (String) last.get("Id")));
        }
    }

    /**
     * The poll's first Composite call: the query and up to 4 of its next pages, each page's url a
     * reference to the {@code nextRecordsUrl} of the one before: up to 10,000 records for one API call.
     */
    public String firstPagesRequest(String soql) {
        return chainPages(new CompositeRequest(salesforce.apiVersion()).query("page0", soql));
    }

    /** The Composite call for the pages after these (up to 5 more), or null when the last of these was the query's last. */
    public String nextPagesRequest(List<String> pages) {
        String next = pages.isEmpty() ? null : QueryPage.parse(pages.get(pages.size() - 1)).nextRecordsUrl();
        return next == null ? null : chainPages(new CompositeRequest(salesforce.apiVersion()).queryMore("page0", next));
    }

    private static String chainPages(CompositeRequest request) {
        for (int i = 1; request.roomForCollectionOrQuery(); i++) {
            request.queryMore("page" + i, "@{page" + (i - 1) + ".nextRecordsUrl}");
        }
        return request.json();
    }

    /**
     * The pages one Composite call read, in order. After the query's last page (done, no
     * {@code nextRecordsUrl}) the reference to its next page has no value, and Salesforce answers that
     * subrequest 400 {@code PROCESSING_HALTED} without running it: expected, not a failure. A later
     * page that failed for another reason ends the list there, so the next call asks for it again from
     * the page before it ({@link #nextPagesRequest}); only the first page's failure fails the call.
     */
    public List<String> pages(String answer) {
        List<String> pages = new ArrayList<>();
        for (CompositeRequest.Result result : CompositeRequest.results(answer)) {
            if (!result.ok()) {
                if (pages.isEmpty()) {
                    throw SalesforceQueries.failure(result);
                }
                break;
            }
            pages.add(result.body().toString());
            if (QueryPage.parse(pages.get(pages.size() - 1)).nextRecordsUrl() == null) {
                break;
            }
        }
        return pages;
    }

    public String page(List<String> pages, int index) {
        return pages.get(index);
    }

    private Map<String, String> matchByEmail(ObjectType type, List<Candidate> unlinked, Map<String, JsonNode> contacts) {
        Set<String> emails = new LinkedHashSet<>();
        unlinked.forEach(c -> {
            String email = EmailMatcher.normalise(c.email());
            if (email != null && !email.isEmpty()) {
                emails.add(email);
            }
        });
        if (emails.isEmpty()) {
            return Map.of();
        }
        List<Candidate> intercomSide = new ArrayList<>();
        for (JsonNode contact : intercom.searchIn("email", emails, type.intercomRole())) {
            contacts.put(contact.path("id").asText(), contact);
            intercomSide.add(new Candidate(contact.path("id").asText(), contact.path("email").asText(null)));
        }
        Set<String> alreadyLinkedContacts = links.salesforceIdsByIntercomId(
                intercomSide.stream().map(Candidate::id).toList()).keySet();
        List<Candidate> free = intercomSide.stream().filter(c -> !alreadyLinkedContacts.contains(c.id())).toList();
        if (free.isEmpty()) {
            return Map.of();
        }
        // Other Salesforce records with the same e-mails make a match ambiguous: ask Salesforce, not just this page.
        List<Candidate> salesforceSide = new ArrayList<>(unlinked);
        Set<String> freeEmails = new LinkedHashSet<>();
        free.forEach(c -> freeEmails.add(EmailMatcher.normalise(c.email())));
        for (String soql : Soql.byIdsOrEmailsWithin(type.salesforceObject(), List.of("Id", "Email"), List.of(),
                List.copyOf(freeEmails), Soql.MAX_ENCODED_QUERY_LENGTH)) {
            salesforce.all(soql).forEach(r -> salesforceSide.add(new Candidate((String) r.get("Id"), (String) r.get("Email"))));
        }
        EmailMatcher.Outcome outcome = EmailMatcher.match(salesforceSide, free);
        for (EmailMatcher.Ambiguity ambiguity : outcome.ambiguities()) {
            for (String sfId : ambiguity.salesforceIds()) {
                if (unlinked.stream().anyMatch(c -> c.id().equals(sfId))) {
                    errors.record(new SyncError("EVENT", Direction.SALESFORCE_TO_INTERCOM, type, sfId, "", List.of("email"),
                            "AMBIGUOUS_MATCH", ambiguity.describe(), null));
                }
            }
        }
        Map<String, String> matched = new HashMap<>();
        outcome.intercomIdBySalesforceId().forEach((sfId, icId) -> {
            if (unlinked.stream().anyMatch(c -> c.id().equals(sfId))) {
                links.link(type, sfId, icId);
                matched.put(sfId, icId);
            }
        });
        return matched;
    }

    private static List<String> fields(MappingSet set, ObjectType type) {
        List<String> fields = new ArrayList<>(List.of("Id", "Email", "SystemModstamp"));
        fields.addAll(set.salesforceFields(type));
        return fields;
    }

    static <T> List<List<T>> chunks(List<T> all, int size) {
        List<List<T>> chunks = new ArrayList<>();
        for (int from = 0; from < all.size(); from += size) {
            chunks.add(all.subList(from, Math.min(all.size(), from + size)));
        }
        return chunks;
    }
}

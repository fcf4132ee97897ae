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
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Event sync, Salesforce → Intercom: which records changed since the watermark, which Intercom
 * contacts they pair with (by link, else by a unique e-mail match), and when the watermark may move.
 * A poll reads Contacts and Leads together, their queries and next pages packed into Composite
 * calls of up to 5 query operations ({@link PollCycle}): a quiet poll is one API call.
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

    /**
     * A poll of the changed records of this object type (a catch-up after Change Data Capture lost
     * its place), or of every type when none is named: Contacts and Leads read in the same
     * Composite calls. Types that no mapping sends to Intercom are not read. Its start is taken
     * before its first call and stored as the point read to when a type has read every page.
     */
    public PollCycle cycle(String objectType) {
        Instant startedAt = clock.instant();
        List<ObjectType> types = objectType == null || objectType.isBlank() ? List.of(ObjectType.CONTACT, ObjectType.LEAD)
                : List.of(ObjectType.valueOf(objectType));
        Map<ObjectType, String> queries = new LinkedHashMap<>();
        for (ObjectType type : types) {
            String soql = changedRecordsQuery(type);
            if (soql != null) {
                queries.put(type, soql);
            }
        }
        return new PollCycle(salesforce.apiVersion(), startedAt, queries);
    }

    /**
     * The SOQL of a poll of this type, or null when no mapping sends this object type's values to
     * Intercom: the records changed after the watermark, and again those of the overlap before the
     * last complete poll's start (see {@link PollWindow}).
     */
    private String changedRecordsQuery(ObjectType type) {
        MappingSet set = mappings.current();
        if (set.forObject(type, Direction.SALESFORCE_TO_INTERCOM).isEmpty()) {
            return null;
        }
        // normally started when the first mapping was saved; this covers one stored some other way
        Watermarks.State state = watermarks.stateOrStart(watermarkName(type), new Watermark(clock.instant(), null));
        Watermark since = PollWindow.readFrom(state, overlap);
        return Soql.changedSince(type.salesforceObject(), fields(set, type), since.at(), since.lastId());
    }

    /** The poll's next Composite call (query operations of every type still reading), or null when it read every page. */
    public String nextRequest(PollCycle cycle) {
        return cycle.nextRequest();
    }

    /** The pages the poll's last call read, type by type (see {@link PollCycle#read}). */
    public List<PollCycle.Page> pages(PollCycle cycle, String answer) {
        return cycle.read(answer);
    }

    /** Whether this page is to be handled: the pages of its type before it were (else its type waits for the next poll). */
    public boolean inTurn(PollCycle cycle, PollCycle.Page page) {
        return cycle.inTurn(page);
    }

    /** The types that read every page: what was committed before the poll started has been seen. */
    public void pollCompleted(PollCycle cycle) {
        for (ObjectType type : cycle.completed()) {
            watermarks.readUntil(watermarkName(type), cycle.startedAt());
        }
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

    /**
     * Moves the watermark past the page's last record (every record on it was synced, unchanged or
     * reported), and lets the poll go on to the type's next page.
     */
    public void advanceWatermark(PollCycle cycle, PollCycle.Page page) {
        List<Map<String, Object>> records = QueryPage.parse(page.json()).records();
        links.markRead(records); // the inbox cards of records read in a new version: out of date
        if (!records.isEmpty()) {
            Map<String, Object> last = records.get(records.size() - 1);
            OffsetDateTime at = OffsetDateTime.parse((String) last.get("SystemModstamp"), SF_DATETIME);
            watermarks.advance(watermarkName(page.objectType()), new Watermark(at.toInstant(), (String) last.get("Id")));
        }
        cycle.handled(page);
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

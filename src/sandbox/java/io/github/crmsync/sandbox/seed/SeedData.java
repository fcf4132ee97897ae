package io.github.crmsync.sandbox.seed;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Deterministic sandbox people: the same seed and index always give the same person, so the
 * simulators can hold nothing but the records that were changed and regenerate the rest on
 * demand (memory stays flat whether the sandbox has 5,000 or 1,000,000 people).
 *
 * <p>About 70 % are Intercom users / Salesforce Contacts and 30 % leads; 85 % are in both systems,
 * 7.5 % only in Salesforce and 7.5 % only in Intercom; a fifth of those in both differ in one to
 * three values; one person in a thousand (at least two) repeats the e-mail of the person before
 * in one system, which makes that e-mail ambiguous.
 */
public final class SeedData {

    public static final long DEFAULT_SEED = 20261128L;

    /** The Intercom custom attributes the seed fills, with their Intercom data types. */
    public static final Map<String, String> INTERCOM_CUSTOM_ATTRIBUTES = orderedMap(
            "job_title", "string", "lead_source", "string", "plan", "string", "newsletter", "boolean",
            "renewal_date", "date", "last_login", "date", "seats", "integer", "arr", "float",
            "health_score", "float", "support_email", "string", "nickname", "string", "notes", "string");

    static final List<String> PLANS = List.of("Free", "Pro", "Team", "Enterprise");
    static final List<String> LEAD_SOURCES = List.of("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other");
    static final List<String> LEAD_STATUSES = List.of("Open - Not Contacted", "Working - Contacted", "Closed - Converted", "Closed - Not Converted");
    private static final String[] FIRST_NAMES = {"Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Margaret",
        "Linus", "Radia", "Dennis", "Frances", "Ken", "Hedy", "Tim", "Katherine", "John", "Sophie", "Niklaus",
        "Anita", "Guido", "Joan", "Bjarne", "Carol", "James", "Leslie", "Yukihiro", "Mary", "Brian", "Shafi", "Rasmus"};
    private static final String[] LAST_NAMES = {"Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth",
        "Hamilton", "Torvalds", "Perlman", "Ritchie", "Allen", "Thompson", "Lamarr", "Berners-Lee", "Johnson",
        "McCarthy", "Wilson", "Wirth", "Borg", "van Rossum", "Clarke", "Stroustrup", "Shaw", "Gosling", "Lamport",
        "Matsumoto", "Keller", "Kernighan", "Goldwasser", "Lerdorf", "O'Neil", "García", "Müller", "Nakamura"};
    private static final String[] DOMAINS = {"example.com", "example.org", "example.net", "acme.example",
        "globex.example", "initech.example", "umbrella.example", "hooli.example"};
    private static final String[] TITLES = {"CTO", "VP Engineering", "Head of Support", "Product Manager",
        "Software Engineer", "Customer Success Manager", "Founder", "Operations Lead", "Data Analyst", "Designer"};
    private static final String[] COMPANIES = {"Acme Corp", "Globex", "Initech", "Umbrella", "Hooli", "Stark Industries",
        "Wayne Enterprises", "Wonka Industries", "Soylent", "Cyberdyne"};
    private static final String[] NICKNAMES = {"Ace", "Bee", "Cricket", "Dash", "Echo", "Fox", "Gizmo", "Hex"};

    private static final long EPOCH_2026 = LocalDate.of(2026, 1, 1).atStartOfDay(ZoneOffset.UTC).toEpochSecond();
    private static final long SECONDS_300_DAYS = 300L * 24 * 3600;
    private static final int DUPLICATE_EVERY = 1000;

    private final long seed;
    private final int people;

    public SeedData(long seed, int people) {
        if (people < 0) {
            throw new IllegalArgumentException("people must not be negative: " + people);
        }
        this.seed = seed;
        this.people = people;
    }

    public long seed() {
        return seed;
    }

    public int people() {
        return people;
    }

    /** The person at this index; throws for an index outside {@code [0, people)}. */
    public SeedPerson person(int index) {
        if (index < 0 || index >= people) {
            throw new IndexOutOfBoundsException("no seeded person " + index + " of " + people);
        }
        if (isDuplicate(index)) {
            return duplicateOf(index);
        }
        SplittableRandom random = random(index);
        boolean lead = isLead(index);
        int presence = random.nextInt(1000);
        boolean forcedBoth = isDuplicate(index + 1) && index + 1 < people;
        boolean inSalesforce = forcedBoth || presence < 925;
        boolean inIntercom = forcedBoth || presence < 850 || presence >= 925;
        Profile profile = profile(index, random, lead);
        SalesforceSeed sf = inSalesforce ? salesforce(index, lead, profile) : null;
        IntercomSeed ic = inIntercom ? intercom(index, lead, profile, inSalesforce && random.nextInt(5) == 0, random) : null;
        return new SeedPerson(index, lead, sf, ic);
    }

    /** True for the people whose e-mail repeats the one before them in one system. */
    public boolean isDuplicate(int index) {
        return index % DUPLICATE_EVERY == DUPLICATE_EVERY - 1 || (people < DUPLICATE_EVERY * 2 && index == people - 1 && people >= 4)
                || (people < DUPLICATE_EVERY * 2 && index == people / 2 + 1 && people >= 4);
    }

    /** The Salesforce id a person at this index has (whether or not the person is in Salesforce). */
    public static String salesforceId(int index, boolean lead) {
        return SalesforceIds.id(lead ? SalesforceIds.LEAD_PREFIX : SalesforceIds.CONTACT_PREFIX, index);
    }

    /** The Intercom id a person at this index has (whether or not the person is in Intercom). */
    public static String intercomId(int index) {
        return String.format(Locale.ROOT, "6762f0d0%016x", index);
    }

    /** The seed index an Intercom id of {@link #intercomId} carries, or -1. */
    public static long intercomIndex(String id) {
        if (id == null || id.length() != 24 || !id.startsWith("6762f0d0")) {
            return -1;
        }
        try {
            return Long.parseUnsignedLong(id.substring(8), 16);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private SeedPerson duplicateOf(int index) {
        // Same kind and e-mail as the previous person, present in one system only: two candidates there.
        int original = index - 1;
        boolean lead = isLead(original);
        SplittableRandom random = random(index);
        SplittableRandom originalRandom = random(original);
        originalRandom.nextInt(1000); // the presence draw, as person(original) takes it
        Profile profile = profile(index, random, lead).withEmail(profile(original, originalRandom, lead).email);
        boolean inSalesforce = (index / DUPLICATE_EVERY) % 2 == 0;
        SalesforceSeed sf = inSalesforce ? salesforce(index, lead, profile) : null;
        IntercomSeed ic = inSalesforce ? null : intercom(index, lead, profile, false, random);
        return new SeedPerson(index, lead, sf, ic);
    }

    private boolean isLead(int index) {
        return random(index).nextInt(100) < 30;
    }

    private SplittableRandom random(int index) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index);
    }

    private record Profile(String firstName, String lastName, String email, String phone, String mobile, String title,
                           String company, String leadSource, String status, String plan, boolean newsletter,
                           LocalDate renewalDate, Instant lastLogin, int seats, BigDecimal arr, BigDecimal healthScore,
                           String supportEmail, String supportPhone, String nickname, String notes, Instant modified,
                           Instant created) {
        Profile withEmail(String other) {
            return new Profile(firstName, lastName, other, phone, mobile, title, company, leadSource, status, plan,
                    newsletter, renewalDate, lastLogin, seats, arr, healthScore, supportEmail, supportPhone, nickname,
                    notes, modified, created);
        }
    }

    private Profile profile(int index, SplittableRandom random, boolean lead) {
        random.nextInt(100); // the kind draw, taken by isLead
        String first = FIRST_NAMES[random.nextInt(FIRST_NAMES.length)];
        String last = LAST_NAMES[random.nextInt(LAST_NAMES.length)];
        String domain = DOMAINS[random.nextInt(DOMAINS.length)];
        String email = (ascii(first) + "." + ascii(last) + "." + index + "@" + domain).toLowerCase(Locale.ROOT);
        long created = EPOCH_2026 + random.nextLong(SECONDS_300_DAYS);
        long modified = created + random.nextLong(30L * 24 * 3600);
        return new Profile(first, last, email,
                phone(random), random.nextInt(3) == 0 ? phone(random) : null,
                TITLES[random.nextInt(TITLES.length)],
                COMPANIES[random.nextInt(COMPANIES.length)],
                LEAD_SOURCES.get(random.nextInt(LEAD_SOURCES.size())),
                lead ? LEAD_STATUSES.get(random.nextInt(LEAD_STATUSES.size())) : null,
                PLANS.get(random.nextInt(PLANS.size())),
                random.nextBoolean(),
                LocalDate.of(2027, 1, 1).plusDays(random.nextInt(365)),
                Instant.ofEpochSecond(modified - random.nextInt(7 * 24 * 3600)),
                1 + random.nextInt(250),
                BigDecimal.valueOf(random.nextInt(5_000_000), 2),
                BigDecimal.valueOf(random.nextInt(10_001), 2),
                random.nextInt(4) == 0 ? "support." + index + "@" + domain : null,
                random.nextInt(4) == 0 ? phone(random) : null,
                random.nextInt(5) == 0 ? NICKNAMES[random.nextInt(NICKNAMES.length)] : null,
                random.nextInt(6) == 0 ? "Met at the " + (2020 + random.nextInt(6)) + " user conference." : null,
                Instant.ofEpochSecond(modified, random.nextInt(1000) * 1_000_000L),
                Instant.ofEpochSecond(created));
    }

    private static SalesforceSeed salesforce(int index, boolean lead, Profile p) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("FirstName", p.firstName);
        f.put("LastName", p.lastName);
        f.put("Email", p.email);
        f.put("Phone", p.phone);
        f.put("MobilePhone", p.mobile);
        f.put("Title", p.title);
        if (lead) {
            f.put("Company", p.company);
            f.put("Status", p.status);
        }
        f.put("LeadSource", p.leadSource);
        f.put("Description", p.notes);
        f.put("Plan__c", p.plan);
        f.put("Newsletter__c", p.newsletter);
        f.put("Renewal_Date__c", p.renewalDate);
        f.put("Last_Login__c", p.lastLogin);
        f.put("Seats__c", BigDecimal.valueOf(p.seats));
        f.put("ARR__c", p.arr);
        f.put("Health_Score__c", p.healthScore);
        f.put("Support_Email__c", p.supportEmail);
        f.put("Support_Phone__c", p.supportPhone);
        f.put("Nickname__c", p.nickname);
        f.put("Notes__c", p.notes);
        f.put("CreatedDate", p.created);
        f.put("LastModifiedDate", p.modified);
        f.put("SystemModstamp", p.modified);
        f.values().removeIf(v -> v == null);
        return new SalesforceSeed(lead ? "Lead" : "Contact", salesforceId(index, lead), f);
    }

    private static IntercomSeed intercom(int index, boolean lead, Profile p, boolean differ, SplittableRandom random) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("job_title", p.title);
        c.put("lead_source", p.leadSource);
        c.put("plan", p.plan);
        c.put("newsletter", p.newsletter);
        c.put("renewal_date", p.renewalDate.atStartOfDay(ZoneOffset.UTC).toEpochSecond());
        c.put("last_login", p.lastLogin.getEpochSecond());
        c.put("seats", (long) p.seats);
        c.put("arr", p.arr.doubleValue());
        c.put("health_score", p.healthScore.doubleValue());
        c.put("support_email", p.supportEmail);
        c.put("nickname", p.nickname);
        c.put("notes", p.notes);
        String email = p.email;
        String phone = p.phone;
        if (differ) {
            int changes = 1 + random.nextInt(3);
            for (int i = 0; i < changes; i++) {
                switch (random.nextInt(6)) {
                    case 0 -> phone = phone(random);
                    case 1 -> c.put("plan", PLANS.get(random.nextInt(PLANS.size())));
                    case 2 -> c.put("seats", (long) (1 + random.nextInt(250)));
                    case 3 -> c.put("newsletter", !p.newsletter);
                    case 4 -> c.put("job_title", TITLES[random.nextInt(TITLES.length)]);
                    default -> c.put("nickname", NICKNAMES[random.nextInt(NICKNAMES.length)]);
                }
            }
        }
        if (index % 20 == 7) {
            email = Character.toUpperCase(email.charAt(0)) + email.substring(1);
        }
        c.values().removeIf(v -> v == null);
        long updated = p.modified.getEpochSecond() + random.nextInt(3600);
        return new IntercomSeed(intercomId(index), lead ? "lead" : "user", email, p.firstName + " " + p.lastName,
                phone, p.created.getEpochSecond(), updated, c);
    }

    private static String phone(SplittableRandom random) {
        return String.format(Locale.ROOT, "+1 555 01%02d %04d", random.nextInt(100), random.nextInt(10_000));
    }

    private static String ascii(String name) {
        return java.text.Normalizer.normalize(name, java.text.Normalizer.Form.NFD)
                .replaceAll("[^A-Za-z]", "");
    }

    private static Map<String, String> orderedMap(String... pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(map);
    }
}

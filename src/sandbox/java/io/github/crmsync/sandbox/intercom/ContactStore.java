package io.github.crmsync.sandbox.intercom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.crmsync.sandbox.seed.IntercomSeed;
import io.github.crmsync.sandbox.seed.SeedData;
import io.github.crmsync.sandbox.seed.SeedPerson;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The simulator's contacts: the seeded people who are in Intercom, regenerated on demand, plus the
 * contacts changed through the API. Memory stays small whatever the seed size: per contact it holds
 * its seed index, {@code created_at}, {@code updated_at}, role and a 64-bit entry of the e-mail index
 * (about 30 bytes); only changed contacts are held as JSON.
 *
 * <p>Contacts are addressed by <em>position</em>: their rank in seed order, which is also the stable
 * order of listing and search results.
 */
final class ContactStore {

    private static final int POSITION_BITS = 24;
    private static final long POSITION_MASK = (1L << POSITION_BITS) - 1;

    private final SeedData seed;
    private final ContactRenderer renderer;
    private final int[] seedIndex;
    private final long[] createdAt;
    private final long[] updatedAt;
    private final byte[] lead;
    /** (40-bit hash of the lower-cased seed e-mail) << 24 | position, sorted. */
    private final long[] emailIndex;
    private final Map<Integer, ObjectNode> changed = new ConcurrentHashMap<>();
    /** Lower-cased e-mails set through the API → positions (checked against the current e-mail on use). */
    private final Map<String, Set<Integer>> changedEmails = new ConcurrentHashMap<>();

    ContactStore(SeedData seed, ContactRenderer renderer) {
        this.seed = seed;
        this.renderer = renderer;
        int people = seed.people();
        int[] indexes = new int[people];
        long[] created = new long[people];
        long[] updated = new long[people];
        byte[] leads = new byte[people];
        long[] emails = new long[people];
        int n = 0;
        for (int i = 0; i < people; i++) {
            IntercomSeed ic = seed.person(i).intercom();
            if (ic == null) {
                continue;
            }
            if (n > POSITION_MASK) {
                throw new IllegalArgumentException("too many Intercom contacts for the simulator: " + people);
            }
            indexes[n] = i;
            created[n] = ic.createdAt();
            updated[n] = ic.updatedAt();
            leads[n] = (byte) ("lead".equals(ic.role()) ? 1 : 0);
            emails[n] = (emailHash(ic.email()) << POSITION_BITS) | n;
            n++;
        }
        this.seedIndex = Arrays.copyOf(indexes, n);
        this.createdAt = Arrays.copyOf(created, n);
        this.updatedAt = Arrays.copyOf(updated, n);
        this.lead = Arrays.copyOf(leads, n);
        this.emailIndex = Arrays.copyOf(emails, n);
        Arrays.sort(emailIndex);
    }

    int size() {
        return seedIndex.length;
    }

    long createdAt(int position) {
        return createdAt[position];
    }

    synchronized long updatedAt(int position) {
        return updatedAt[position];
    }

    synchronized String role(int position) {
        return lead[position] == 1 ? "lead" : "user";
    }

    String id(int position) {
        return SeedData.intercomId(seedIndex[position]);
    }

    /** The position of the contact with this Intercom id, or -1 when there is none. */
    int positionOf(String id) {
        long index = SeedData.intercomIndex(id);
        if (index < 0 || index > Integer.MAX_VALUE) {
            return -1;
        }
        int found = Arrays.binarySearch(seedIndex, (int) index);
        return found < 0 ? -1 : found;
    }

    /** The first position whose seed index is greater than this one (for cursors). */
    int positionAfterSeedIndex(int index) {
        int found = Arrays.binarySearch(seedIndex, index);
        return found >= 0 ? found + 1 : -found - 1;
    }

    int seedIndexAt(int position) {
        return seedIndex[position];
    }

    /** The contact's current JSON (a copy the caller may change). */
    ObjectNode contact(int position) {
        ObjectNode stored = changed.get(position);
        if (stored != null) {
            return stored.deepCopy();
        }
        SeedPerson person = seed.person(seedIndex[position]);
        return renderer.render(person.intercom());
    }

    /** Positions whose current e-mail equals this one, ignoring case, in position order. */
    int[] positionsWithEmail(String email) {
        if (email == null) {
            return new int[0];
        }
        String wanted = email.toLowerCase(Locale.ROOT);
        Set<Integer> candidates = new TreeSet<>();
        long hash = emailHash(wanted);
        int from = lowerBound(hash << POSITION_BITS);
        for (int i = from; i < emailIndex.length && (emailIndex[i] >>> POSITION_BITS) == hash; i++) {
            candidates.add((int) (emailIndex[i] & POSITION_MASK));
        }
        candidates.addAll(changedEmails.getOrDefault(wanted, Set.of()));
        return candidates.stream().filter(p -> {
            JsonNode current = contact(p).get("email");
            return current != null && current.isTextual() && current.asText().equalsIgnoreCase(wanted);
        }).mapToInt(Integer::intValue).toArray();
    }

    /** Stores a contact's new JSON; its {@code updated_at} and role become searchable at once. */
    synchronized void replace(int position, ObjectNode contact) {
        changed.put(position, contact.deepCopy());
        updatedAt[position] = contact.get("updated_at").asLong();
        lead[position] = (byte) ("lead".equals(contact.get("role").asText()) ? 1 : 0);
        JsonNode email = contact.get("email");
        if (email != null && email.isTextual()) {
            changedEmails.computeIfAbsent(email.asText().toLowerCase(Locale.ROOT), k -> ConcurrentHashMap.newKeySet())
                    .add(position);
        }
    }

    int changedCount() {
        return changed.size();
    }

    private int lowerBound(long key) {
        int lo = 0;
        int hi = emailIndex.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (emailIndex[mid] < key) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** A 40-bit FNV-1a hash of the lower-cased e-mail (collisions are resolved by regenerating). */
    static long emailHash(String email) {
        if (email == null) {
            return 0;
        }
        String lower = email.toLowerCase(Locale.ROOT);
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < lower.length(); i++) {
            h ^= lower.charAt(i);
            h *= 0x100000001b3L;
        }
        return (h ^ (h >>> 40)) & ((1L << 40) - 1);
    }
}

package io.github.crmsync.sandbox.intercom;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Cursor-paged contact lists ({@code contact_list} with {@code cursor_pages}) for listing and search.
 * Results come in seed order, which is stable, so a cursor is simply the last seed index returned
 * (with the page number it ended), made opaque with URL-safe Base64. Nothing but one page is built.
 */
final class ContactPages {

    static final int MAX_PER_PAGE = 150;
    static final int LIST_DEFAULT_PER_PAGE = 10;
    static final int SEARCH_DEFAULT_PER_PAGE = 50;

    private static final String INVALID_CURSOR =
            "Invalid starting_after param. Please try again using a starting_after value from a paginated response";

    private final ContactStore store;
    private final ObjectMapper mapper;
    private final AtomicLong version = new AtomicLong();
    private final Map<String, long[]> counts = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, long[]> eldest) {
            return size() > 64;
        }
    };

    ContactPages(ContactStore store, ObjectMapper mapper) {
        this.store = store;
        this.mapper = mapper;
    }

    /** Called after every change, so cached match counts are recomputed. */
    void changed() {
        version.incrementAndGet();
    }

    static int perPage(Integer requested, int defaultValue) {
        if (requested == null) {
            return defaultValue;
        }
        if (requested < 1 || requested > MAX_PER_PAGE) {
            throw IntercomApiException.parameterInvalid("per_page must be between 1 and " + MAX_PER_PAGE);
        }
        return requested;
    }

    /** One page of the contacts matching {@code condition} (null: all), after the cursor. */
    ObjectNode page(ContactSearch.Condition condition, String cacheKey, int perPage, String startingAfter) {
        Cursor cursor = decode(startingAfter);
        int from = cursor == null ? 0 : store.positionAfterSeedIndex(cursor.lastSeedIndex);
        int page = cursor == null ? 1 : cursor.page + 1;
        long total;
        ArrayNode data = mapper.createArrayNode();
        int last = -1;
        boolean more;
        if (condition == null) {
            total = store.size();
            int end = Math.min(store.size(), from + perPage);
            for (int p = from; p < end; p++) {
                data.add(store.contact(p));
                last = p;
            }
            more = end < store.size();
        } else {
            int[] candidates = condition.candidates();
            total = count(condition, candidates, cacheKey);
            Scan scan = new Scan(candidates, from);
            int p;
            while (data.size() < perPage && (p = scan.next()) >= 0) {
                ContactSearch.Row row = new ContactSearch.Row(store, p);
                if (condition.test(row)) {
                    data.add(row.json());
                    last = p;
                }
            }
            more = false;
            while ((p = scan.next()) >= 0) {
                if (condition.test(new ContactSearch.Row(store, p))) {
                    more = true;
                    break;
                }
            }
        }
        ObjectNode list = mapper.createObjectNode();
        list.put("type", "list");
        list.set("data", data);
        list.put("total_count", total);
        ObjectNode pages = list.putObject("pages");
        pages.put("type", "pages");
        pages.put("page", page);
        pages.put("per_page", perPage);
        pages.put("total_pages", (total + perPage - 1) / perPage);
        if (more && last >= 0) {
            ObjectNode next = pages.putObject("next");
            next.put("page", page + 1);
            next.put("starting_after", encode(new Cursor(store.seedIndexAt(last), page)));
        }
        return list;
    }

    private long count(ContactSearch.Condition condition, int[] candidates, String cacheKey) {
        long v = version.get();
        synchronized (counts) {
            long[] cached = counts.get(cacheKey);
            if (cached != null && cached[0] == v) {
                return cached[1];
            }
        }
        long n = 0;
        Scan scan = new Scan(candidates, 0);
        for (int p; (p = scan.next()) >= 0; ) {
            if (condition.test(new ContactSearch.Row(store, p))) {
                n++;
            }
        }
        synchronized (counts) {
            counts.put(cacheKey, new long[] {v, n});
        }
        return n;
    }

    /** Positions from {@code from} on: all of them, or only the candidates. */
    private final class Scan {
        private final int[] candidates;
        private int next;

        Scan(int[] candidates, int from) {
            this.candidates = candidates;
            if (candidates == null) {
                next = from;
            } else {
                int i = java.util.Arrays.binarySearch(candidates, from);
                next = i >= 0 ? i : -i - 1;
            }
        }

        int next() {
            if (candidates == null) {
                return next < store.size() ? next++ : -1;
            }
            return next < candidates.length ? candidates[next++] : -1;
        }
    }

    private record Cursor(int lastSeedIndex, int page) {
    }

    private static String encode(Cursor cursor) {
        String raw = "ic1:" + cursor.lastSeedIndex + ":" + cursor.page;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    private static Cursor decode(String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            String raw = new String(Base64.getUrlDecoder().decode(value), StandardCharsets.UTF_8);
            String[] parts = raw.split(":");
            if (parts.length != 3 || !parts[0].equals("ic1")) {
                throw new IllegalArgumentException(raw);
            }
            int index = Integer.parseInt(parts[1]);
            int page = Integer.parseInt(parts[2]);
            if (index < 0 || page < 1) {
                throw new IllegalArgumentException(raw);
            }
            return new Cursor(index, page);
        } catch (IllegalArgumentException e) {
            throw IntercomApiException.badRequest("client_error", INVALID_CURSOR);
        }
    }
}

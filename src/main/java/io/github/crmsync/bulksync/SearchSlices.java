package io.github.crmsync.bulksync;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * How the parallel Intercom staging cuts contacts into search slices by creation day: the listing's
 * first page gives the count the slices must reach and a sample of creation days to cut by; a slice
 * whose first search page counts more than its share is halved before it is read (the route
 * {@code bulk-size-intercom-slice} reads that first page).
 */
final class SearchSlices {

    /** A slice holds at least this many pages' worth of contacts before it is worth halving. */
    static final int SLICE_PAGES = 10;

    private final long firstDay;
    private final long lastDay;
    private final long today;
    private final int readers;
    private final long share;

    private SearchSlices(long firstDay, long lastDay, long today, int readers, long share) {
        this.firstDay = firstDay;
        this.lastDay = lastDay;
        this.today = today;
        this.readers = readers;
        this.share = share;
    }

    /** From the listing's first page (its {@code total_count} and the creation days of its contacts). */
    static SearchSlices from(JsonNode firstListingPage, long today, int readers, long sliceContacts) {
        long listed = Math.max(0, firstListingPage.path("total_count").asLong());
        long firstDay = today;
        long lastDay = Long.MIN_VALUE;
        for (JsonNode contact : firstListingPage.path("data")) {
            if (contact.path("created_at").isNumber()) {
                long day = Math.floorDiv(contact.path("created_at").asLong(), CreatedDays.DAY);
                firstDay = Math.min(firstDay, day);
                lastDay = Math.max(lastDay, day);
            }
        }
        lastDay = Math.max(firstDay, Math.min(today, lastDay));
        return new SearchSlices(firstDay, lastDay, today, readers, Math.max(sliceContacts, listed / (readers * 4L)));
    }

    /** The slices to start from: two per reader over the sampled days, and the open ends before and after. */
    List<CreatedDays> initial() {
        return CreatedDays.partition(firstDay, lastDay, readers * 2);
    }

    /** The slice's halves when its first page counts more than the share (and it is more than a day); else null. */
    CreatedDays[] halvesIfTooBig(CreatedDays slice, JsonNode firstPage) {
        return firstPage.path("total_count").asLong() > share ? slice.split(today) : null;
    }
}

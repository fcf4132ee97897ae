package io.github.crmsync.bulksync;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * A slice of Intercom contacts by the calendar day (UTC) of their {@code created_at}, inclusive at
 * both ends, {@code null} meaning open: the unit of the parallel Intercom staging. Intercom's search
 * compares dates by day ({@code created_at > t} matches from the day after t's day on,
 * {@code created_at < t} everything before t's day), so slices whose day ranges partition the day
 * line hold every contact exactly once — a contact's {@code created_at} never changes.
 */
record CreatedDays(Long from, Long to) {

    static final long DAY = 86_400;
    private static final ObjectMapper JSON = new ObjectMapper();

    CreatedDays {
        if (from == null && to == null) {
            throw new IllegalArgumentException("a slice open at both ends is not a search Intercom accepts");
        }
        if (from != null && to != null && from > to) {
            throw new IllegalArgumentException("empty slice " + from + ".." + to);
        }
    }

    /**
     * Days before {@code firstDay}, {@code firstDay..lastDay} cut into {@code pieces} ranges of about
     * equal length, and days after {@code lastDay}: together every day, each once.
     */
    static List<CreatedDays> partition(long firstDay, long lastDay, int pieces) {
        if (firstDay > lastDay) {
            throw new IllegalArgumentException("firstDay after lastDay");
        }
        List<CreatedDays> slices = new ArrayList<>();
        slices.add(new CreatedDays(null, firstDay - 1));
        long days = lastDay - firstDay + 1;
        int n = (int) Math.max(1, Math.min(pieces, days));
        long from = firstDay;
        for (int i = 1; i <= n; i++) {
            long to = firstDay + days * i / n - 1;
            slices.add(new CreatedDays(from, to));
            from = to + 1;
        }
        slices.add(new CreatedDays(lastDay + 1, null));
        return slices;
    }

    /**
     * Two halves that together are this slice, or null when it is one day (or, open, holds no day
     * from 1970 to {@code today}). An open end is halved towards 1970 or towards today.
     */
    CreatedDays[] split(long today) {
        long lo;
        long hi;
        if (from == null) {
            lo = Math.min(0, to);
            hi = to;
        } else if (to == null) {
            lo = from;
            hi = Math.max(from, today);
        } else {
            lo = from;
            hi = to;
        }
        if (lo >= hi) {
            return null;
        }
        long mid = lo + (hi - lo) / 2;
        return new CreatedDays[] {new CreatedDays(from, mid), new CreatedDays(mid + 1, to)};
    }

    /** The search query for the slice: {@code created_at} after the day before it, before the day after it starts. */
    ObjectNode query() {
        if (from == null) {
            return before();
        }
        if (to == null) {
            return after();
        }
        ObjectNode and = JSON.createObjectNode().put("operator", "AND");
        ArrayNode value = and.putArray("value");
        value.add(after());
        value.add(before());
        return and;
    }

    /**
     * The last second of the day before: by day (as documented) that is "from the next day on", and
     * it would still be, should Intercom ever compare the exact second. Likewise the bound below.
     */
    private ObjectNode after() {
        return JSON.createObjectNode().put("field", "created_at").put("operator", ">").put("value", from * DAY - 1);
    }

    private ObjectNode before() {
        return JSON.createObjectNode().put("field", "created_at").put("operator", "<").put("value", (to + 1) * DAY);
    }

    boolean contains(long createdAtEpochSecond) {
        long day = Math.floorDiv(createdAtEpochSecond, DAY);
        return (from == null || day >= from) && (to == null || day <= to);
    }
}

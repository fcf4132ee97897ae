package io.github.crmsync.sandbox.salesforce;

import io.github.crmsync.sandbox.salesforce.SObjectSchema.Field;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs a parsed SOQL query over the records and returns the matching seed indexes in result order
 * (an int[]: the whole cursor state of a query, 4 bytes a row).
 */
final class QueryEngine {

    private final SalesforceRecords records;

    QueryEngine(SalesforceRecords records) {
        this.records = records;
    }

    int[] execute(Soql.Query q) {
        SObjectSchema schema = q.schema();
        int[] candidates = candidates(q);
        int[] out = new int[Math.min(candidates == null ? records.size() : candidates.length, 1024)];
        int n = 0;
        int size = candidates == null ? records.size() : candidates.length;
        for (int k = 0; k < size; k++) {
            int i = candidates == null ? k : candidates[k];
            if (!records.isOf(schema, i)) {
                continue;
            }
            if (q.where() == null || q.where().test(records.row(schema, i))) {
                if (n == out.length) {
                    out = Arrays.copyOf(out, Math.max(16, n + (n >> 1)));
                }
                out[n++] = i;
            }
        }
        int[] rows = Arrays.copyOf(out, n);
        if (!q.orderBy().isEmpty()) {
            sort(schema, rows, q.orderBy());
        }
        if (q.offset() > 0) {
            rows = Arrays.copyOfRange(rows, Math.min(q.offset(), rows.length), rows.length);
        }
        if (q.limit() >= 0 && rows.length > q.limit()) {
            rows = Arrays.copyOf(rows, q.limit());
        }
        return rows;
    }

    /** Id or Email equality (alone or in a top-level AND) narrows the scan; null = every record. */
    private int[] candidates(Soql.Query q) {
        List<Soql.Cond> conjuncts = new ArrayList<>();
        if (q.where() instanceof Soql.And and) {
            conjuncts.addAll(and.parts());
        } else if (q.where() != null) {
            conjuncts.add(q.where());
        }
        for (Soql.Cond c : conjuncts) {
            if (c instanceof Soql.Compare cmp && (cmp.op() == Soql.Op.EQ || cmp.op() == Soql.Op.IN)) {
                if (cmp.field().name().equals("Id")) {
                    return cmp.values().stream().filter(v -> v != null)
                            .mapToInt(v -> records.resolve(q.schema(), v.toString()))
                            .filter(i -> i >= 0).sorted().distinct().toArray();
                }
                if (cmp.field().name().equals("Email")) {
                    return records.emailCandidates(q.schema(), cmp.values());
                }
            }
        }
        return null;
    }

    private void sort(SObjectSchema schema, int[] rows, List<Soql.Order> orders) {
        // Per order field: the stamp array for SystemModstamp/LastModifiedDate, the index for Id,
        // otherwise the values extracted once for the matching rows.
        int m = orders.size();
        Object[][] keys = new Object[m][];
        boolean needsKeys = false;
        for (int k = 0; k < m; k++) {
            String name = orders.get(k).field().name();
            if (!name.equals("Id") && !name.equals("SystemModstamp") && !name.equals("LastModifiedDate")) {
                needsKeys = true;
            }
        }
        int[] order = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            order[i] = i;
        }
        if (needsKeys) {
            for (int k = 0; k < m; k++) {
                Field f = orders.get(k).field();
                String name = f.name();
                if (name.equals("Id") || name.equals("SystemModstamp") || name.equals("LastModifiedDate")) {
                    continue;
                }
                keys[k] = new Object[rows.length];
                for (int i = 0; i < rows.length; i++) {
                    keys[k][i] = records.row(schema, rows[i]).get(f);
                }
            }
        }
        IntComparator cmp = (a, b) -> {
            for (int k = 0; k < m; k++) {
                Soql.Order o = orders.get(k);
                String name = o.field().name();
                int c;
                if (name.equals("Id")) {
                    c = Integer.compare(rows[a], rows[b]);
                } else if (name.equals("SystemModstamp") || name.equals("LastModifiedDate")) {
                    c = Long.compare(records.stampMillis(rows[a]), records.stampMillis(rows[b]));
                } else {
                    Object va = keys[k][a];
                    Object vb = keys[k][b];
                    if (va == null || vb == null) {
                        if (va == vb) {
                            continue;
                        }
                        c = va == null ? -1 : 1;
                        if (o.nullsLast()) {
                            c = -c;
                        }
                        return c; // nulls placement is independent of ASC/DESC
                    }
                    c = Soql.compare(o.field(), va, vb);
                }
                if (c != 0) {
                    return o.descending() ? -c : c;
                }
            }
            return Integer.compare(rows[a], rows[b]);
        };
        mergeSort(order, new int[order.length], 0, order.length, cmp);
        int[] sorted = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            sorted[i] = rows[order[i]];
        }
        System.arraycopy(sorted, 0, rows, 0, rows.length);
    }

    interface IntComparator {
        int compare(int a, int b);
    }

    static void mergeSort(int[] a, int[] tmp, int from, int to, IntComparator cmp) {
        if (to - from < 16) {
            for (int i = from + 1; i < to; i++) {
                int v = a[i];
                int j = i - 1;
                while (j >= from && cmp.compare(a[j], v) > 0) {
                    a[j + 1] = a[j];
                    j--;
                }
                a[j + 1] = v;
            }
            return;
        }
        int mid = (from + to) >>> 1;
        mergeSort(a, tmp, from, mid, cmp);
        mergeSort(a, tmp, mid, to, cmp);
        if (cmp.compare(a[mid - 1], a[mid]) <= 0) {
            return;
        }
        System.arraycopy(a, from, tmp, from, to - from);
        int i = from;
        int j = mid;
        for (int k = from; k < to; k++) {
            if (j >= to || (i < mid && cmp.compare(tmp[i], tmp[j]) <= 0)) {
                a[k] = tmp[i++];
            } else {
                a[k] = tmp[j++];
            }
        }
    }
}

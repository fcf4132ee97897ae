package io.github.crmsync.salesforce;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * SOQL text built from values that may come from outside (e-mails, ids, watermarks): every value
 * goes through {@link #quote} or a typed literal, never into the query as typed.
 */
public final class Soql {

    /**
     * Longest URL-encoded SOQL the service sends: Salesforce takes request URIs of up to 16,384
     * bytes, and the HTTP client's request buffer is set to that size (see application.properties).
     */
    public static final int MAX_ENCODED_QUERY_LENGTH = 14_000;

    private static final Pattern FIELD_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]*(__c)?");
    private static final DateTimeFormatter DATETIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private Soql() {
    }

    /** A string literal with SOQL's escape sequences for quotes, backslashes and control characters. */
    public static String quote(String value) {
        StringBuilder out = new StringBuilder(value.length() + 2).append('\'');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\'' -> out.append("\\'");
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> out.append(c);
            }
        }
        return out.append('\'').toString();
    }

    /** A dateTime literal in UTC (never quoted in SOQL). */
    public static String dateTime(Instant instant) {
        return DATETIME.format(instant);
    }

    /** {@code (a, b, c)} of quoted strings, for {@code IN}. */
    public static String inList(Collection<String> values) {
        return values.stream().map(Soql::quote).collect(Collectors.joining(", ", "(", ")"));
    }

    /** A field name checked against the form of Salesforce API names, so a mapping can't inject SOQL. */
    public static String field(String name) {
        if (name == null || !FIELD_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("Not a Salesforce field name: " + name);
        }
        return name;
    }

    public static String select(List<String> fields) {
        return fields.stream().map(Soql::field).distinct().collect(Collectors.joining(", "));
    }

    /**
     * Records changed after a watermark, oldest first. Records with the same SystemModstamp as the
     * watermark but a greater Id are included, so ties are neither skipped nor read twice.
     */
    public static String changedSince(String sObject, List<String> fields, Instant watermark, String lastId) {
        String since = dateTime(watermark);
        String where = lastId == null
                ? "SystemModstamp > " + since
                : "(SystemModstamp > " + since + " OR (SystemModstamp = " + since + " AND Id > " + quote(lastId) + "))";
        return "SELECT " + select(fields) + " FROM " + field(sObject) + " WHERE " + where + " ORDER BY SystemModstamp, Id";
    }

    /**
     * The same look-up as {@link #byIdsOrEmails}, split into as few queries as keep each one's
     * URL-encoded text under {@code maxEncodedLength} (a GET query travels in the URL, which
     * Salesforce and its clients limit).
     */
    public static List<String> byIdsOrEmailsWithin(String sObject, List<String> fields, List<String> ids,
                                                   List<String> emails, int maxEncodedLength) {
        List<String> queries = new ArrayList<>();
        int base = encodedLength(byIdsOrEmails(sObject, fields, List.of(), List.of("x")))
                + encodedLength(" OR Id IN ()");
        List<String> idChunk = new ArrayList<>();
        List<String> emailChunk = new ArrayList<>();
        int length = base;
        for (int i = 0; i < ids.size() + emails.size(); i++) {
            boolean isId = i < ids.size();
            String value = isId ? ids.get(i) : emails.get(i - ids.size());
            int cost = encodedLength(quote(value) + ", ");
            if (length + cost > maxEncodedLength && !(idChunk.isEmpty() && emailChunk.isEmpty())) {
                queries.add(byIdsOrEmails(sObject, fields, idChunk, emailChunk));
                idChunk = new ArrayList<>();
                emailChunk = new ArrayList<>();
                length = base;
            }
            (isId ? idChunk : emailChunk).add(value);
            length += cost;
        }
        if (!idChunk.isEmpty() || !emailChunk.isEmpty()) {
            queries.add(byIdsOrEmails(sObject, fields, idChunk, emailChunk));
        }
        return queries;
    }

    private static int encodedLength(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).length();
    }

    /** Records by id or by e-mail (lower-cased comparison is Salesforce's own: SOQL string equality ignores case). */
    public static String byIdsOrEmails(String sObject, List<String> fields, Collection<String> ids, Collection<String> emails) {
        StringBuilder where = new StringBuilder();
        if (!ids.isEmpty()) {
            where.append("Id IN ").append(inList(ids));
        }
        if (!emails.isEmpty()) {
            if (!where.isEmpty()) {
                where.append(" OR ");
            }
            where.append("Email IN ").append(inList(emails));
        }
        if (where.isEmpty()) {
            throw new IllegalArgumentException("no ids or e-mails to look up");
        }
        return "SELECT " + select(fields) + " FROM " + field(sObject) + " WHERE " + where;
    }
}

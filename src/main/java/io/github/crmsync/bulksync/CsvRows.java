package io.github.crmsync.bulksync;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads RFC 4180 CSV (as Bulk API 2.0 writes it: comma-separated, double-quoted cells, quotes
 * doubled, line breaks inside quotes) one row at a time from a stream, so a result file of any size
 * passes through in constant memory. An empty unquoted cell reads as null (Salesforce's "no value").
 */
public final class CsvRows {

    private final Reader in;
    private final char delimiter;
    private int peeked = -2;

    public CsvRows(Reader in, char delimiter) {
        this.in = in;
        this.delimiter = delimiter;
    }

    /** The next row's cells, or null at the end. */
    public List<String> next() throws IOException {
        int c = read();
        if (c == -1) {
            return null;
        }
        List<String> row = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        boolean wasQuoted = false;
        while (true) {
            if (quoted) {
                if (c == -1) {
                    throw new IOException("CSV ends inside a quoted cell");
                }
                if (c == '"') {
                    int n = read();
                    if (n == '"') {
                        cell.append('"');
                    } else {
                        quoted = false;
                        c = n;
                        continue;
                    }
                } else {
                    cell.append((char) c);
                }
            } else if (c == '"') {
                quoted = true;
                wasQuoted = true;
            } else if (c == delimiter) {
                row.add(cellValue(cell, wasQuoted));
                cell.setLength(0);
                wasQuoted = false;
            } else if (c == '\n' || c == '\r' || c == -1) {
                if (c == '\r') {
                    int n = read();
                    if (n != '\n') {
                        peeked = n;
                    }
                }
                row.add(cellValue(cell, wasQuoted));
                return row;
            } else {
                cell.append((char) c);
            }
            c = read();
        }
    }

    private static String cellValue(StringBuilder cell, boolean quoted) {
        return cell.length() == 0 && !quoted ? null : cell.toString();
    }

    private int read() throws IOException {
        if (peeked != -2) {
            int c = peeked;
            peeked = -2;
            return c;
        }
        return in.read();
    }
}

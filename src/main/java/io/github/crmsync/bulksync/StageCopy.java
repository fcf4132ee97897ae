package io.github.crmsync.bulksync;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Loads rows into a staging table with PostgreSQL's {@code COPY ... FROM STDIN (FORMAT csv)}: rows
 * are buffered to about 256 KB and sent as one stream, never one statement per row nor all at once.
 */
public final class StageCopy implements AutoCloseable {

    private static final int FLUSH_AT = 256 * 1024;

    private final Connection connection;
    private final CopyIn copy;
    private final StringBuilder buffer = new StringBuilder(FLUSH_AT + 4096);
    private long rows;

    public StageCopy(Connection connection, String table, String columns) throws SQLException {
        this.connection = connection;
        this.copy = connection.unwrap(PGConnection.class).getCopyAPI()
                .copyIn("COPY " + table + " (" + columns + ") FROM STDIN WITH (FORMAT csv)");
    }

    /** One row; null cells are SQL NULL. */
    public void row(Object... cells) throws SQLException {
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) {
                buffer.append(',');
            }
            if (cells[i] != null) {
                buffer.append('"').append(cells[i].toString().replace("\"", "\"\"")).append('"');
            }
        }
        buffer.append('\n');
        rows++;
        if (buffer.length() >= FLUSH_AT) {
            flush();
        }
    }

    public long rows() {
        return rows;
    }

    private void flush() throws SQLException {
        if (buffer.length() > 0) {
            byte[] bytes = buffer.toString().getBytes(StandardCharsets.UTF_8);
            copy.writeToCopy(bytes, 0, bytes.length);
            buffer.setLength(0);
        }
    }

    /** Sends what is left and ends the COPY. */
    @Override
    public void close() throws SQLException {
        try {
            if (copy.isActive()) {
                flush();
                copy.endCopy();
            }
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
            connection.close();
        }
    }
}

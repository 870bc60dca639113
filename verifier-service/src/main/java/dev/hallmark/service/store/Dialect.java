package dev.hallmark.service.store;

import java.util.Arrays;
import java.util.Collections;
import java.util.stream.Collectors;

/**
 * The statements H2 and PostgreSQL spell differently; everything else the store runs is the same
 * SQL on both. Lease times use the database's clock, so instances on hosts with skewed clocks
 * agree on when a lease has expired.
 */
enum Dialect {

    H2("h2") {
        @Override
        String upsert(String table, String key, String... cols) {
            return "MERGE INTO " + table + "(" + String.join(", ", cols) + ") KEY(" + key + ") VALUES ("
                    + params(cols.length) + ")";
        }

        @Override
        String insertIfAbsent(String table, String key, String... cols) {
            return "MERGE INTO " + table + " t USING (VALUES (" + params(cols.length) + ")) s("
                    + String.join(", ", cols) + ") ON " + Arrays.stream(key.split(",")).map(String::strip)
                    .map(k -> "t." + k + " = s." + k).collect(Collectors.joining(" AND ")) + " WHEN NOT MATCHED THEN INSERT ("
                    + String.join(", ", cols) + ") VALUES (" + Arrays.stream(cols).map(c -> "s." + c)
                    .collect(Collectors.joining(", ")) + ")";
        }

        @Override
        String nowPlusMillis() {
            return "DATEADD(MILLISECOND, ?, CURRENT_TIMESTAMP)";
        }
    },

    POSTGRESQL("postgresql") {
        @Override
        String upsert(String table, String key, String... cols) {
            return "INSERT INTO " + table + "(" + String.join(", ", cols) + ") VALUES (" + params(cols.length)
                    + ") ON CONFLICT (" + key + ") DO UPDATE SET " + Arrays.stream(cols).filter(c -> !c.equals(key))
                    .map(c -> c + " = EXCLUDED." + c).collect(Collectors.joining(", "));
        }

        @Override
        String insertIfAbsent(String table, String key, String... cols) {
            return "INSERT INTO " + table + "(" + String.join(", ", cols) + ") VALUES (" + params(cols.length)
                    + ") ON CONFLICT (" + key + ") DO NOTHING";
        }

        @Override
        String nowPlusMillis() {
            return "(CURRENT_TIMESTAMP + CAST(? AS DOUBLE PRECISION) * INTERVAL '1 millisecond')";
        }

        @Override
        String relaxedCommit() {
            return "SET LOCAL synchronous_commit TO OFF";
        }
    };

    /** The folder of this database's Flyway migrations under {@code db/migration/}. */
    final String vendor;

    Dialect(String vendor) {
        this.vendor = vendor;
    }

    /** Inserts a row, or replaces the one with the same {@code key} (one {@code ?} per column, in order). */
    abstract String upsert(String table, String key, String... cols);

    /**
     * Inserts a row unless one with the same {@code key} exists (then changes nothing: update count
     * 0); {@code key} names the key's column, or its columns separated by commas.
     */
    abstract String insertIfAbsent(String table, String key, String... cols);

    /** An SQL expression: the database's current time plus {@code ?} milliseconds. */
    abstract String nowPlusMillis();

    /**
     * A statement that lets the current transaction commit without waiting for the disk (for
     * state that may lose its last moments in a crash), or null where commits do not wait anyway.
     */
    String relaxedCommit() {
        return null;
    }

    static String params(int n) {
        return String.join(", ", Collections.nCopies(n, "?"));
    }
}

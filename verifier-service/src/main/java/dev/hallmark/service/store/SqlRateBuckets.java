package dev.hallmark.service.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.function.Function;

/**
 * Table {@code rate_buckets}: lock the bucket's row with {@code SELECT ... FOR UPDATE} (creating
 * it first if missing, never overwriting a concurrent creator's), write the decided bucket,
 * commit. On PostgreSQL the commit does not wait for the disk ({@code synchronous_commit} off for
 * this transaction only): a server crash may forget the last moments of charges, which costs
 * nothing worth a disk flush per request.
 */
final class SqlRateBuckets implements RateBuckets {

    // unique violation, serialization failure, H2's "concurrent update"
    private static final java.util.Set<String> RETRY = java.util.Set.of("23505", "40001", "90131");

    private final Database db;

    SqlRateBuckets(Database db) {
        this.db = db;
    }

    /** The bucket's row, locked until the transaction ends; null if there is none yet. */
    private static Bucket lock(java.sql.Connection c, String key) throws java.sql.SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT tokens, at_nanos FROM rate_buckets WHERE bucket = ? FOR UPDATE")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Bucket(rs.getDouble(1), rs.getLong(2)) : null;
            }
        }
    }

    @Override
    public <T> T update(String key, Bucket fresh, Function<Bucket, Update<T>> decide) {
        for (int attempt = 1; ; attempt++) {
            try {
                return db.tx(c -> {
                    String relaxed = db.dialect().relaxedCommit();
                    if (relaxed != null) {
                        try (java.sql.Statement st = c.createStatement()) {
                            st.execute(relaxed);
                        }
                    }
                    Bucket current = lock(c, key);
                    if (current == null) {
                        try (PreparedStatement ps = c.prepareStatement(
                                db.dialect().insertIfAbsent("rate_buckets", "bucket", "bucket", "tokens", "at_nanos"))) {
                            ps.setString(1, key);
                            ps.setDouble(2, fresh.tokens());
                            ps.setLong(3, fresh.atNanos());
                            ps.executeUpdate();
                        }
                        current = lock(c, key);
                    }
                    Update<T> u = decide.apply(current);
                    try (PreparedStatement ps = c.prepareStatement(
                            "UPDATE rate_buckets SET tokens = ?, at_nanos = ? WHERE bucket = ?")) {
                        ps.setDouble(1, u.next().tokens());
                        ps.setLong(2, u.next().atNanos());
                        ps.setString(3, key);
                        ps.executeUpdate();
                    }
                    return u.answer();
                });
            } catch (Database.StoreException e) {
                // H2: two first requests of one token both inserting its row (PostgreSQL's ON CONFLICT
                // DO NOTHING cannot fail so), or H2's concurrent-update refusal; the loser retries
                if (attempt >= 3 || !RETRY.contains(String.valueOf(e.sqlState()))) {
                    throw e;
                }
            }
        }
    }
}

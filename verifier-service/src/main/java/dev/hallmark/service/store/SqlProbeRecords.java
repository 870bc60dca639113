package dev.hallmark.service.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Tables {@code probe_tenants} (one row per tenant: the number of its last text, locked with
 * {@code SELECT ... FOR UPDATE} while a text is numbered), {@code probe_texts} (signatures as
 * 8-byte big-endian longs), {@code probe_answers} and {@code probe_hits}. Because a tenant's texts
 * are numbered and inserted under its row lock, they commit in number order, and reading
 * {@code seq > ?} under the lock misses none. As for the rate buckets, the commits do not wait for
 * the disk on PostgreSQL (a server crash may forget the last moments of texts).
 */
final class SqlProbeRecords implements ProbeRecords {

    // unique violation, serialization failure, H2's "concurrent update"
    private static final Set<String> RETRY = Set.of("23505", "40001", "90131");
    /** Clusters' first answers are pruned when a text numbered a multiple of this is recorded. */
    static final int PRUNE_EVERY = 1024;
    /** Test ids longer than this are stored as their SHA-256. */
    static final int MAX_TEST_ID = 200;

    private final Database db;

    SqlProbeRecords(Database db) {
        this.db = db;
    }

    private interface Attempt<T> {
        T run() throws Database.StoreException;
    }

    /** Runs {@code a}, again (up to three times) when two first inserts of one row collide or H2 refuses a concurrent update. */
    private static <T> T retrying(Attempt<T> a) {
        for (int attempt = 1; ; attempt++) {
            try {
                return a.run();
            } catch (Database.StoreException e) {
                if (attempt >= 3 || !RETRY.contains(String.valueOf(e.sqlState()))) {
                    throw e;
                }
            }
        }
    }

    private void relax(Connection c) throws SQLException {
        String relaxed = db.dialect().relaxedCommit();
        if (relaxed != null) {
            try (Statement st = c.createStatement()) {
                st.execute(relaxed);
            }
        }
    }

    /** The tenant's last text number, its row locked until the transaction ends (created first if missing). */
    private long lockTenant(Connection c, String tenant) throws SQLException {
        for (int i = 0; i < 2; i++) {
            try (PreparedStatement ps = c.prepareStatement("SELECT last_seq FROM probe_tenants WHERE tenant = ? FOR UPDATE")) {
                ps.setString(1, tenant);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return rs.getLong(1);
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    db.dialect().insertIfAbsent("probe_tenants", "tenant", "tenant", "last_seq"))) {
                ps.setString(1, tenant);
                ps.setLong(2, 0);
                ps.executeUpdate();
            }
        }
        throw new SQLException("probe_tenants row of tenant '" + tenant + "' vanished while being locked");
    }

    @Override
    public Text record(String tenant, long since, long[] signature, int keep, Decision decide) {
        if (keep < 1) {
            throw new IllegalArgumentException("keep must be positive, got " + keep);
        }
        byte[] sig = encode(signature);
        return retrying(() -> db.tx(c -> {
            relax(c);
            long last = lockTenant(c, tenant);
            List<Text> newer = new ArrayList<>();
            // a store that went back (a restored backup): every text it keeps
            long from = last < since ? 0 : since;
            if (last > from) {
                try (PreparedStatement ps = c.prepareStatement("SELECT seq, cluster_seq, signature FROM probe_texts "
                        + "WHERE tenant = ? AND seq > ? ORDER BY seq")) {
                    ps.setString(1, tenant);
                    ps.setLong(2, from);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            newer.add(new Text(rs.getLong(1), rs.getLong(2), decode(rs.getBytes(3))));
                        }
                    }
                }
            }
            long cluster = decide.decide(last, newer);
            if (cluster == NOTHING) {
                return null;
            }
            if (cluster < 0 || cluster > last) {
                throw new IllegalArgumentException("no cluster " + cluster + " among tenant texts 1.." + last);
            }
            long seq = last + 1;
            Text t = new Text(seq, cluster == NEW_CLUSTER ? seq : cluster, signature.clone());
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO probe_texts(tenant, seq, cluster_seq, signature, "
                    + "created_at) VALUES (?, ?, ?, ?, ?)")) {
                ps.setString(1, tenant);
                ps.setLong(2, seq);
                ps.setLong(3, t.cluster());
                ps.setBytes(4, sig);
                ps.setTimestamp(5, Timestamp.from(java.time.Instant.now()));
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE probe_tenants SET last_seq = ? WHERE tenant = ?")) {
                ps.setLong(1, seq);
                ps.setString(2, tenant);
                ps.executeUpdate();
            }
            if (seq > keep) {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM probe_texts WHERE tenant = ? AND seq <= ?")) {
                    ps.setString(1, tenant);
                    ps.setLong(2, seq - keep);
                    ps.executeUpdate();
                }
                if (seq % PRUNE_EVERY == 0) {
                    pruneAnswers(c, tenant, seq - keep);
                }
            }
            return t;
        }));
    }

    /** Deletes the first answers of the tenant's clusters (numbered up to {@code upTo}) none of whose texts are left. */
    private static void pruneAnswers(Connection c, String tenant, long upTo) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM probe_answers WHERE tenant = ? AND cluster_seq <= ? "
                + "AND NOT EXISTS (SELECT 1 FROM probe_texts t WHERE t.tenant = probe_answers.tenant "
                + "AND t.cluster_seq = probe_answers.cluster_seq)")) {
            ps.setString(1, tenant);
            ps.setLong(2, upTo);
            ps.executeUpdate();
        }
    }

    @Override
    public Double firstAnswer(String tenant, long cluster, String testId) {
        return db.with(c -> readAnswer(c, tenant, cluster, storedTestId(testId)));
    }

    private static Double readAnswer(Connection c, String tenant, long cluster, String testId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT log10_p FROM probe_answers WHERE tenant = ? "
                + "AND cluster_seq = ? AND test_id = ?")) {
            ps.setString(1, tenant);
            ps.setLong(2, cluster);
            ps.setString(3, testId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getDouble(1) : null;
            }
        }
    }

    @Override
    public double firstAnswer(String tenant, long cluster, String testId, double log10p) {
        if (Double.isNaN(log10p)) {
            throw new IllegalArgumentException("log10 p of test " + testId + " is NaN");
        }
        String id = storedTestId(testId);
        return retrying(() -> db.with(c -> {
            Double v = readAnswer(c, tenant, cluster, id);
            if (v != null) {
                return v;
            }
            try (PreparedStatement ps = c.prepareStatement(db.dialect().insertIfAbsent("probe_answers",
                    "tenant, cluster_seq, test_id", "tenant", "cluster_seq", "test_id", "log10_p"))) {
                ps.setString(1, tenant);
                ps.setLong(2, cluster);
                ps.setString(3, id);
                ps.setDouble(4, log10p);
                ps.executeUpdate();
            }
            // whoever inserted first, its value stands
            v = readAnswer(c, tenant, cluster, id);
            if (v == null) {
                throw new IllegalStateException("the first answer of cluster " + cluster + " vanished after its insert");
            }
            return v;
        }));
    }

    @Override
    public long addHits(String tokenId, long n) {
        return retrying(() -> db.tx(c -> {
            relax(c);
            try (PreparedStatement ps = c.prepareStatement(
                    db.dialect().insertIfAbsent("probe_hits", "token_id", "token_id", "hits"))) {
                ps.setString(1, tokenId);
                ps.setLong(2, 0);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE probe_hits SET hits = hits + ? WHERE token_id = ?")) {
                ps.setLong(1, n);
                ps.setString(2, tokenId);
                ps.executeUpdate();
            }
            return readHits(c, tokenId);
        }));
    }

    @Override
    public long hits(String tokenId) {
        return db.with(c -> readHits(c, tokenId));
    }

    private static long readHits(Connection c, String tokenId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT hits FROM probe_hits WHERE token_id = ?")) {
            ps.setString(1, tokenId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    /** A test id as stored: itself, or {@code sha256:<hex>} when it is longer than {@value #MAX_TEST_ID} characters. */
    static String storedTestId(String testId) {
        if (testId.length() <= MAX_TEST_ID) {
            return testId;
        }
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(testId.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    static byte[] encode(long[] signature) {
        ByteBuffer b = ByteBuffer.allocate(signature.length * Long.BYTES);
        for (long v : signature) {
            b.putLong(v);
        }
        return b.array();
    }

    static long[] decode(byte[] bytes) {
        if (bytes.length % Long.BYTES != 0) {
            throw new IllegalStateException("a stored probe signature of " + bytes.length + " bytes (not a multiple of 8)");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        long[] out = new long[bytes.length / Long.BYTES];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.getLong();
        }
        return out;
    }
}

package dev.hallmark.service.store;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@link ProbeStore} in tables {@code probe_answers}, {@code probe_values} and {@code probe_hits}. */
final class SqlProbeStore implements ProbeStore {

    // unique violation, serialization failure, H2's "concurrent update"
    private static final Set<String> RETRY = Set.of("23505", "40001", "90131");

    private final Database db;

    SqlProbeStore(Database db) {
        this.db = db;
    }

    @Override
    public List<Row> since(long afterId, int limit) {
        return db.with(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id, tenant, cluster_id, signature FROM probe_answers "
                    + "WHERE id > ? ORDER BY id LIMIT ?")) {
                ps.setLong(1, afterId);
                ps.setInt(2, limit);
                List<Row> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Row(rs.getLong(1), rs.getString(2), rs.getLong(3), decode(rs.getBytes(4))));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public Row insert(String tenant, long cluster, long[] signature) {
        return db.tx(c -> {
            long id;
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO probe_answers(tenant, cluster_id, signature) "
                    + "VALUES (?, ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, tenant);
                ps.setLong(2, cluster);
                ps.setBytes(3, encode(signature));
                ps.executeUpdate();
                try (ResultSet rs = ps.getGeneratedKeys()) {
                    rs.next();
                    id = rs.getLong(1);
                }
            }
            long named = cluster == 0 ? id : cluster;
            if (cluster == 0) {
                try (PreparedStatement ps = c.prepareStatement("UPDATE probe_answers SET cluster_id = ? WHERE id = ?")) {
                    ps.setLong(1, id);
                    ps.setLong(2, id);
                    ps.executeUpdate();
                }
            }
            return new Row(id, tenant, named, signature);
        });
    }

    @Override
    public double putIfAbsent(long cluster, String test, double value) {
        for (int attempt = 1; ; attempt++) {
            try {
                return db.tx(c -> {
                    try (PreparedStatement ps = c.prepareStatement(db.dialect().insertIfAbsent("probe_values",
                            "cluster_id, test_id", "cluster_id", "test_id", "log10_p"))) {
                        ps.setLong(1, cluster);
                        ps.setString(2, test);
                        ps.setDouble(3, value);
                        ps.executeUpdate();
                    }
                    Double v = read(c, cluster, test);
                    return v == null ? value : v;
                });
            } catch (Database.StoreException e) {
                // two instances recording the first value of a test at once: the loser reads the winner's
                if (attempt >= 3 || !RETRY.contains(String.valueOf(e.sqlState()))) {
                    throw e;
                }
            }
        }
    }

    @Override
    public Double get(long cluster, String test) {
        return db.with(c -> read(c, cluster, test));
    }

    private static Double read(Connection c, long cluster, String test) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT log10_p FROM probe_values WHERE cluster_id = ? "
                + "AND test_id = ?")) {
            ps.setLong(1, cluster);
            ps.setString(2, test);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getDouble(1) : null;
            }
        }
    }

    @Override
    public long[] hit(String tokenId, long n) {
        for (int attempt = 1; ; attempt++) {
            try {
                return db.tx(c -> {
                    try (PreparedStatement ps = c.prepareStatement(db.dialect().insertIfAbsent("probe_hits",
                            "token_id", "token_id", "hits"))) {
                        ps.setString(1, tokenId);
                        ps.setLong(2, 0);
                        ps.executeUpdate();
                    }
                    long before;
                    try (PreparedStatement ps = c.prepareStatement("SELECT hits FROM probe_hits WHERE token_id = ? "
                            + "FOR UPDATE")) {
                        ps.setString(1, tokenId);
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            before = rs.getLong(1);
                        }
                    }
                    try (PreparedStatement ps = c.prepareStatement("UPDATE probe_hits SET hits = ? WHERE token_id = ?")) {
                        ps.setLong(1, before + n);
                        ps.setString(2, tokenId);
                        ps.executeUpdate();
                    }
                    return new long[] {before, before + n};
                });
            } catch (Database.StoreException e) {
                if (attempt >= 3 || !RETRY.contains(String.valueOf(e.sqlState()))) {
                    throw e;
                }
            }
        }
    }

    @Override
    public void prune(String tenant, int keep) {
        db.tx(c -> {
            Long cut = null;
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM probe_answers WHERE tenant = ? "
                    + "ORDER BY id DESC LIMIT 1 OFFSET ?")) {
                ps.setString(1, tenant);
                ps.setInt(2, keep);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        cut = rs.getLong(1);
                    }
                }
            }
            if (cut == null) {
                return null;
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM probe_answers WHERE tenant = ? AND id <= ?")) {
                ps.setString(1, tenant);
                ps.setLong(2, cut);
                ps.executeUpdate();
            }
            try (Statement st = c.createStatement()) {
                st.executeUpdate("DELETE FROM probe_values v WHERE NOT EXISTS (SELECT 1 FROM probe_answers a "
                        + "WHERE a.cluster_id = v.cluster_id)");
            }
            return null;
        });
    }

    static byte[] encode(long[] sig) {
        ByteBuffer b = ByteBuffer.allocate(sig.length * Long.BYTES);
        for (long x : sig) {
            b.putLong(x);
        }
        return b.array();
    }

    static long[] decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        long[] out = new long[bytes.length / Long.BYTES];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.getLong();
        }
        return out;
    }
}

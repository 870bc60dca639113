package dev.hallmark.service.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Table {@code usage_daily}: each subject's row of the day locked with {@code SELECT ... FOR UPDATE}
 * (created first if missing, never overwriting a concurrent creator's), in name order so that two
 * charges of the same token and tenant cannot deadlock; the decided amounts added; commit. As for
 * the rate buckets, the commit does not wait for the disk on PostgreSQL (a server crash may forget
 * the last moments of use).
 */
final class SqlUsageStore implements UsageStore {

    // unique violation, serialization failure, H2's "concurrent update"
    private static final Set<String> RETRY = Set.of("23505", "40001", "90131");

    private final Database db;

    SqlUsageStore(Database db) {
        this.db = db;
    }

    @Override
    public Totals get(String subject, LocalDate day) {
        return db.with(c -> {
            Totals t = read(c, subject, day, false);
            return t == null ? new Totals(0, 0) : t;
        });
    }

    private static Totals read(Connection c, String subject, LocalDate day, boolean lock) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT documents, tokens FROM usage_daily WHERE subject = ? "
                + "AND usage_day = ?" + (lock ? " FOR UPDATE" : ""))) {
            ps.setString(1, subject);
            ps.setObject(2, day);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Totals(rs.getLong(1), rs.getLong(2)) : null;
            }
        }
    }

    @Override
    public void update(List<String> subjects, LocalDate day, Function<List<Totals>, Totals> decide) {
        for (int attempt = 1; ; attempt++) {
            try {
                db.tx(c -> {
                    String relaxed = db.dialect().relaxedCommit();
                    if (relaxed != null) {
                        try (java.sql.Statement st = c.createStatement()) {
                            st.execute(relaxed);
                        }
                    }
                    TreeMap<String, Totals> locked = new TreeMap<>();
                    for (String s : subjects) {
                        locked.put(s, null);
                    }
                    for (String s : locked.keySet()) {
                        Totals t = read(c, s, day, true);
                        if (t == null) {
                            try (PreparedStatement ps = c.prepareStatement(db.dialect().insertIfAbsent("usage_daily",
                                    "subject, usage_day", "subject", "usage_day", "documents", "tokens"))) {
                                ps.setString(1, s);
                                ps.setObject(2, day);
                                ps.setLong(3, 0);
                                ps.setLong(4, 0);
                                ps.executeUpdate();
                            }
                            t = read(c, s, day, true);
                        }
                        locked.put(s, t);
                    }
                    List<Totals> seen = new ArrayList<>(subjects.size());
                    for (String s : subjects) {
                        seen.add(locked.get(s));
                    }
                    Totals add = decide.apply(seen);
                    if (add.documents() != 0 || add.tokens() != 0) {
                        for (String s : locked.keySet()) {
                            try (PreparedStatement ps = c.prepareStatement("UPDATE usage_daily SET documents = "
                                    + "GREATEST(0, documents + ?), tokens = GREATEST(0, tokens + ?) WHERE subject = ? "
                                    + "AND usage_day = ?")) {
                                ps.setLong(1, add.documents());
                                ps.setLong(2, add.tokens());
                                ps.setString(3, s);
                                ps.setObject(4, day);
                                ps.executeUpdate();
                            }
                        }
                    }
                    return null;
                });
                return;
            } catch (Database.StoreException e) {
                // H2: two first charges of a subject both inserting its row, or H2's concurrent-update refusal
                if (attempt >= 3 || !RETRY.contains(String.valueOf(e.sqlState()))) {
                    throw e;
                }
            }
        }
    }
}

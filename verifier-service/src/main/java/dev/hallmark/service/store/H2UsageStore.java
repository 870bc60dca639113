package dev.hallmark.service.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.LocalDate;

/** Daily use in table {@code usage_daily} of the embedded database. */
final class H2UsageStore implements UsageStore {

    private final Database db;

    H2UsageStore(Database db) {
        this.db = db;
    }

    @Override
    public Totals get(String subject, LocalDate day) {
        return db.with(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT documents, tokens FROM usage_daily WHERE subject = ? AND usage_day = ?")) {
                ps.setString(1, subject);
                ps.setObject(2, day);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? new Totals(rs.getLong(1), rs.getLong(2)) : new Totals(0, 0);
                }
            }
        });
    }

    @Override
    public void add(String subject, LocalDate day, long documents, long tokens) {
        db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE usage_daily SET documents = GREATEST(0, documents + ?), "
                    + "tokens = GREATEST(0, tokens + ?) WHERE subject = ? AND usage_day = ?")) {
                ps.setLong(1, documents);
                ps.setLong(2, tokens);
                ps.setString(3, subject);
                ps.setObject(4, day);
                if (ps.executeUpdate() == 1) {
                    return 1;
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO usage_daily(subject, usage_day, documents, tokens) VALUES (?, ?, ?, ?)")) {
                ps.setString(1, subject);
                ps.setObject(2, day);
                ps.setLong(3, Math.max(0, documents));
                ps.setLong(4, Math.max(0, tokens));
                return ps.executeUpdate();
            }
        });
    }
}

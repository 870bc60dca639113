package dev.hallmark.service.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** The audit log in table {@code audit_log}. */
final class SqlAuditLog implements AuditLog {

    private final Database db;

    SqlAuditLog(Database db) {
        this.db = db;
    }

    @Override
    public void append(String tokenId, String tenant, String action, String target, String detail) {
        db.with(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO audit_log(at, token_id, tenant, action, target, detail) VALUES (?, ?, ?, ?, ?, ?)")) {
                ps.setObject(1, Instant.now().atOffset(ZoneOffset.UTC));
                ps.setString(2, tokenId);
                ps.setString(3, tenant);
                ps.setString(4, action);
                ps.setString(5, target);
                ps.setString(6, detail == null ? null
                        : detail.length() > MAX_DETAIL_CHARS ? detail.substring(0, MAX_DETAIL_CHARS) : detail);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public List<Entry> latest(int limit) {
        return db.with(c -> {
            List<Entry> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, at, token_id, tenant, action, target, detail "
                    + "FROM audit_log ORDER BY id DESC LIMIT ?")) {
                ps.setInt(1, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Entry(rs.getLong(1), rs.getObject(2, OffsetDateTime.class).toInstant(),
                                rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7)));
                    }
                }
            }
            return out;
        });
    }
}

package dev.hallmark.service.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** Table {@code api_tokens}. */
final class SqlTokenRecords implements TokenRecords {

    private final Database db;

    SqlTokenRecords(Database db) {
        this.db = db;
    }

    @Override
    public void insert(ApiTokens.Principal p, String tokenSha256) {
        db.with(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO api_tokens(id, tenant, role, label, token_sha256, created_at) VALUES (?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, p.tokenId());
                ps.setString(2, p.tenant());
                ps.setString(3, p.role().text());
                ps.setString(4, p.label());
                ps.setString(5, tokenSha256);
                ps.setObject(6, p.createdAt().atOffset(ZoneOffset.UTC));
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public ApiTokens.Principal active(String tokenSha256) {
        return db.with(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id, tenant, role, label, created_at, revoked_at "
                    + "FROM api_tokens WHERE token_sha256 = ? AND revoked_at IS NULL")) {
                ps.setString(1, tokenSha256);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? row(rs) : null;
                }
            }
        });
    }

    private static ApiTokens.Principal row(ResultSet rs) throws SQLException {
        OffsetDateTime rev = rs.getObject(6, OffsetDateTime.class);
        return new ApiTokens.Principal(rs.getString(1), rs.getString(2), ApiTokens.Role.parse(rs.getString(3)),
                rs.getString(4), rs.getObject(5, OffsetDateTime.class).toInstant(), rev == null ? null : rev.toInstant());
    }

    @Override
    public List<ApiTokens.Principal> list() {
        return db.with(c -> {
            List<ApiTokens.Principal> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, tenant, role, label, created_at, revoked_at FROM api_tokens ORDER BY created_at, id");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(row(rs));
                }
            }
            return out;
        });
    }

    @Override
    public boolean revoke(String id, Instant at) {
        return db.with(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")) {
                ps.setObject(1, at.atOffset(ZoneOffset.UTC));
                ps.setString(2, id);
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public boolean exists(String id) {
        return db.with(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM api_tokens WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    @Override
    public int count() {
        return db.with(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM api_tokens"); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }
}

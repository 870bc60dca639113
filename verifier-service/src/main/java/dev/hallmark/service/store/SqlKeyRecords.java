package dev.hallmark.service.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** Table {@code wm_keys}. */
final class SqlKeyRecords implements KeyRecords {

    private static final String SELECT =
            "SELECT id, kind, scheme, label, parent_id, derivation_path, status, created_at, retired_at, tenant FROM wm_keys";

    private final Database db;

    SqlKeyRecords(Database db) {
        this.db = db;
    }

    @Override
    public void insert(KeyStore.Info info, byte[] sealed) {
        db.with(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO wm_keys(id, kind, scheme, label, parent_id, "
                    + "derivation_path, status, secret_enc, created_at, tenant) VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?, ?)")) {
                ps.setString(1, info.id());
                ps.setString(2, info.kind());
                ps.setString(3, info.scheme());
                ps.setString(4, info.label());
                ps.setString(5, info.parentId());
                ps.setString(6, info.derivationPath());
                ps.setBytes(7, sealed);
                ps.setObject(8, info.createdAt().atOffset(ZoneOffset.UTC));
                ps.setString(9, info.tenant());
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public KeyStore.Info get(String id) {
        return db.with(c -> {
            try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? row(rs) : null;
                }
            }
        });
    }

    @Override
    public List<KeyStore.Info> list() {
        return db.with(c -> {
            List<KeyStore.Info> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(SELECT + " ORDER BY created_at, id"); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(row(rs));
                }
            }
            return out;
        });
    }

    private static KeyStore.Info row(ResultSet rs) throws SQLException {
        OffsetDateTime ret = rs.getObject(9, OffsetDateTime.class);
        return new KeyStore.Info(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getObject(8, OffsetDateTime.class).toInstant(),
                ret == null ? null : ret.toInstant(), rs.getString(10));
    }

    @Override
    public boolean setTenant(String id, String tenant) {
        return update("UPDATE wm_keys SET tenant = ? WHERE id = ?", tenant, id);
    }

    @Override
    public boolean setLabel(String id, String label) {
        return update("UPDATE wm_keys SET label = ? WHERE id = ?", label, id);
    }

    private boolean update(String sql, String value, String id) {
        return db.with(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, value);
                ps.setString(2, id);
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public boolean retire(String id, Instant at) {
        return db.with(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE wm_keys SET status = 'retired', retired_at = COALESCE(retired_at, ?) WHERE id = ?")) {
                ps.setObject(1, at.atOffset(ZoneOffset.UTC));
                ps.setString(2, id);
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public byte[] sealed(String id) {
        return db.with(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT secret_enc FROM wm_keys WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getBytes(1);
                }
            }
        });
    }
}

package dev.hallmark.service.store;

import java.sql.Clob;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/** The scans and reports tables of the embedded database. */
final class H2ScanStore implements ScanStore {

    private final Database db;

    H2ScanStore(Database db) {
        this.db = db;
    }

    private static final String COLS = "id, scan_type, tenant, token_id, name, state, format, compression, field, split, "
            + "alpha, key_ids, upload_file, upload_bytes, created_at, started_at, finished_at, progress_documents, "
            + "progress_tokens, progress_bytes, attempts, error, verdict, scheme, params";

    @Override
    public void insert(Scan s) {
        db.with(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO scans(" + COLS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, 0, 0, 0, 0, NULL, NULL, ?, ?)")) {
                ps.setString(1, s.id());
                ps.setString(2, s.scanType());
                ps.setString(3, s.tenant());
                ps.setString(4, s.tokenId());
                ps.setString(5, s.name());
                ps.setString(6, s.state());
                ps.setString(7, s.format());
                ps.setString(8, s.compression());
                ps.setString(9, s.field());
                ps.setString(10, s.split());
                ps.setDouble(11, s.alpha());
                ps.setString(12, s.keyIds() == null ? null : String.join(",", s.keyIds()));
                ps.setString(13, s.uploadFile());
                ps.setLong(14, s.uploadBytes());
                ps.setObject(15, s.createdAt().atOffset(ZoneOffset.UTC));
                ps.setString(16, s.scheme());
                ps.setString(17, s.params());
                return ps.executeUpdate();
            }
        });
    }

    private static Instant instant(ResultSet rs, int i) throws SQLException {
        OffsetDateTime t = rs.getObject(i, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static Scan row(ResultSet rs) throws SQLException {
        String keys = rs.getString(12);
        return new Scan(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10), rs.getDouble(11),
                keys == null ? null : Arrays.asList(keys.split(",")), rs.getString(13), rs.getLong(14),
                instant(rs, 15), instant(rs, 16), instant(rs, 17), rs.getLong(18), rs.getLong(19), rs.getLong(20),
                rs.getInt(21), rs.getString(22), rs.getString(23), rs.getString(24), rs.getString(25));
    }

    @Override
    public Scan get(String id) {
        return db.with(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLS + " FROM scans WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? row(rs) : null;
                }
            }
        });
    }

    @Override
    public List<Scan> list(String tenant, int limit) {
        return db.with(c -> {
            String sql = "SELECT " + COLS + " FROM scans" + (tenant == null ? "" : " WHERE tenant = ?")
                    + " ORDER BY created_at DESC, id LIMIT ?";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                if (tenant != null) {
                    ps.setString(i++, tenant);
                }
                ps.setInt(i, limit);
                List<Scan> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(row(rs));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public List<Scan> inState(String... states) {
        return db.with(c -> {
            List<Scan> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLS + " FROM scans WHERE state IN ("
                    + String.join(",", Collections.nCopies(states.length, "?")) + ") ORDER BY created_at")) {
                for (int i = 0; i < states.length; i++) {
                    ps.setString(i + 1, states[i]);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(row(rs));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public boolean markRunning(String id) {
        return update("UPDATE scans SET state = 'running', started_at = ?, attempts = attempts + 1, "
                + "progress_documents = 0, progress_tokens = 0, progress_bytes = 0 WHERE id = ?", Instant.now(), id) == 1;
    }

    @Override
    public boolean progress(String id, long docs, long tokens, long bytes) {
        return db.with(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE scans SET progress_documents = ?, "
                    + "progress_tokens = ?, progress_bytes = ? WHERE id = ?")) {
                ps.setLong(1, docs);
                ps.setLong(2, tokens);
                ps.setLong(3, bytes);
                ps.setString(4, id);
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public boolean finish(String id, String reportJson, String verdict) {
        return db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE scans SET state = 'done', finished_at = ?, verdict = ? WHERE id = ?")) {
                ps.setObject(1, Instant.now().atOffset(ZoneOffset.UTC));
                ps.setString(2, verdict);
                ps.setString(3, id);
                if (ps.executeUpdate() != 1) {
                    return false;
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "MERGE INTO reports(scan_id, report_json, created_at) KEY(scan_id) VALUES (?, ?, ?)")) {
                ps.setString(1, id);
                ps.setString(2, reportJson);
                ps.setObject(3, Instant.now().atOffset(ZoneOffset.UTC));
                ps.executeUpdate();
            }
            return true;
        });
    }

    @Override
    public void fail(String id, String reason) {
        update("UPDATE scans SET state = 'failed', finished_at = ?, error = ? WHERE id = ?", Instant.now(),
                reason.length() > 2000 ? reason.substring(0, 2000) : reason, id);
    }

    @Override
    public void requeue(String id, String note) {
        update("UPDATE scans SET state = 'queued', error = ? WHERE id = ?", note, id);
    }

    @Override
    public void release(String id, String note) {
        update("UPDATE scans SET state = 'queued', attempts = GREATEST(0, attempts - 1), error = ? WHERE id = ? "
                + "AND state = 'running'", note, id);
    }

    private int update(String sql, Object... args) {
        return db.with(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) {
                    Object a = args[i];
                    if (a instanceof Instant t) {
                        ps.setObject(i + 1, t.atOffset(ZoneOffset.UTC));
                    } else {
                        ps.setObject(i + 1, a);
                    }
                }
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public String report(String id) {
        return db.with(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT report_json FROM reports WHERE scan_id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return null;
                    }
                    Clob clob = rs.getClob(1);
                    return clob.getSubString(1, (int) clob.length());
                }
            }
        });
    }

    @Override
    public boolean delete(String id) {
        return db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM reports WHERE scan_id = ?")) {
                ps.setString(1, id);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM scans WHERE id = ?")) {
                ps.setString(1, id);
                return ps.executeUpdate() == 1;
            }
        });
    }
}

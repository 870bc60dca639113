package dev.hallmark.service.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The scans and reports tables. */
final class SqlScanStore implements ScanStore {

    // a scan another instance may claim: queued, or running under a lease that has expired
    private static final String CLAIMABLE = "(state = 'queued' OR (state = 'running' AND (lease_expires_at IS NULL "
            + "OR lease_expires_at < CURRENT_TIMESTAMP)))";

    private final Database db;
    private final String owner;

    SqlScanStore(Database db, String owner) {
        this.db = db;
        this.owner = owner;
    }

    @Override
    public String owner() {
        return owner;
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
    public Claim claim(long leaseMillis) {
        List<String[]> candidates = db.with(c -> {
            List<String[]> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, state FROM scans WHERE " + CLAIMABLE
                    + " ORDER BY created_at, id LIMIT 8"); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new String[] {rs.getString(1), rs.getString(2)});
                }
            }
            return out;
        });
        for (String[] cand : candidates) {
            // the same condition again, and the state seen: of two instances racing for a row,
            // the second re-reads it after the first commits and updates nothing
            int n = update("UPDATE scans SET state = 'running', lease_owner = ?, lease_expires_at = "
                    + db.dialect().nowPlusMillis() + ", started_at = ?, attempts = attempts + 1 "
                    + "WHERE id = ? AND state = ? AND " + CLAIMABLE,
                    owner, leaseMillis, Instant.now(), cand[0], cand[1]);
            if (n == 1) {
                return new Claim(get(cand[0]), RUNNING.equals(cand[1]));
            }
        }
        return null;
    }

    @Override
    public boolean renew(String id, long leaseMillis) {
        return update("UPDATE scans SET lease_expires_at = " + db.dialect().nowPlusMillis()
                + " WHERE id = ? AND lease_owner = ? AND state = 'running'", leaseMillis, id, owner) == 1;
    }

    @Override
    public boolean progress(String id, long docs, long tokens, long bytes) {
        return update("UPDATE scans SET progress_documents = ?, progress_tokens = ?, progress_bytes = ? "
                + "WHERE id = ? AND lease_owner = ? AND state = 'running'", docs, tokens, bytes, id, owner) == 1;
    }

    @Override
    public boolean finish(String id, String reportJson, String verdict) {
        return db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE scans SET state = 'done', finished_at = ?, verdict = ?, "
                    + "lease_owner = NULL, lease_expires_at = NULL WHERE id = ? AND lease_owner = ? AND state = 'running'")) {
                ps.setObject(1, Instant.now().atOffset(ZoneOffset.UTC));
                ps.setString(2, verdict);
                ps.setString(3, id);
                ps.setString(4, owner);
                if (ps.executeUpdate() != 1) {
                    return false;
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    db.dialect().upsert("reports", "scan_id", "scan_id", "report_json", "created_at"))) {
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
        // never a scan that has ended: a stalled run that lost its lease must not fail the run that finished it
        update("UPDATE scans SET state = 'failed', finished_at = ?, error = ?, lease_owner = NULL, lease_expires_at = NULL "
                + "WHERE id = ? AND state IN ('queued', 'running') AND (lease_owner IS NULL OR lease_owner = ?)", Instant.now(),
                reason.length() > 2000 ? reason.substring(0, 2000) : reason, id, owner);
    }

    @Override
    public boolean cancel(String id, String reason) {
        return update("UPDATE scans SET state = 'failed', finished_at = ?, error = ?, lease_owner = NULL, "
                + "lease_expires_at = NULL WHERE id = ? AND state IN ('queued', 'running')", Instant.now(),
                reason.length() > 2000 ? reason.substring(0, 2000) : reason, id) > 0;
    }

    @Override
    public void note(String id, String note) {
        update("UPDATE scans SET error = ? WHERE id = ? AND lease_owner = ?",
                note.length() > 2000 ? note.substring(0, 2000) : note, id, owner);
    }

    @Override
    public int releaseAll(String note) {
        return update("UPDATE scans SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL, "
                + "attempts = attempts - 1, error = ? WHERE lease_owner = ? AND state = 'running'", note, owner);
    }

    @Override
    public boolean release(String id, String note) {
        return update("UPDATE scans SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL, "
                + "attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, error = ? "
                + "WHERE id = ? AND lease_owner = ? AND state = 'running'", cut(note), id, owner) == 1;
    }

    private static String cut(String s) {
        return s.length() > 2000 ? s.substring(0, 2000) : s;
    }

    @Override
    public void expireLeases() {
        update("UPDATE scans SET lease_expires_at = NULL WHERE state = 'running'");
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
                    return rs.getString(1);
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

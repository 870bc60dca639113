package dev.hallmark.service;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Clob;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Scan rows and their reports. */
public final class ScanStore {

    /** Scan types: corpus watermark detection now; radioactivity (issue 6) will add another. */
    public static final String TYPE_WATERMARK = "watermark";

    /** Lifecycle: queued -> running -> done | failed. */
    public static final String QUEUED = "queued";
    public static final String RUNNING = "running";
    public static final String DONE = "done";
    public static final String FAILED = "failed";

    /** A scan row. */
    public record Scan(String id, String scanType, String tenant, String tokenId, String name, String state,
            String format, String compression, String field, String split, double alpha, List<String> keyIds,
            String uploadFile, long uploadBytes, Instant createdAt, Instant startedAt, Instant finishedAt,
            long documents, long tokens, long bytes, int attempts, String error, String verdict) {

        public JsonObject toJson() {
            JsonObject o = new JsonObject()
                    .put("id", id)
                    .put("scan_type", scanType)
                    .put("tenant", tenant)
                    .put("name", name)
                    .put("state", state)
                    .put("format", format)
                    .put("compression", compression)
                    .put("alpha", alpha)
                    .put("created_at", createdAt.toString())
                    .put("attempts", attempts);
            if (field != null) {
                o.put("field", field);
            }
            if (split != null) {
                o.put("split", split);
            }
            if (keyIds != null) {
                o.put("key_ids", new JsonArray(new ArrayList<>(keyIds)));
            }
            if (startedAt != null) {
                o.put("started_at", startedAt.toString());
            }
            if (finishedAt != null) {
                o.put("finished_at", finishedAt.toString());
            }
            o.put("progress", new JsonObject()
                    .put("documents", documents)
                    .put("tokens", tokens)
                    .put("bytes", bytes)
                    .put("total_bytes", uploadBytes)
                    .put("fraction", uploadBytes == 0 ? 0.0 : Math.min(1.0, (double) bytes / uploadBytes)));
            if (error != null) {
                o.put("error", error);
            }
            if (verdict != null) {
                o.put("verdict", verdict);
            }
            return o;
        }
    }

    private final Database db;

    public ScanStore(Database db) {
        this.db = db;
    }

    private static final String COLS = "id, scan_type, tenant, token_id, name, state, format, compression, field, split, "
            + "alpha, key_ids, upload_file, upload_bytes, created_at, started_at, finished_at, progress_documents, "
            + "progress_tokens, progress_bytes, attempts, error, verdict";

    public void insert(Scan s) {
        db.with(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO scans(" + COLS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, 0, 0, 0, 0, NULL, NULL)")) {
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
                rs.getInt(21), rs.getString(22), rs.getString(23));
    }

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

    /** Scans of one tenant (or all, for {@code tenant == null}), newest first. */
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

    public List<Scan> inState(String... states) {
        return db.with(c -> {
            List<Scan> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLS + " FROM scans WHERE state IN ("
                    + String.join(",", java.util.Collections.nCopies(states.length, "?")) + ") ORDER BY created_at")) {
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

    /** Marks a scan running and counts the attempt; false if the row is gone (deleted). */
    public boolean markRunning(String id) {
        return update("UPDATE scans SET state = 'running', started_at = ?, attempts = attempts + 1, "
                + "progress_documents = 0, progress_tokens = 0, progress_bytes = 0 WHERE id = ?", Instant.now(), id) == 1;
    }

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

    /** Stores the report and marks the scan done with its verdict, in one transaction. */
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

    public void fail(String id, String reason) {
        update("UPDATE scans SET state = 'failed', finished_at = ?, error = ? WHERE id = ?", Instant.now(),
                reason.length() > 2000 ? reason.substring(0, 2000) : reason, id);
    }

    /** Puts an interrupted scan back in the queue (its progress restarts from zero). */
    public void requeue(String id, String note) {
        update("UPDATE scans SET state = 'queued', error = ? WHERE id = ?", note, id);
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

    /** Deletes the scan and its report; false if there was none. */
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

package dev.hallmark.service;

import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.Scheme;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Registered watermark keys, each with the scheme it is used with. Secrets are sealed with
 * {@link SecretBox} (AES-256-GCM, associated data = key id) before they reach the database, and
 * no method returns them: callers get {@link KeyedScheme}s for detection and {@link Info} for display.
 */
public final class KeyStore {

    /** Public metadata of a key: safe to show and log. */
    public record Info(String id, String scheme, String label, String parentId, String derivationPath,
            String status, Instant createdAt, Instant retiredAt) {

        public boolean active() {
            return "active".equals(status);
        }

        public JsonObject toJson() {
            JsonObject o = new JsonObject()
                    .put("id", id)
                    .put("scheme", scheme)
                    .put("label", label)
                    .put("status", status)
                    .put("created_at", createdAt.toString());
            if (parentId != null) {
                o.put("parent_id", parentId).put("derivation_path", derivationPath);
            }
            if (retiredAt != null) {
                o.put("retired_at", retiredAt.toString());
            }
            return o;
        }
    }

    private final Database db;
    private final SecretBox box;
    private final SecureRandom random;
    // decrypted keyed schemes, by key id: detection must not decrypt per request
    private final Map<String, KeyedScheme> cache = new ConcurrentHashMap<>();

    public KeyStore(Database db, SecretBox box, SecureRandom random) {
        this.db = db;
        this.box = box;
        this.random = random;
    }

    static Scheme parseScheme(String spec) {
        if (spec == null || spec.isBlank()) {
            throw Problem.invalid("'scheme' is required, e.g. 'kgw:gamma=0.25,delta=2,context=1,seeding=lefthash'");
        }
        try {
            return Scheme.parse(spec);
        } catch (IllegalArgumentException e) {
            throw Problem.invalid("'scheme': " + e.getMessage());
        }
    }

    /** Registers a new key: generated here, or imported from {@code secret} (32 bytes). */
    public Info register(String schemeSpec, String label, byte[] secret) {
        Scheme scheme = parseScheme(schemeSpec);
        checkLabel(label);
        WatermarkKey key = secret == null ? WatermarkKey.generate(random) : WatermarkKey.fromSecret(secret);
        return insert(key, scheme, label);
    }

    /** Derives and registers the child key of {@code parentId} for {@code path} (same scheme unless given). */
    public Info derive(String parentId, String path, String schemeSpec, String label) {
        Info parent = get(parentId);
        if (parent == null) {
            throw Problem.notFound("no key with id '" + parentId + "'");
        }
        Scheme scheme = schemeSpec == null ? Scheme.parse(parent.scheme()) : parseScheme(schemeSpec);
        checkLabel(label);
        WatermarkKey master = secretKey(parent);
        WatermarkKey child;
        try {
            child = master.derive(path);
        } catch (IllegalArgumentException e) {
            throw Problem.invalid("'path': " + e.getMessage());
        }
        return insert(child, scheme, label);
    }

    private static void checkLabel(String label) {
        if (label == null || label.isBlank() || label.length() > 200) {
            throw Problem.invalid("'label' must be 1..200 characters");
        }
    }

    private Info insert(WatermarkKey key, Scheme scheme, String label) {
        if (get(key.id()) != null) {
            throw Problem.conflict("key " + key.id() + " is already registered");
        }
        byte[] secret = key.exportSecret();
        byte[] sealed = box.seal(secret, key.id());
        Arrays.fill(secret, (byte) 0);
        Instant now = Instant.now();
        db.with(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO wm_keys(id, scheme, label, parent_id, "
                    + "derivation_path, status, secret_enc, created_at) VALUES (?, ?, ?, ?, ?, 'active', ?, ?)")) {
                ps.setString(1, key.id());
                ps.setString(2, scheme.toString());
                ps.setString(3, label);
                ps.setString(4, key.parentId());
                ps.setString(5, key.derivationPath());
                ps.setBytes(6, sealed);
                ps.setObject(7, now.atOffset(ZoneOffset.UTC));
                return ps.executeUpdate();
            }
        });
        return get(key.id());
    }

    public Info get(String id) {
        return db.with(c -> {
            try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? row(rs) : null;
                }
            }
        });
    }

    private static final String SELECT =
            "SELECT id, scheme, label, parent_id, derivation_path, status, created_at, retired_at FROM wm_keys";

    public List<Info> list() {
        return db.with(c -> {
            List<Info> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(SELECT + " ORDER BY created_at, id"); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(row(rs));
                }
            }
            return out;
        });
    }

    public List<Info> active() {
        return list().stream().filter(Info::active).toList();
    }

    private static Info row(ResultSet rs) throws SQLException {
        OffsetDateTime ret = rs.getObject(8, OffsetDateTime.class);
        return new Info(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getObject(7, OffsetDateTime.class).toInstant(), ret == null ? null : ret.toInstant());
    }

    /** Retires a key: it stays listed, but detection no longer tests it. False if no such key. */
    public boolean retire(String id) {
        cache.remove(id);
        return db.with(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE wm_keys SET status = 'retired', retired_at = COALESCE(retired_at, ?) WHERE id = ?")) {
                ps.setObject(1, Instant.now().atOffset(ZoneOffset.UTC));
                ps.setString(2, id);
                return ps.executeUpdate() == 1;
            }
        });
    }

    private WatermarkKey secretKey(Info info) {
        byte[] sealed = db.with(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT secret_enc FROM wm_keys WHERE id = ?")) {
                ps.setString(1, info.id());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getBytes(1);
                }
            }
        });
        byte[] secret = box.open(sealed, info.id());
        try {
            WatermarkKey k = WatermarkKey.fromSecret(secret);
            if (!k.id().equals(info.id())) {
                throw new IllegalStateException("stored key " + info.id() + " decrypts to a different key id");
            }
            return k;
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    /** The keyed scheme of a registered key (decrypted once, then cached in memory). */
    public KeyedScheme keyed(Info info) {
        return cache.computeIfAbsent(info.id(), id -> KeyedScheme.of(Scheme.parse(info.scheme()), secretKey(info)));
    }

    /**
     * The keys a detection tests: the given ids (each must exist and be active), or all active keys.
     *
     * @throws Problem unknown-key (422) naming the ids, or no-keys (409)
     */
    public List<Info> select(List<String> ids) {
        if (ids == null || ids.isEmpty()) {
            List<Info> a = active();
            if (a.isEmpty()) {
                throw Problem.noKeys();
            }
            return a;
        }
        List<Info> out = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (String id : ids) {
            Info i = get(id);
            if (i == null || !i.active()) {
                unknown.add(id);
            } else if (out.stream().noneMatch(x -> x.id().equals(id))) {
                out.add(i);
            }
        }
        if (!unknown.isEmpty()) {
            throw Problem.unknownKey("no active key with id " + String.join(", ", unknown.stream().map(s -> "'" + s + "'").toList())
                    + " (list keys with GET /v1/keys)").with("key_ids", unknown);
        }
        return out;
    }
}

package dev.hallmark.service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * API tokens: {@code hm_} followed by 256 random bits in Base64url. Only the SHA-256 of a token is
 * stored; the token itself is shown once, when created. A random 256-bit token needs no salt or
 * slow hash: it cannot be guessed, so a stolen hash table gives nothing to brute-force.
 */
public final class ApiTokens {

    /** Roles. Admins manage keys and tokens and see everything; analysts detect and scan within their tenant. */
    public enum Role {
        ADMIN, ANALYST;

        public String text() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Role parse(String s) {
            for (Role r : values()) {
                if (r.text().equals(s)) {
                    return r;
                }
            }
            throw Problem.invalid("role must be 'admin' or 'analyst', got '" + s + "'");
        }
    }

    /** A token's public record (never the token). */
    public record Principal(String tokenId, String tenant, Role role, String label, Instant createdAt, Instant revokedAt) {
        public boolean isAdmin() {
            return role == Role.ADMIN;
        }
    }

    /** A freshly created token: the secret value is shown once. */
    public record Created(Principal principal, String token) {}

    private final Database db;
    private final SecureRandom random;
    // token hash -> principal, for the active tokens; this process is the only writer
    private final java.util.concurrent.ConcurrentHashMap<String, Principal> active = new java.util.concurrent.ConcurrentHashMap<>();

    public ApiTokens(Database db, SecureRandom random) {
        this.db = db;
        this.random = random;
        db.with(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id, tenant, role, label, created_at, revoked_at, "
                    + "token_sha256 FROM api_tokens WHERE revoked_at IS NULL"); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    active.put(rs.getString(7), row(rs));
                }
            }
            return null;
        });
    }

    static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public Created create(String tenant, Role role, String label) {
        validateName(tenant, "tenant");
        if (label == null || label.isBlank() || label.length() > 200) {
            throw Problem.invalid("label must be 1..200 characters");
        }
        byte[] b = new byte[32];
        random.nextBytes(b);
        String token = "hm_" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        byte[] idb = new byte[9];
        random.nextBytes(idb);
        String id = "tok_" + Base64.getUrlEncoder().withoutPadding().encodeToString(idb);
        Instant now = Instant.now();
        db.with(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO api_tokens(id, tenant, role, label, token_sha256, created_at) VALUES (?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, id);
                ps.setString(2, tenant);
                ps.setString(3, role.text());
                ps.setString(4, label);
                ps.setString(5, sha256(token));
                ps.setObject(6, now.atOffset(ZoneOffset.UTC));
                return ps.executeUpdate();
            }
        });
        Principal p = new Principal(id, tenant, role, label, now, null);
        active.put(sha256(token), p);
        return new Created(p, token);
    }

    static void validateName(String s, String what) {
        if (s == null || !s.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
            throw Problem.invalid(what + " must be 1..100 characters of letters, digits, '.', '_' or '-', got '"
                    + (s == null ? "null" : s.length() > 50 ? s.substring(0, 50) + "..." : s) + "'");
        }
    }

    /**
     * The principal of a presented token, or {@code null} if unknown or revoked. Non-blocking: the
     * hashes of active tokens are held in memory (looked up by hash, so the comparison does not
     * leak the token through timing).
     */
    public Principal authenticate(String token) {
        if (token == null || token.length() > 200) {
            return null;
        }
        return active.get(sha256(token));
    }

    private static Principal row(ResultSet rs) throws SQLException {
        OffsetDateTime rev = rs.getObject(6, OffsetDateTime.class);
        return new Principal(rs.getString(1), rs.getString(2), Role.parse(rs.getString(3)), rs.getString(4),
                rs.getObject(5, OffsetDateTime.class).toInstant(), rev == null ? null : rev.toInstant());
    }

    public List<Principal> list() {
        return db.with(c -> {
            List<Principal> out = new ArrayList<>();
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

    /** Revokes a token; returns false if there is no such token. */
    public boolean revoke(String id) {
        return db.with(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")) {
                ps.setObject(1, Instant.now().atOffset(ZoneOffset.UTC));
                ps.setString(2, id);
                if (ps.executeUpdate() == 1) {
                    active.values().removeIf(p -> p.tokenId().equals(id));
                    return true;
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM api_tokens WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    public int count() {
        return db.with(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM api_tokens"); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }

    /** Public JSON of a principal. */
    public static io.vertx.core.json.JsonObject json(Principal p) {
        io.vertx.core.json.JsonObject o = new io.vertx.core.json.JsonObject()
                .put("id", p.tokenId())
                .put("tenant", p.tenant())
                .put("role", p.role().text())
                .put("label", p.label())
                .put("created_at", p.createdAt().toString());
        if (p.revokedAt() != null) {
            o.put("revoked_at", p.revokedAt().toString());
        }
        return o;
    }
}

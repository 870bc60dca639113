package dev.hallmark.service.store;

import dev.hallmark.service.Problem;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
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

    private final TokenRecords records;
    private final SecureRandom random;

    ApiTokens(TokenRecords records, SecureRandom random) {
        this.records = records;
        this.random = random;
    }

    static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Creates a token for {@code tenant} with {@code role}; its value is in the result and nowhere else. */
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
        Principal p = new Principal(id, tenant, role, label, now, null);
        records.insert(p, sha256(token));
        return new Created(p, token);
    }

    static void validateName(String s, String what) {
        if (s == null || !s.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
            throw Problem.invalid(what + " must be 1..100 characters of letters, digits, '.', '_' or '-', got '"
                    + (s == null ? "null" : s.length() > 50 ? s.substring(0, 50) + "..." : s) + "'");
        }
    }

    /**
     * The principal of a presented token, or {@code null} if unknown or revoked. Looked up in the
     * store by the token's SHA-256 (so the lookup does not leak the token through timing), every
     * time: a token revoked on one instance is refused by every other at once. Blocking.
     */
    public Principal authenticate(String token) {
        if (token == null || token.length() > 200) {
            return null;
        }
        return records.active(sha256(token));
    }

    /** Whether the token with this id is (or was) an admin token; false for an unknown id. Blocking. */
    public boolean isAdmin(String id) {
        return id != null && list().stream().anyMatch(p -> p.tokenId().equals(id) && p.isAdmin());
    }

    /** Every token, oldest first (the public records; token values are never stored). */
    public List<Principal> list() {
        return records.list();
    }

    /** Revokes a token; returns false if there is no such token. */
    public boolean revoke(String id) {
        if (records.revoke(id, Instant.now())) {
            return true;
        }
        return records.exists(id);
    }

    /** How many tokens exist (revoked or not). */
    public int count() {
        return records.count();
    }
}

package dev.hallmark.key;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Objects;
import org.apache.commons.codec.binary.Hex;
import org.apache.commons.codec.digest.Blake3;

/**
 * A watermark key: a 256-bit secret and its public key id (fingerprint).
 *
 * <p>The secret never leaves this object except through {@link #subkey(String, int)} (one-way
 * derived material for a named purpose) and the key-file writer. {@link #toString()}, exception
 * messages and logs show only the id.
 *
 * <h2>Derivations (all BLAKE3 in derive-key mode, Commons Codec {@link Blake3})</h2>
 * <ul>
 *   <li>key id: {@code "hk-" + hex(first 10 bytes of derive_key("hallmark 2026-11 key id v1", secret))}
 *   <li>child key for an account path {@code p}: secret' =
 *       {@code derive_key("hallmark 2026-11 child key v1", secret || 0x00 || utf8(p))}, 32 bytes.
 *       Deterministic: the same master and path always give the same child.
 *   <li>subkey for a purpose {@code u} (e.g. the PRF key of a scheme):
 *       {@code derive_key("hallmark 2026-11 subkey v1", secret || 0x00 || utf8(u))}.
 * </ul>
 * Derive-key mode is BLAKE3's KDF: distinct context strings give independent functions, and
 * the outputs reveal nothing usable about the input secret.
 */
public final class WatermarkKey {

    /** Length of the secret in bytes (256 bits). */
    public static final int SECRET_BYTES = 32;

    private static final String ID_CONTEXT = "hallmark 2026-11 key id v1";
    private static final String CHILD_CONTEXT = "hallmark 2026-11 child key v1";
    private static final String SUBKEY_CONTEXT = "hallmark 2026-11 subkey v1";

    private final byte[] secret;
    private final String id;
    private final String parentId;
    private final String derivationPath;

    private WatermarkKey(byte[] secret, String parentId, String derivationPath) {
        this.secret = secret;
        this.id = "hk-" + Hex.encodeHexString(derive(ID_CONTEXT, secret, null, 10));
        this.parentId = parentId;
        this.derivationPath = derivationPath;
    }

    /** A fresh random key from the given source (use {@link SecureRandom} for real keys). */
    public static WatermarkKey generate(SecureRandom random) {
        Objects.requireNonNull(random, "random");
        byte[] s = new byte[SECRET_BYTES];
        random.nextBytes(s);
        return new WatermarkKey(s, null, null);
    }

    /** A key from an existing 32-byte secret (the array is copied). */
    public static WatermarkKey fromSecret(byte[] secret) {
        return fromSecret(secret, null, null);
    }

    static WatermarkKey fromSecret(byte[] secret, String parentId, String derivationPath) {
        Objects.requireNonNull(secret, "secret");
        if (secret.length != SECRET_BYTES) {
            throw new IllegalArgumentException(
                    "a watermark key secret must be " + SECRET_BYTES + " bytes, got " + secret.length);
        }
        return new WatermarkKey(secret.clone(), parentId, derivationPath);
    }

    /**
     * Derives the child key for an account or customer path such as {@code "account/123"}.
     * Paths are case-sensitive UTF-8 strings, non-empty, without control characters.
     */
    public WatermarkKey derive(String path) {
        validatePath(path);
        byte[] child = derive(CHILD_CONTEXT, secret, path, SECRET_BYTES);
        String fullPath = derivationPath == null ? path : derivationPath + "/" + path;
        return new WatermarkKey(child, parentId == null ? id : parentId, fullPath);
    }

    static void validatePath(String path) {
        if (path == null || path.isEmpty()) {
            throw new IllegalArgumentException("derivation path must not be empty");
        }
        for (int i = 0; i < path.length(); i++) {
            if (Character.isISOControl(path.charAt(i))) {
                throw new IllegalArgumentException("derivation path contains a control character at index " + i);
            }
        }
    }

    /**
     * One-way key material for a named purpose. Different purposes give independent subkeys;
     * the secret cannot be recovered from them.
     *
     * @param purpose a fixed, versioned label such as {@code "prf/kgw/v1"}
     * @param length number of bytes wanted (1..64)
     */
    public byte[] subkey(String purpose, int length) {
        Objects.requireNonNull(purpose, "purpose");
        if (length < 1 || length > 64) {
            throw new IllegalArgumentException("subkey length must be 1..64 bytes, got " + length);
        }
        return derive(SUBKEY_CONTEXT, secret, purpose, length);
    }

    private static byte[] derive(String context, byte[] secret, String label, int length) {
        Blake3 kdf = Blake3.initKeyDerivationFunction(context.getBytes(StandardCharsets.UTF_8));
        kdf.update(secret);
        if (label != null) {
            kdf.update(new byte[] {0});
            kdf.update(label.getBytes(StandardCharsets.UTF_8));
        }
        return kdf.doFinalize(length);
    }

    /** The public key id, e.g. {@code hk-3f2a...}: safe to show, log and store. */
    public String id() {
        return id;
    }

    /** Id of the master key this key was derived from, or {@code null} for a master key. */
    public String parentId() {
        return parentId;
    }

    /** Derivation path from the master key (e.g. {@code account/123}), or {@code null}. */
    public String derivationPath() {
        return derivationPath;
    }

    /** Copy of the secret for storage layers outside this package (e.g. an encrypted key store). */
    public byte[] exportSecret() {
        return secret.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WatermarkKey k && MessageDigest.isEqual(secret, k.secret);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    /** Shows the id and derivation, never the secret. */
    @Override
    public String toString() {
        return "WatermarkKey[id=" + id
                + (derivationPath == null ? "" : ", parent=" + parentId + ", path=" + derivationPath) + "]";
    }
}

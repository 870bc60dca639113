package dev.hallmark.service.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encryption at rest for watermark key secrets: AES-256-GCM under a master key.
 *
 * <p>Sealed form: {@code version byte (1) || 12-byte random nonce || ciphertext || 16-byte tag}.
 * The associated data is the row's key id, so a ciphertext moved to another row fails to open.
 *
 * <p>The master key is 32 random bytes, Base64 in the environment variable
 * {@value #MASTER_KEY_ENV} if set, else in {@code <data-dir>/master.key}, created at first start
 * with mode 0600. Losing it loses every stored watermark key; anyone holding it and the
 * database can read them (see docs/threat-model.md).
 */
public final class SecretBox {

    /** Environment variable with a Base64 master key (overrides the file). */
    public static final String MASTER_KEY_ENV = "HALLMARK_MASTER_KEY";

    private static final byte VERSION = 1;
    private static final int NONCE = 12;
    private static final int TAG_BITS = 128;

    private final SecretKeySpec key;
    private final SecureRandom random;
    private final String source;

    private SecretBox(byte[] master, SecureRandom random, String source) {
        if (master.length != 32) {
            throw new IllegalArgumentException("master key must be 32 bytes, got " + master.length);
        }
        this.key = new SecretKeySpec(master, "AES");
        this.random = random;
        this.source = source;
    }

    /** A box with an explicit master key (tests). */
    static SecretBox of(byte[] master, SecureRandom random) {
        return new SecretBox(master.clone(), random, "given");
    }

    /** Loads the master key from the environment or the data directory, creating the file if needed. */
    static SecretBox load(Path dataDir, SecureRandom random) throws IOException {
        String env = System.getenv(MASTER_KEY_ENV);
        if (env != null && !env.isBlank()) {
            byte[] k;
            try {
                k = Base64.getDecoder().decode(env.trim());
            } catch (IllegalArgumentException e) {
                throw new IOException(MASTER_KEY_ENV + " is not Base64");
            }
            if (k.length != 32) {
                throw new IOException(MASTER_KEY_ENV + " must hold 32 bytes (Base64), got " + k.length);
            }
            return new SecretBox(k, random, "environment variable " + MASTER_KEY_ENV);
        }
        Path file = dataDir.resolve("master.key");
        if (!Files.exists(file)) {
            createMasterKey(file, random);
        }
        byte[] k;
        try {
            k = Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).trim());
        } catch (IllegalArgumentException e) {
            throw new IOException("master key file " + file + " is not Base64 (corrupt?)");
        }
        if (k.length != 32) {
            throw new IOException("master key file " + file + " must hold 32 bytes, got " + k.length);
        }
        return new SecretBox(k, random, file.toString());
    }

    /**
     * Writes a new random master key to {@code file}, complete or not at all: written to a
     * temporary file first, then linked into place, which fails if the file exists. Of several
     * instances starting at once on one shared data directory, one key wins and all read it.
     */
    private static void createMasterKey(Path file, SecureRandom random) throws IOException {
        byte[] k = new byte[32];
        random.nextBytes(k);
        Path tmp = file.resolveSibling("master.key." + Long.toUnsignedString(random.nextLong(), 36) + ".tmp");
        try {
            writePrivate(tmp, Base64.getEncoder().encodeToString(k) + "\n");
            try {
                try {
                    Files.createLink(file, tmp);
                } catch (UnsupportedOperationException e) {
                    Files.move(tmp, file); // no hard links here: fails too if the file appeared meanwhile
                }
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // another instance created it first: use theirs
            }
        } finally {
            Arrays.fill(k, (byte) 0);
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Writes a new file readable only by its owner: created 0600 (and set to 0600 again, whatever the
     * umask took away) before any content is written; a missing parent directory is created 0700.
     */
    public static void writePrivate(Path file, String content) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(parent)) {
            ScanFiles.privateDirectory(parent);
        }
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
        ScanFiles.restrict(file, ScanFiles.FILE);
        Files.writeString(file, content, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
    }

    /** Where the master key came from (for the start-up message; never the key). */
    public String source() {
        return source;
    }

    byte[] seal(byte[] plaintext, String associated) {
        byte[] nonce = new byte[NONCE];
        random.nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(associated.getBytes(StandardCharsets.UTF_8));
            byte[] ct = c.doFinal(plaintext);
            byte[] out = new byte[1 + NONCE + ct.length];
            out[0] = VERSION;
            System.arraycopy(nonce, 0, out, 1, NONCE);
            System.arraycopy(ct, 0, out, 1 + NONCE, ct.length);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    /**
     * @throws IllegalStateException if the sealed bytes were altered, belong to another row, or were
     *     sealed under another master key
     */
    byte[] open(byte[] sealed, String associated) {
        if (sealed.length < 1 + NONCE + TAG_BITS / 8 || sealed[0] != VERSION) {
            throw new IllegalStateException("sealed secret has an unknown format");
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 1, NONCE));
            c.updateAAD(associated.getBytes(StandardCharsets.UTF_8));
            return c.doFinal(sealed, 1 + NONCE, sealed.length - 1 - NONCE);
        } catch (javax.crypto.AEADBadTagException e) {
            throw new IllegalStateException("cannot decrypt the secret of " + associated
                    + ": wrong master key or tampered database");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }
}

package dev.hallmark.service.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.service.TestSupport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sealing key secrets at rest, and the master key file. */
class SecretBoxTest {

    @TempDir
    Path dir;

    @Test
    void sealedSecretsOpenOnlyWithTheSameKeyAndRow() {
        SecureRandom r = new SecureRandom();
        byte[] master = new byte[32];
        r.nextBytes(master);
        SecretBox box = SecretBox.of(master, r);
        byte[] secret = TestSupport.secret("sealed");
        byte[] sealed = box.seal(secret, "hk-1");
        assertEquals(1 + 12 + 32 + 16, sealed.length, "version, nonce, ciphertext, tag");
        assertArrayEquals(secret, box.open(sealed, "hk-1"));
        assertTrue(assertThrows(IllegalStateException.class, () -> box.open(sealed, "hk-2")).getMessage()
                .contains("wrong master key or tampered database"), "bound to its row");
        byte[] tampered = sealed.clone();
        tampered[20] ^= 1;
        assertThrows(IllegalStateException.class, () -> box.open(tampered, "hk-1"));
        byte[] other = master.clone();
        other[0] ^= 1;
        assertThrows(IllegalStateException.class, () -> SecretBox.of(other, r).open(sealed, "hk-1"));
        assertTrue(!java.util.Arrays.equals(sealed, box.seal(secret, "hk-1")), "fresh nonce per seal");
    }

    @Test
    void masterKeyFileIsCreatedPrivate() throws IOException {
        SecretBox.load(dir, new SecureRandom());
        Path f = dir.resolve("master.key");
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        byte[] before = Files.readAllBytes(f);
        SecretBox.load(dir, new SecureRandom());
        assertArrayEquals(before, Files.readAllBytes(f), "kept across starts");
    }
}

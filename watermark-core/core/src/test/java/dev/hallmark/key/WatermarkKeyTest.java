package dev.hallmark.key;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.testing.TestKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WatermarkKeyTest {

    @TempDir
    Path tmp;

    @Test
    void toStringNeverShowsTheSecret() {
        WatermarkKey k = TestKeys.key(7);
        String b64 = Base64.getEncoder().encodeToString(k.exportSecret());
        String hex = org.apache.commons.codec.binary.Hex.encodeHexString(k.exportSecret());
        for (String s : new String[] {k.toString(), k.derive("account/1").toString()}) {
            assertFalse(s.contains(b64), s);
            assertFalse(s.contains(hex), s);
            assertFalse(s.contains(hex.substring(0, 16)), s);
            assertTrue(s.contains("hk-"), s);
        }
    }

    @Test
    void idIsAFingerprintOfTheSecret() {
        WatermarkKey a = TestKeys.key(1);
        assertEquals(a.id(), WatermarkKey.fromSecret(a.exportSecret()).id());
        assertNotEquals(a.id(), TestKeys.key(2).id());
        assertTrue(a.id().matches("hk-[0-9a-f]{20}"), a.id());
    }

    @Test
    void childDerivationIsDeterministicAndIndependent() {
        WatermarkKey master = TestKeys.key(3);
        WatermarkKey c1 = master.derive("account/123");
        WatermarkKey c1again = WatermarkKey.fromSecret(master.exportSecret()).derive("account/123");
        assertEquals(c1, c1again);
        assertEquals(c1.id(), c1again.id());
        assertNotEquals(c1.id(), master.derive("account/124").id());
        assertNotEquals(c1.id(), master.id());
        assertEquals(master.id(), c1.parentId());
        assertEquals("account/123", c1.derivationPath());
        WatermarkKey grandchild = c1.derive("session/9");
        assertEquals(master.id(), grandchild.parentId());
        assertEquals("account/123/session/9", grandchild.derivationPath());
    }

    /** Pinned so that a change to the derivation (which would orphan every deployed key) fails loudly. */
    @Test
    void derivationIsPinned() {
        WatermarkKey master = WatermarkKey.fromSecret(new byte[32]);
        assertEquals(master.id(), WatermarkKey.fromSecret(new byte[32]).id());
        // values computed by this implementation on 2026-11-23 and frozen
        assertEquals(PINNED_MASTER_ID, master.id());
        assertEquals(PINNED_CHILD_ID, master.derive("account/123").id());
    }

    static final String PINNED_MASTER_ID = "hk-b53f77f6c70d0af81db7";
    static final String PINNED_CHILD_ID = "hk-3d7f3a32672a8844b35b";

    @Test
    void badPathsAreRejected() {
        WatermarkKey k = TestKeys.key(1);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> k.derive("")).getMessage().contains("empty"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> k.derive("a\nb")).getMessage()
                .contains("control character"));
    }

    @Test
    void secretMustBe32Bytes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WatermarkKey.fromSecret(new byte[16]));
        assertTrue(e.getMessage().contains("32 bytes"), e.getMessage());
    }

    @Test
    void keyFileRoundTrip() throws IOException {
        WatermarkKey master = WatermarkKey.generate(new SecureRandom());
        WatermarkKey child = master.derive("account/42");
        Path f = tmp.resolve("k.json");
        KeyFile.write(f, child, false);
        WatermarkKey back = KeyFile.read(f);
        assertEquals(child, back);
        assertEquals(child.id(), back.id());
        assertEquals(child.parentId(), back.parentId());
        assertEquals("account/42", back.derivationPath());
        assertThrows(KeyFileException.class, () -> KeyFile.write(f, master, false));
    }

    @Test
    void corruptOrWrongVersionFilesGiveClearErrors() throws IOException {
        WatermarkKey k = TestKeys.key(5);
        String good = KeyFile.toJson(k, Instant.parse("2026-11-23T00:00:00Z"));
        assertMessage("not valid JSON", "{\"format\": ");
        assertMessage("expected a JSON object", "[1,2]");
        assertMessage("not a Hallmark key file", good.replace("hallmark-key", "something-else"));
        assertMessage("unsupported version 3 (this build reads versions 1 to 2)", good.replace("\"version\" : 1", "\"version\" : 3"));
        assertMessage("unsupported version 0 (this build reads versions 1 to 2)", good.replace("\"version\" : 1", "\"version\" : 0"));
        String withScheme = KeyFile.toJson(k, "kgw", Instant.parse("2026-11-23T00:00:00Z"));
        assertMessage("'scheme' must be a scheme spec", withScheme.replace("\"kgw\"", "17"));
        assertMessage("'scheme' must be a scheme spec", withScheme.replace("\"kgw\"", "\" \""));
        assertMessage("missing or non-string 'secret'", good.replaceAll("\"secret\" : \"[^\"]*\",", ""));
        assertMessage("key id mismatch", good.replace(k.id(), TestKeys.key(6).id()));
        // flip one character of the secret: the id check catches it
        String secret = Base64.getEncoder().encodeToString(k.exportSecret());
        char c = secret.charAt(3) == 'A' ? 'B' : 'A';
        assertMessage("key id mismatch", good.replace(secret, secret.substring(0, 3) + c + secret.substring(4)));
        assertMessage("secret is 16 bytes", good.replace(secret, Base64.getEncoder().encodeToString(new byte[16])));
        KeyFileException missing = assertThrows(KeyFileException.class, () -> KeyFile.read(tmp.resolve("nope.json")));
        assertTrue(missing.getMessage().contains("no such file"));
    }

    @Test
    void aDefaultSchemeIsVersion2AndAKeyWithoutOneStaysVersion1() throws IOException {
        WatermarkKey k = TestKeys.key(7).derive("account/9");
        Path f = tmp.resolve("s.json");
        KeyFile.write(f, k, "gumbel:context=4", false);
        assertTrue(Files.readString(f).contains("\"version\" : 2"), Files.readString(f));
        KeyFile.Contents c = KeyFile.load(f);
        assertEquals(k, c.key());
        assertEquals("account/9", c.key().derivationPath());
        assertEquals("gumbel:context=4", c.scheme());
        assertEquals(k, KeyFile.read(f), "read() gives the key of a version 2 file too");
        Path plain = tmp.resolve("p.json");
        KeyFile.write(plain, k, null, false);
        assertTrue(Files.readString(plain).contains("\"version\" : 1"), "no scheme: the version-1 layout");
        assertNull(KeyFile.load(plain).scheme());
        // version 1 never had a scheme: a field of that name there is not read as one
        String v1 = KeyFile.toJson(k, Instant.EPOCH).replace("\"created\"", "\"scheme\" : \"gumbel\",\n  \"created\"");
        assertNull(KeyFile.parseContents(v1, "v1").scheme());
    }

    /** Files written by earlier builds (test resources, never rewritten) still read, to the same keys. */
    @Test
    void keyFilesOfEveryEarlierVersionStillRead() throws Exception {
        byte[] secret = new byte[32];
        for (int i = 0; i < 32; i++) {
            secret[i] = (byte) (3 + 7 * i);
        }
        WatermarkKey master = WatermarkKey.fromSecret(secret);
        WatermarkKey child = master.derive("account/7");
        KeyFile.Contents m = KeyFile.load(fixture("v1-master.json"));
        assertEquals(master, m.key());
        assertEquals("hk-32ddd9dc17d0f36ee722", m.key().id());
        assertNull(m.scheme());
        KeyFile.Contents d = KeyFile.load(fixture("v1-derived.json"));
        assertEquals(child, d.key());
        assertEquals(master.id(), d.key().parentId());
        assertNull(d.scheme());
        KeyFile.Contents s = KeyFile.load(fixture("v2-derived-scheme.json"));
        assertEquals(child, s.key());
        assertEquals("kgw:gamma=0.25,delta=2,context=1,seeding=lefthash", s.scheme());
        // what this build writes for the same keys is byte for byte what the fixtures hold
        assertEquals(Files.readString(fixture("v1-master.json")), KeyFile.toJson(master, Instant.parse("2026-11-23T16:00:00Z")));
        assertEquals(Files.readString(fixture("v2-derived-scheme.json")), KeyFile.toJson(child,
                "kgw:gamma=0.25,delta=2,context=1,seeding=lefthash", Instant.parse("2026-11-23T16:00:00Z")));
    }

    private static Path fixture(String name) throws Exception {
        return Path.of(WatermarkKeyTest.class.getResource(name).toURI());
    }

    private void assertMessage(String expected, String json) throws IOException {
        Path f = tmp.resolve("bad.json");
        Files.writeString(f, json, StandardCharsets.UTF_8);
        KeyFileException e = assertThrows(KeyFileException.class, () -> KeyFile.read(f));
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    }

    @Test
    void keyRingLoadsADirectoryAndRejectsDuplicates() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("ring"));
        KeyFile.write(dir.resolve("a.json"), TestKeys.key(1), false);
        KeyFile.write(dir.resolve("b.json"), TestKeys.key(2), false);
        KeyRing ring = KeyRing.load(dir);
        assertEquals(2, ring.size());
        assertEquals(TestKeys.key(2), ring.get(TestKeys.key(2).id()));
        KeyFile.write(dir.resolve("c.json"), TestKeys.key(1), false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KeyRing.load(dir));
        assertTrue(e.getMessage().contains("duplicate key id"));
    }
}

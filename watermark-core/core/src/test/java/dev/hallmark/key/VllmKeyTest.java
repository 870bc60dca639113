package dev.hallmark.key;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.testing.TestKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VllmKeyTest {

    @TempDir
    Path tmp;

    @Test
    void parsesTheWholeUnsignedRange() {
        assertEquals(0L, VllmKey.parse("0").secretBits());
        assertEquals(42L, VllmKey.parse(" 42 ").secretBits());
        assertEquals(-1L, VllmKey.parse("18446744073709551615").secretBits());
        assertEquals(Long.MIN_VALUE, VllmKey.parse("9223372036854775808").secretBits());
        assertEquals("18446744073709551615", VllmKey.of(-1L).exportDecimal());
        assertEquals(VllmKey.parse("-0"), VllmKey.of(0));
    }

    @Test
    void badKeysNameTheValue() {
        assertMessage("-1", "vLLM key -1 is negative");
        assertMessage("18446744073709551616", "vLLM key 18446744073709551616 is 2^64 or more");
        assertMessage("99999999999999999999999", "is 2^64 or more");
        assertMessage("forty-two", "vLLM key 'forty-two' is not a decimal integer");
        assertMessage("0x2a", "'0x2a' is not a decimal integer");
        assertMessage("4.2", "'4.2' is not a decimal integer");
        assertMessage("", "empty");
    }

    private static void assertMessage(String input, String part) {
        String m = assertThrows(IllegalArgumentException.class, () -> VllmKey.parse(input)).getMessage();
        assertTrue(m.contains(part), m);
    }

    @Test
    void toStringAndIdNeverShowTheKey() {
        VllmKey k = VllmKey.parse("15726070495360670683");
        assertFalse(k.toString().contains("15726070495360670683"), k.toString());
        assertFalse(k.toString().contains(Long.toHexString(k.secretBits())), k.toString());
        assertTrue(k.id().matches("vk-[0-9a-f]{16}"), k.id());
        assertTrue(k.toString().contains(k.id()));
        assertNotEquals(k.id(), VllmKey.of(k.secretBits() ^ 1).id());
        assertEquals(k.id(), VllmKey.parse("15726070495360670683").id());
    }

    @Test
    void keyFileRoundTripWithTypeField() throws Exception {
        VllmKey k = VllmKey.parse("18446744073709551615");
        Path f = tmp.resolve("vllm.json");
        KeyFile.writeVllm(f, k, false);
        String json = Files.readString(f, StandardCharsets.UTF_8);
        assertTrue(json.contains("\"type\" : \"vllm\""), json);
        assertTrue(json.contains("\"vllm_key\" : \"18446744073709551615\""), json);
        assertTrue(json.contains("\"key_id\" : \"" + k.id() + "\""), json);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        assertEquals(k, KeyFile.readVllm(f));
        assertEquals(KeyFile.TYPE_VLLM, KeyFile.type(f));
        assertThrows(KeyFileException.class, () -> KeyFile.writeVllm(f, k, false), "no silent overwrite");
    }

    @Test
    void theTwoKeyTypesRefuseEachOther() throws Exception {
        Path v = tmp.resolve("v.json");
        KeyFile.writeVllm(v, VllmKey.of(42), false);
        String m = assertThrows(KeyFileException.class, () -> KeyFile.read(v)).getMessage();
        assertTrue(m.contains("holds a vLLM key") && m.contains("vllm-* scheme"), m);
        assertFalse(m.contains("42\""), m);
        Path h = tmp.resolve("h.json");
        KeyFile.write(h, TestKeys.key(3), false);
        assertEquals(KeyFile.TYPE_HALLMARK, KeyFile.type(h));
        m = assertThrows(KeyFileException.class, () -> KeyFile.readVllm(h)).getMessage();
        assertTrue(m.contains("holds a Hallmark key, not a vLLM key") && m.contains("--vllm-key"), m);
    }

    @Test
    void corruptVllmKeyFilesAreRejected() throws Exception {
        VllmKey k = VllmKey.of(7);
        String good = KeyFile.toJson(k, Instant.parse("2026-12-01T10:00:00Z"));
        assertEquals(k, KeyFile.parseVllm(good, "mem"));
        String m = assertThrows(KeyFileException.class,
                () -> KeyFile.parseVllm(good.replace("\"7\"", "\"8\""), "mem")).getMessage();
        assertTrue(m.contains("key id mismatch"), m);
        m = assertThrows(KeyFileException.class,
                () -> KeyFile.parseVllm(good.replace("\"7\"", "\"-7\""), "mem")).getMessage();
        assertTrue(m.contains("'vllm_key' is not a valid vLLM key") && m.contains("negative"), m);
        m = assertThrows(KeyFileException.class,
                () -> KeyFile.parseVllm(good.replace("\"vllm\"", "\"openai\""), "mem")).getMessage();
        assertTrue(m.contains("unknown key type \"openai\""), m);
        m = assertThrows(KeyFileException.class,
                () -> KeyFile.parseVllm(good.replace("\"vllm_key\"", "\"key\""), "mem")).getMessage();
        assertTrue(m.contains("missing or non-string 'vllm_key'"), m);
    }

    @Test
    void keyRingOfVllmKeys() throws Exception {
        Path dir = tmp.resolve("ring");
        Files.createDirectories(dir);
        KeyFile.writeVllm(dir.resolve("a.json"), VllmKey.of(1), false);
        KeyFile.writeVllm(dir.resolve("b.json"), VllmKey.of(2), false);
        List<VllmKey> keys = KeyRing.loadVllm(dir);
        assertEquals(List.of(VllmKey.of(1), VllmKey.of(2)), keys);
        KeyFile.writeVllm(dir.resolve("c.json"), VllmKey.of(1), false);
        String m = assertThrows(KeyFileException.class, () -> KeyRing.loadVllm(dir)).getMessage();
        assertTrue(m.contains("c.json holds the same vLLM key as a.json"), m);
    }
}

package dev.hallmark.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SynthIdKeysTest {

    @Test
    void parsesTheJsonArrayIncludingTheInt64Extremes() {
        SynthIdKeys k = SynthIdKeys.parse(" [654, -400, 9223372036854775807, -9223372036854775808]\n");
        assertArrayEquals(new long[] {654, -400, Long.MAX_VALUE, Long.MIN_VALUE}, k.keys());
        assertEquals(4, k.depth());
        assertEquals(k, SynthIdKeys.parse(k.toJson()), "toJson round-trips");
    }

    @Test
    void theFingerprintIsStablePublicAndKeyDependent() {
        SynthIdKeys a = SynthIdKeys.of(1, 2, 3);
        assertTrue(a.id().matches("sid-[0-9a-f]{16}"), a.id());
        assertEquals(a.id(), SynthIdKeys.of(1, 2, 3).id());
        assertNotEquals(a.id(), SynthIdKeys.of(1, 3, 2).id(), "layer order matters");
        assertNotEquals(a.id(), SynthIdKeys.of(1, 2).id());
        String shown = SynthIdKeys.of(123456789, 987654321).toString();
        assertFalse(shown.contains("123456789") || shown.contains("987654321"), "toString must not print keys: " + shown);
        long[] copy = a.keys();
        copy[0] = 99;
        assertEquals(1, a.keys()[0], "keys() is a copy");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''|the input is empty",
        "[1, 2|not valid JSON",
        "{\"keys\": [1, 2]}|expected a JSON array of int64 keys, got an object",
        "42|expected a JSON array of int64 keys",
        "[]|the list is empty",
        "[1, \"2\"]|element 1 is the string \"2\", not an integer",
        "[1, 2.5]|element 1 is the non-integer number 2.5, not an integer",
        "[1, 2.0]|element 1 is the non-integer number 2.0, not an integer",
        "[true]|element 0 is the boolean true, not an integer",
        "[null]|element 0 is null, not an integer",
        "[[1]]|element 0 is an array, not an integer",
        "[1, 9223372036854775808]|element 1 (9223372036854775808) is outside the int64 range",
        "[5, 6, 5]|key 2 repeats key 0 (5)",
        "[1] [2]|not valid JSON",
    })
    void malformedKeysGiveClearErrors(String json, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SynthIdKeys.parse(json));
        assertTrue(e.getMessage().contains(message), "expected '" + message + "' in: " + e.getMessage());
        assertTrue(e.getMessage().startsWith("SynthID keys: "), e.getMessage());
    }

    @Test
    void readNamesTheFile(@TempDir Path dir) throws Exception {
        Path good = dir.resolve("keys.json");
        Files.writeString(good, "[7, 8, 9]", StandardCharsets.UTF_8);
        assertArrayEquals(new long[] {7, 8, 9}, SynthIdKeys.read(good).keys());
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "[7, \"x\"]", StandardCharsets.UTF_8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SynthIdKeys.read(bad));
        assertTrue(e.getMessage().startsWith(bad + ": SynthID keys: element 1"), e.getMessage());
        Path binary = dir.resolve("bin.json");
        Files.write(binary, new byte[] {'[', (byte) 0xC3, (byte) 0x28, ']'});
        e = assertThrows(IllegalArgumentException.class, () -> SynthIdKeys.read(binary));
        assertTrue(e.getMessage().contains("not UTF-8"), e.getMessage());
        assertThrows(java.nio.file.NoSuchFileException.class, () -> SynthIdKeys.read(dir.resolve("missing.json")));
    }

    @Test
    void tooManyKeysAreRejected() {
        long[] many = new long[SynthIdKeys.MAX_DEPTH + 1];
        for (int i = 0; i < many.length; i++) {
            many[i] = i;
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SynthIdKeys.of(many));
        assertTrue(e.getMessage().contains("1025 keys, at most 1024"), e.getMessage());
    }
}

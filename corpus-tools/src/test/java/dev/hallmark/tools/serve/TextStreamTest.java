package dev.hallmark.tools.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.generate.Generator;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Incremental text and stop strings, on a byte-level decoder (one token = one UTF-8 byte). */
class TextStreamTest {

    /** Token ids are bytes; decoding replaces an incomplete character with U+FFFD, as byte-level BPE does. */
    static final Generator.Decoder BYTES = (ids, off, len) -> {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
            b[i] = (byte) ids[off + i];
        }
        return new String(b, StandardCharsets.UTF_8);
    };

    static int[] bytes(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        int[] out = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = b[i] & 0xff;
        }
        return out;
    }

    /** Feeds the tokens one by one; returns the pieces shown joined with '|'. */
    static String run(TextStream s, int[] ids) {
        StringBuilder shown = new StringBuilder();
        for (int n = 1; n <= ids.length && !s.stopped(); n++) {
            String p = s.update(ids, 0, n);
            if (!p.isEmpty()) {
                shown.append(p).append('|');
            }
        }
        String rest = s.finish(ids, 0, ids.length);
        if (!rest.isEmpty()) {
            shown.append(rest).append('|');
        }
        return shown.toString();
    }

    @Test
    void multiByteCharactersAreShownWhole() {
        TextStream s = new TextStream(BYTES, List.of());
        String shown = run(s, bytes("aé€b"));
        assertEquals("a|é|€|b|", shown);
        assertEquals("aé€b", s.text());
    }

    @Test
    void theCompletionEndsBeforeTheStopStringAndHoldsBackItsStart() {
        TextStream s = new TextStream(BYTES, List.of("END", "\nUser:"));
        String shown = run(s, bytes("abcENxENDtail"));
        assertTrue(s.stopped());
        assertEquals("abcENx", s.text());
        // "E" and "EN" were held back until they turned out not to start "END"
        assertFalse(shown.contains("E|"), shown);
        assertEquals("abcENx", shown.replace("|", ""));
    }

    @Test
    void aHeldBackStartIsShownAtTheEnd() {
        TextStream s = new TextStream(BYTES, List.of("\nUser:"));
        assertEquals("hello\nUs", run(s, bytes("hello\nUs")).replace("|", ""));
        assertFalse(s.stopped());
    }

    @Test
    void anUnfinishedCharacterAtTheEndIsStillShown() {
        int[] ids = bytes("ab€");
        int[] cut = java.util.Arrays.copyOf(ids, ids.length - 1);
        TextStream s = new TextStream(BYTES, List.of());
        assertEquals("ab\uFFFD", run(s, cut).replace("|", ""));
    }
}

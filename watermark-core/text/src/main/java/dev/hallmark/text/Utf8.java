package dev.hallmark.text;

/**
 * UTF-8 conversions with the exact semantics of the Rust side of {@link HfTokenizer}.
 */
final class Utf8 {

    private static final char REPLACEMENT = '\uFFFD';

    private Utf8() {
    }

    /**
     * Encodes {@code s[from, to)} (well-formed UTF-16: surrogates come in pairs) as UTF-8 into
     * {@code out} at {@code pos}; {@code out} needs room for {@code 3 * (to - from)} bytes.
     *
     * @return the position after the last byte written
     */
    static int encode(char[] s, int from, int to, byte[] out, int pos) {
        for (int i = from; i < to; i++) {
            char c = s[i];
            if (c < 0x80) {
                out[pos++] = (byte) c;
            } else if (c < 0x800) {
                out[pos++] = (byte) (0xC0 | (c >> 6));
                out[pos++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(s[i + 1])) {
                int cp = Character.toCodePoint(c, s[++i]);
                out[pos++] = (byte) (0xF0 | (cp >> 18));
                out[pos++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                out[pos++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                out[pos++] = (byte) (0x80 | (cp & 0x3F));
            } else {
                out[pos++] = (byte) (0xE0 | (c >> 12));
                out[pos++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                out[pos++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        return pos;
    }

    /**
     * Decodes UTF-8 like Rust's {@code String::from_utf8_lossy}: each maximal ill-formed subpart
     * (Unicode's "substitution of maximal subparts") becomes one U+FFFD.
     */
    static String decodeLossy(byte[] b, int from, int to) {
        char[] out = new char[to - from];
        int n = 0;
        int i = from;
        while (i < to) {
            int b0 = b[i] & 0xFF;
            if (b0 < 0x80) {
                out[n++] = (char) b0;
                i++;
                continue;
            }
            int need;
            int lo = 0x80;
            int hi = 0xBF;
            if (b0 >= 0xC2 && b0 <= 0xDF) {
                need = 1;
            } else if (b0 >= 0xE0 && b0 <= 0xEF) {
                need = 2;
                if (b0 == 0xE0) {
                    lo = 0xA0;
                } else if (b0 == 0xED) {
                    hi = 0x9F;
                }
            } else if (b0 >= 0xF0 && b0 <= 0xF4) {
                need = 3;
                if (b0 == 0xF0) {
                    lo = 0x90;
                } else if (b0 == 0xF4) {
                    hi = 0x8F;
                }
            } else {
                out[n++] = REPLACEMENT;
                i++;
                continue;
            }
            int cp = b0 & (0x3F >> need);
            int j = i + 1;
            boolean ok = true;
            for (int k = 0; k < need; k++, j++) {
                int bj = j < to ? b[j] & 0xFF : -1;
                int l = k == 0 ? lo : 0x80;
                int h = k == 0 ? hi : 0xBF;
                if (bj < l || bj > h) {
                    ok = false;
                    break;
                }
                cp = (cp << 6) | (bj & 0x3F);
            }
            if (!ok) {
                out[n++] = REPLACEMENT;
                i = j;
                continue;
            }
            if (cp >= 0x10000) {
                out[n++] = Character.highSurrogate(cp);
                out[n++] = Character.lowSurrogate(cp);
            } else {
                out[n++] = (char) cp;
            }
            i = j;
        }
        return new String(out, 0, n);
    }

    /** Whether {@code s} has a surrogate that is not part of a high-low pair. */
    static boolean hasUnpairedSurrogate(char[] s, int len) {
        for (int i = 0; i < len; i++) {
            char c = s[i];
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s[i + 1])) {
                    i++;
                } else {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * What the Rust library receives through DJL's JNI binding for a string with an unpaired
     * surrogate. The JVM hands over "modified UTF-8" (each UTF-16 unit as its own 1-3 byte
     * sequence, NUL as {@code C0 80}); the binding's strict decode of that fails on the unpaired
     * surrogate and it falls back to {@code from_utf8_lossy} of those bytes for the whole string:
     * every surrogate (paired or not) becomes three U+FFFD and NUL becomes two.
     *
     * @return the length of the rewritten text in {@code out}
     */
    static int jniLossy(char[] s, int len, char[] out) {
        int n = 0;
        for (int i = 0; i < len; i++) {
            char c = s[i];
            if (Character.isSurrogate(c)) {
                out[n++] = REPLACEMENT;
                out[n++] = REPLACEMENT;
                out[n++] = REPLACEMENT;
            } else if (c == 0) {
                out[n++] = REPLACEMENT;
                out[n++] = REPLACEMENT;
            } else {
                out[n++] = c;
            }
        }
        return n;
    }
}

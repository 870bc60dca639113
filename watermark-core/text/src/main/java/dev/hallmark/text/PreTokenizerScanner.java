package dev.hallmark.text;

import static dev.hallmark.text.UnicodeTables.LETTER;
import static dev.hallmark.text.UnicodeTables.NEWLINE;
import static dev.hallmark.text.UnicodeTables.NUMBER;
import static dev.hallmark.text.UnicodeTables.OTHER;
import static dev.hallmark.text.UnicodeTables.SPACE;

/**
 * Hand-written equivalents of the pre-tokenizer regexes of byte-level BPE tokenizers, as
 * Oniguruma runs them (leftmost-first alternation, greedy quantifiers with backtracking). Each
 * regex matches at every position, so the pieces tile the text: {@link #pieceEnd} returns where the
 * match starting at {@code i} ends.
 *
 * <p>Input is well-formed UTF-16 (unpaired surrogates are replaced before this step).
 */
abstract class PreTokenizerScanner {

    /** Qwen2 / Qwen2.5 / Qwen3: the cl100k shape with single digits. */
    static final String QWEN2_PATTERN = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /** Llama 3 and OpenAI's cl100k_base: runs of up to three digits. */
    static final String CL100K_PATTERN = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /** GPT-2: the regex built into HF's ByteLevel pre-tokenizer ({@code use_regex: true}). */
    static final String GPT2_PATTERN = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    /** The scanner for a Split pre-tokenizer regex, or null if the regex is not one of the known ones. */
    static PreTokenizerScanner forPattern(String regex) {
        if (QWEN2_PATTERN.equals(regex)) {
            return new Cl100k(1);
        }
        if (CL100K_PATTERN.equals(regex)) {
            return new Cl100k(3);
        }
        if (GPT2_PATTERN.equals(regex)) {
            return new Gpt2();
        }
        return null;
    }

    static PreTokenizerScanner gpt2() {
        return new Gpt2();
    }

    /** The regex this scanner implements (one of the *_PATTERN constants). */
    abstract String pattern();

    /** End (exclusive) of the piece that starts at {@code i}; {@code i < end}. */
    abstract int pieceEnd(char[] s, int i, int end);

    static int cls(char c) {
        return c < 128 ? UnicodeTables.ASCII[c] & UnicodeTables.CLASS_MASK : UnicodeTables.cls(c);
    }

    /** Class of the code point at {@code i}. */
    static int clsAt(char[] s, int i, int end) {
        char c = s[i];
        if (c < 128) {
            return UnicodeTables.ASCII[c] & UnicodeTables.CLASS_MASK;
        }
        if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(s[i + 1])) {
            return UnicodeTables.cls(Character.toCodePoint(c, s[i + 1]));
        }
        return UnicodeTables.cls(c);
    }

    /** Number of chars of the code point at {@code i}. */
    static int width(char[] s, int i, int end) {
        return Character.isHighSurrogate(s[i]) && i + 1 < end && Character.isLowSurrogate(s[i + 1]) ? 2 : 1;
    }

    /** End of the run of code points of class {@code k} starting at {@code i}. */
    static int run(char[] s, int i, int end, int k) {
        while (i < end) {
            char c = s[i];
            if (c < 128) {
                if ((UnicodeTables.ASCII[c] & UnicodeTables.CLASS_MASK) != k) {
                    return i;
                }
                i++;
            } else {
                int w = width(s, i, end);
                if ((w == 1 ? UnicodeTables.cls(c) : UnicodeTables.cls(Character.toCodePoint(c, s[i + 1]))) != k) {
                    return i;
                }
                i += w;
            }
        }
        return i;
    }

    /**
     * {@code (?i:'s|'t|'re|'ve|'m|'ll|'d)} after the apostrophe at {@code i - 1}: length matched
     * after it, or 0. Case-insensitive as Oniguruma folds: U+017F (long s) folds to {@code s}.
     */
    static int contractionCaseless(char[] s, int i, int end) {
        if (i >= end) {
            return 0;
        }
        char c = s[i];
        switch (c) {
            case 's', 'S', '\u017F', 't', 'T', 'm', 'M', 'd', 'D':
                return 1;
            case 'r', 'R', 'v', 'V':
                return i + 1 < end && (s[i + 1] == 'e' || s[i + 1] == 'E') ? 2 : 0;
            case 'l', 'L':
                return i + 1 < end && (s[i + 1] == 'l' || s[i + 1] == 'L') ? 2 : 0;
            default:
                return 0;
        }
    }

    /** {@code 's|'t|'re|'ve|'m|'ll|'d} (case-sensitive) after the apostrophe at {@code i - 1}. */
    static int contraction(char[] s, int i, int end) {
        if (i >= end) {
            return 0;
        }
        switch (s[i]) {
            case 's', 't', 'm', 'd':
                return 1;
            case 'r', 'v':
                return i + 1 < end && s[i + 1] == 'e' ? 2 : 0;
            case 'l':
                return i + 1 < end && s[i + 1] == 'l' ? 2 : 0;
            default:
                return 0;
        }
    }

    /**
     * The trailing whitespace alternatives shared by both shapes, at a whitespace code point:
     * {@code \s+(?!\S)} then {@code \s+}, given the end {@code w} of the whitespace run.
     */
    static int whitespaceTail(int i, int w, int end) {
        if (w == end || w - i < 2) {
            return w;
        }
        return w - 1;
    }

    /**
     * {@code (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,maxDigits}
     * | ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+}.
     */
    static final class Cl100k extends PreTokenizerScanner {
        private final int maxDigits;

        Cl100k(int maxDigits) {
            this.maxDigits = maxDigits;
        }

        @Override
        String pattern() {
            return maxDigits == 1 ? QWEN2_PATTERN : CL100K_PATTERN;
        }

        @Override
        int pieceEnd(char[] s, int i, int end) {
            char c = s[i];
            if (c == '\'') {
                int m = contractionCaseless(s, i + 1, end);
                if (m > 0) {
                    return i + 1 + m;
                }
            }
            int n = width(s, i, end);
            int k = clsAt(s, i, end);
            if (k == LETTER) {
                return run(s, i + n, end, LETTER);
            }
            if ((k == OTHER || k == SPACE) && i + n < end && clsAt(s, i + n, end) == LETTER) {
                return run(s, i + n, end, LETTER);
            }
            if (k == NUMBER) {
                int j = i + n;
                for (int count = 1; count < maxDigits && j < end && clsAt(s, j, end) == NUMBER; count++) {
                    j += width(s, j, end);
                }
                return j;
            }
            int j = c == ' ' ? i + 1 : i;
            if (j < end && clsAt(s, j, end) == OTHER) {
                j = run(s, j, end, OTHER);
                while (j < end && (s[j] == '\r' || s[j] == '\n')) {
                    j++;
                }
                return j;
            }
            // whitespace (every White_Space code point is in the BMP)
            int w = i;
            int lastNewline = -1;
            while (w < end) {
                int kw = cls(s[w]);
                if (kw == NEWLINE) {
                    lastNewline = w;
                } else if (kw != SPACE) {
                    break;
                }
                w++;
            }
            if (lastNewline >= 0) {
                return lastNewline + 1;
            }
            return whitespaceTail(i, w, end);
        }
    }

    /** {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+}. */
    static final class Gpt2 extends PreTokenizerScanner {
        @Override
        String pattern() {
            return GPT2_PATTERN;
        }

        @Override
        int pieceEnd(char[] s, int i, int end) {
            char c = s[i];
            if (c == '\'') {
                int m = contraction(s, i + 1, end);
                if (m > 0) {
                    return i + 1 + m;
                }
            }
            int j = i;
            if (c == ' ' && i + 1 < end) {
                j = i + 1;
                int k = clsAt(s, j, end);
                if (k == LETTER || k == NUMBER || k == OTHER) {
                    return run(s, j, end, k);
                }
                j = i;
            }
            int k = clsAt(s, j, end);
            if (k == LETTER || k == NUMBER || k == OTHER) {
                return run(s, j, end, k);
            }
            int w = i;
            while (w < end) {
                int kw = cls(s[w]);
                if (kw != SPACE && kw != NEWLINE) {
                    break;
                }
                w++;
            }
            return whitespaceTail(i, w, end);
        }
    }
}

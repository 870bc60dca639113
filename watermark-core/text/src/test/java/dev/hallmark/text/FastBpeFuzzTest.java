package dev.hallmark.text;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Seeded random Unicode strings through both engines, ids and HF word ids compared. Strings are
 * built from fragments chosen to hit the tricky parts (contractions, every kind of white space,
 * combining marks, Hangul jamo, scripts new in Unicode 14-16, emoji sequences, controls, special
 * tokens and their prefixes, unpaired surrogates) plus uniformly random code points. A failure
 * prints the seed and the string; rerun one seed with {@code -Dhallmark.fuzz.seed=N}.
 */
class FastBpeFuzzTest {

    static final long[] SEEDS = {20_251_207L, 1L, 42L};
    static final int STRINGS_PER_SEED = 4_000;

    private static Differential diff;

    @BeforeAll
    static void open() {
        diff = Differential.qwen3();
    }

    @AfterAll
    static void close() {
        diff.close();
    }

    static final String[] FRAGMENTS = {
        " ", "  ", "   ", "\t", "\n", "\r\n", "\r", "\n\n", " \n ", "\u00A0", "\u3000", "\u2028", "\u2029", "\u0085",
        "\u000B", "\u000C", "\u001C", "\u1680", "\u2009", "\u202F", "\u205F", "\u180E", "\u200B",
        "'s", "'S", "'t", "'re", "'RE", "'Ve", "'m", "'ll", "'LL", "'d", "'D", "'\u017F", "'", "''", "'x", "' s",
        "a", "the", "The", "HELLO", "don't", "we'll", "x", "Z", "word", "über", "naïve", "Ærø", "ſt",
        "0", "7", "12", "123", "2025", "3.14", "1,000,000", "٣", "١٢٣", "५", "１２", "²", "½", "Ⅻ", "〇", "𝟗",
        ".", ",", "!", "?", "...", "--", "—", "()", "[]", "{}", "\"", "#", "$", "%", "&", "*", "+", "-", "/",
        ":", ";", "<", "=", ">", "@", "\\", "^", "_", "`", "|", "~", "«", "»", "“", "”", "•", "©", "€", "→",
        "\u0300", "\u0301", "\u0308", "\u0316", "\u0323", "\u0327", "\u0345", "\u034F", "\u0591", "\u05B4",
        "\u064B", "\u0651", "\u0670", "\u093C", "\u094D", "\u0E31", "\u0E48", "\u1DC0", "\u1DFA", "\u20D7",
        "\uFE20", "\u302A", "\u3099", "\u309A", "\uD834\uDD65", "\uD83C\uDFFD",
        "e\u0301", "é", "Å", "\u212B", "\u2126", "ﬁ", "Ǆ", "ǅ", "\u1E9B\u0323", "\u0958", "\uFB2C",
        "\u1100", "\u1161", "\u11A8", "\uAC00", "\uAC01", "한국어", "\u1100\u1161\u11A8", "\u3131",
        "漢字", "中文文本", "日本語の", "カタカナ", "ひらがな", "，", "。", "「", "」", "\uD840\uDC00", "\uD87E\uDC00",
        "\uD884\uDF50", "\uD807\uDF00", "\uD803\uDD40", "\uD801\uDDC0", "\uD81B\uDD40",
        "Ελληνικά", "русский", "עברית", "\u05D0\u05B8", "العربية", "\u0627\u064E", "हिन्दी", "ไทย", "ქართული",
        "\u202E", "\u202C", "\u2066", "\u200E", "\u200F", "\u061C",
        "😀", "👍🏽", "👨\u200D👩\u200D👧", "🏳️\u200D🌈", "🇩🇪", "🇺🇸", "1\uFE0F\u20E3", "❤️", "\uFE0F", "\uFE0E",
        "\u0000", "\u0001", "\u001B[32m", "\u007F", "\u0080", "\u009F", "\uFEFF", "\uFFFD", "\uFFFF", "\uE000",
        "\uDB80\uDC00",
        "<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>", "</think>", "<tool_call>", "<|im_", "|>",
        "<|", "<|endoftext", "<<|im_end|>>", "<|vision_pad|>",
        "http://example.com/a?b=c", "x_1", "camelCase", "snake_case", "0x1F", "\"key\": [1, 2]", "    return x;",
    };

    @Test
    void randomStringsTokenizeIdentically() {
        String one = System.getProperty("hallmark.fuzz.seed");
        long[] seeds = one != null ? new long[] {Long.parseLong(one)} : SEEDS;
        List<String> failures = new ArrayList<>();
        for (long seed : seeds) {
            SplittableRandom r = new SplittableRandom(seed);
            for (int i = 0; i < STRINGS_PER_SEED && failures.size() < 5; i++) {
                String s = randomString(r);
                String d = diff.compareSplits(s);
                if (d != null) {
                    failures.add("seed " + seed + ", string " + i + " (\"" + Differential.escape(s) + "\"): " + d);
                }
            }
        }
        if (!failures.isEmpty()) {
            fail("fast and HF differ (rerun a seed with -Dhallmark.fuzz.seed=N):\n" + String.join("\n", failures));
        }
    }

    static String randomString(SplittableRandom r) {
        StringBuilder b = new StringBuilder();
        int parts = r.nextInt(40);
        boolean surrogates = r.nextInt(20) == 0;
        for (int p = 0; p < parts; p++) {
            int kind = r.nextInt(10);
            if (kind < 6) {
                b.append(FRAGMENTS[r.nextInt(FRAGMENTS.length)]);
            } else if (kind < 8) {
                b.appendCodePoint(randomCodePoint(r));
            } else if (kind == 8) {
                String f = FRAGMENTS[r.nextInt(FRAGMENTS.length)];
                b.append(f.repeat(1 + r.nextInt(6)));
            } else if (surrogates) {
                b.append((char) (0xD800 + r.nextInt(0x800)));
            } else {
                b.appendCodePoint(0x20 + r.nextInt(0x5F));
            }
        }
        return b.toString();
    }

    /** Any code point but a surrogate, weighted towards the BMP. */
    static int randomCodePoint(SplittableRandom r) {
        while (true) {
            int cp = r.nextInt(4) == 0 ? r.nextInt(0x110000) : r.nextInt(0x10000);
            if (cp < 0xD800 || cp > 0xDFFF) {
                return cp;
            }
        }
    }
}

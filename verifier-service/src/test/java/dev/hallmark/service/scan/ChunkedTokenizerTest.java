package dev.hallmark.service.scan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.service.Corpora;
import dev.hallmark.service.Problem;
import dev.hallmark.service.TestSupport;
import dev.hallmark.text.HfTokenizer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Long texts are tokenized piece by piece with exactly the ids of one whole-text call, on real
 * text (every human-text document joined), CJK without spaces, and random mixtures of scripts,
 * digits, whitespace kinds, combining marks, emoji and special-token strings; cut much finer than
 * in service (pieces of about 1,000 characters) so that any place where a cut changes the ids would
 * show. Seeds are fixed.
 */
class ChunkedTokenizerTest {

    static ChunkedTokenizer tok;

    @BeforeAll
    static void load() {
        tok = ChunkedTokenizer.of(HfTokenizer.open(TestSupport.tokenizer()));
    }

    static void sameIds(String text, int chunk) {
        int[] whole = tok.tokenizer().encode(text);
        int[] cut = tok.encode(text, chunk, 4 * chunk);
        int[] cuts = ChunkedTokenizer.cuts(text, chunk, Math.max(ChunkedTokenizer.MAX_RUN, 4 * chunk));
        assertTrue(cuts.length > 3, "the text was cut: " + cuts.length);
        if (whole.length != cut.length) {
            assertEquals(whole.length, cut.length, "same number of ids");
        }
        for (int i = 0; i < whole.length; i++) {
            if (whole[i] != cut[i]) {
                int at = 0;
                while (at + 1 < cuts.length && cuts[at + 1] < text.length() && tok.tokenizer().decode(whole, 0, i).length()
                        > cuts[at + 1]) {
                    at++;
                }
                throw new AssertionError("id " + i + " differs (near the cut at " + cuts[Math.min(at + 1, cuts.length - 1)]
                        + "): " + whole[i] + " vs " + cut[i]);
            }
        }
    }

    @Test
    void theProbeOfTheSelfCheckPasses() {
        assertTrue(tok.chunking(), "the Qwen3 tokenizer keeps its ids when cut at the documented places");
        assertTrue(ChunkedTokenizer.selfCheck(tok.tokenizer()));
    }

    @Test
    void humanTextKeepsItsIds() {
        StringBuilder b = new StringBuilder();
        for (String h : Corpora.human()) {
            b.append(h).append(b.length() % 3 == 0 ? "\n\n" : b.length() % 3 == 1 ? "\n" : " ");
        }
        String text = b.toString();
        assertTrue(text.length() > 300_000, "long enough: " + text.length());
        sameIds(text, 1000);
        assertArrayEquals(tok.tokenizer().encode(text), tok.encode(text), "and with the service's own piece sizes");
        // the control: cutting every 1,000 characters wherever that falls does change the ids
        java.util.List<String> naive = new java.util.ArrayList<>();
        for (int i = 0; i < text.length(); i += 1000) {
            naive.add(text.substring(i, Math.min(text.length(), i + 1000)));
        }
        int[] joined = java.util.Arrays.stream(tok.tokenizer().encodeBatch(naive)).flatMapToInt(java.util.Arrays::stream)
                .toArray();
        assertTrue(!java.util.Arrays.equals(tok.tokenizer().encode(text), joined), "the comparison sees a bad cut");
    }

    @Test
    void cjkWithoutSpacesKeepsItsIds() {
        SplittableRandom r = new SplittableRandom(19);
        String punct = "，。、！？；：「」";
        StringBuilder b = new StringBuilder();
        while (b.length() < 60_000) {
            int n = 1 + r.nextInt(12);
            for (int i = 0; i < n; i++) {
                b.append((char) (0x4E00 + r.nextInt(2000)));
            }
            b.append(punct.charAt(r.nextInt(punct.length())));
        }
        sameIds(b.toString(), 1000);
    }

    @Test
    void randomMixturesKeepTheirIds() {
        String[] parts = {"word", "Über", "naïve", "e\u0301", "Ωμέγα", "Привет", "中文", "42", "3.14", "x2", " ", "  ", "\n",
            "\n\n", "\r\n", "\t", "\u00a0", "\u2003", ",", ".", "!", "'s", "'", "\"", "--", "(", ")", "\uD83D\uDE00",
            "<|endoftext|>", "<think>", "</think>", "\u0300", "a\u00a0b", "don't", "ＡＢＣ", "١٢٣", "ß", "ﬁ"};
        for (long seed = 1; seed <= 3; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            StringBuilder b = new StringBuilder();
            while (b.length() < 50_000) {
                b.append(parts[r.nextInt(parts.length)]);
            }
            sameIds(b.toString(), 500);
        }
    }

    @Test
    void aStretchWithoutAnyCutPointIsRefusedByName() {
        String blob = "x".repeat(ChunkedTokenizer.MAX_RUN + 10);
        Problem p = assertThrows(Problem.class, () -> tok.encode("start " + blob));
        assertEquals(413, p.getStatusCode());
        assertTrue(p.detail().contains("the text has no space, line break after a letter or digit, or punctuation between "
                + "letters from character 131072 to 1048576: it cannot be tokenized in bounded memory"), p.detail());
    }

    @Test
    void cutPointsAreWhereTheTokenizerSplitsAnyway() {
        assertTrue(ChunkedTokenizer.cutAt("ab cd", 2), "before a space after a letter");
        assertTrue(ChunkedTokenizer.cutAt("a. b", 2), "before a space after punctuation");
        assertTrue(!ChunkedTokenizer.cutAt("a  b", 2), "not inside a run of spaces");
        assertTrue(!ChunkedTokenizer.cutAt("a\u00a0 b", 2), "not after a no-break space");
        assertTrue(ChunkedTokenizer.cutAt("ab\ncd", 2), "before a line break after a letter");
        assertTrue(ChunkedTokenizer.cutAt("12\ncd", 2), "or a digit");
        assertTrue(!ChunkedTokenizer.cutAt("a.\ncd", 2), "not after punctuation (it takes the line break)");
        assertTrue(ChunkedTokenizer.cutAt("中文。中文", 2), "before punctuation between letters");
        assertTrue(!ChunkedTokenizer.cutAt("ab'cd", 2), "not before an apostrophe");
        assertTrue(!ChunkedTokenizer.cutAt("abcd", 2), "never inside a word");
    }
}

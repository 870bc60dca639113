package dev.hallmark.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fast engine's API contract (the same as {@link HfTokenizer}'s) and hand-picked hard inputs. */
class FastBpeTokenizerTest {

    private static Differential diff;
    private static FastBpeTokenizer fast;

    @BeforeAll
    static void open() {
        diff = Differential.qwen3();
        fast = diff.fast;
    }

    @AfterAll
    static void close() {
        diff.close();
    }

    static List<String> hardCases() {
        List<String> c = new ArrayList<>(List.of(
                "", " ", "  ", "\n", "\r\n", "a", "Hello, world!", "It's we'll THEY'RE 'S 'ſ x'd ''ll",
                "   leading and trailing   ", "tabs\tand\u000Bvertical\u000Cfeed", "x\u00A0y \u3000z\u2028w\u0085v",
                "line1\n\n\nline2\r\n\r\n  line3 \n", "1234567890 3.14159 1,000,000 -42 ٣٤٥ ５６ ²³ Ⅻ",
                "naïve café Ångström e\u0301 A\u030A \u212B \uFB01 \u1100\u1161\u11A8",
                "漢字かなカナ한국어ภาษาไทย हिन्दी العربية עברית", "\u202Eevil\u202C \u2066iso\u2069",
                "👨‍👩‍👧‍👦 👍🏽 🏳️‍🌈 🇩🇪🇺🇸 1️⃣ ❤️ \uD83E\uDEF6",
                "a\u0300\u0316\u0301\u0323b \u0915\u094D\u0937 \u05D0\u05B8\u05BC",
                "\u0000\u0001\u001B[31mred\u001B[0m\u007F\u0080\u009F\uFEFF\uFFFD\uFFFF\uE000",
                "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\nok<|endoftext|>",
                "<|im_start <|im_end|| <|endoftext|>> <<think>> <tool_call>{\"a\":1}</tool_call>",
                "a\uD800b", "\uDC00", "x\uD83D", "\uD83D\uDE00\uD800\u0000z", "{\"json\": [1, 2.5e-3, null, \"\\u00e9\"]}",
                "    def f(x):\n        return x ** 2  # comment\n", "https://example.com/path?q=a&b=c#frag"));
        c.add("a".repeat(100_000));
        c.add("9".repeat(50_000));
        c.add(" ".repeat(70_000) + "x");
        c.add("\n".repeat(10_000) + "  \n");
        c.add("漢".repeat(40_000));
        c.add("\u0301".repeat(5_000) + "e" + "\u0323\u0301".repeat(3_000));
        c.add("ab ".repeat(30_000));
        c.add("😀".repeat(20_000));
        return c;
    }

    @Test
    void hardCasesMatchHfIncludingWordBoundaries() {
        for (String s : hardCases()) {
            assertNull(diff.compareSplits(s));
        }
    }

    @Test
    void unpairedSurrogatesAndNulAreRewrittenAsDjlDoes() {
        // DJL's JNI string conversion: with an unpaired surrogate the whole string goes through lossy
        // UTF-8 of modified UTF-8 (every surrogate -> 3 x U+FFFD, NUL -> 2 x U+FFFD)
        String s = "a\u0000\uD83D\uDE00b\uD800";
        assertEquals("a\uFFFD\uFFFD" + "\uFFFD".repeat(6) + "b\uFFFD\uFFFD\uFFFD", fast.decode(fast.encode(s)));
        assertArrayEquals(diff.hf.encode(s), fast.encode(s));
        // without an unpaired surrogate, NUL and pairs pass through
        assertEquals("a\u0000\uD83D\uDE00b", fast.decode(fast.encode("a\u0000\uD83D\uDE00b")));
    }

    @Test
    void decodeMatchesHfOnRandomIdSequences() {
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i < 2_000; i++) {
            int[] ids = new int[r.nextInt(12)];
            for (int k = 0; k < ids.length; k++) {
                ids[k] = r.nextInt(4) == 0 ? 151_643 + r.nextInt(26) : r.nextInt(fast.vocabularySize());
            }
            assertEquals(diff.hf.decode(ids), fast.decode(ids), () -> java.util.Arrays.toString(ids));
            if (ids.length > 2) {
                assertEquals(diff.hf.decode(ids, 1, ids.length - 2), fast.decode(ids, 1, ids.length - 2));
            }
        }
        for (String s : hardCases()) {
            int[] ids = fast.encode(s);
            assertEquals(diff.hf.decode(ids), fast.decode(ids));
        }
    }

    @Test
    void decodeRejectsIdsOutsideTheVocabulary() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> fast.decode(new int[] {5, 151_669}));
        assertTrue(e.getMessage().contains("151669") && e.getMessage().contains("index 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> fast.decode(new int[] {-1}));
        assertThrows(IndexOutOfBoundsException.class, () -> fast.decode(new int[] {1, 2}, 1, 2));
    }

    @Test
    void vocabularyAndPathAsHf() {
        assertEquals(Tokenizers.QWEN3_VOCABULARY_SIZE, fast.vocabularySize());
        assertEquals(diff.hf.vocabularySize(), fast.vocabularySize());
        assertEquals(Tokenizers.locate(System::getProperty, System::getenv).path(), fast.path());
        assertEquals("<|endoftext|>", fast.decode(new int[] {Tokenizers.QWEN3_END_OF_TEXT}));
        assertArrayEquals(new int[0], fast.encode(""));
        assertEquals("", fast.decode(new int[0]));
    }

    @Test
    void batchesEqualSingleEncodesOnBothPaths() {
        List<String> small = List.of("first", "", "second 漢字");
        int[][] b = fast.encodeBatch(small);
        for (int i = 0; i < small.size(); i++) {
            assertArrayEquals(fast.encode(small.get(i)), b[i]);
        }
        List<String> big = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 400; i++) {
            big.add(FastBpeFuzzTest.randomString(r).repeat(20));
        }
        int[][] parallel = fast.encodeBatch(big);
        int[][] hf = diff.hf.encodeBatch(big);
        for (int i = 0; i < big.size(); i++) {
            assertArrayEquals(hf[i], parallel[i], "text " + i);
        }
        assertThrows(NullPointerException.class, () -> fast.encodeBatch(java.util.Arrays.asList("a", null)));
    }

    @Test
    void concurrentUseGivesTheSameIds() throws Exception {
        List<String> texts = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < 300; i++) {
            texts.add(FastBpeFuzzTest.randomString(r));
        }
        List<int[]> expected = new ArrayList<>();
        texts.forEach(t -> expected.add(fast.encode(t)));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int offset = t;
                results.add(pool.submit(() -> {
                    for (int k = 0; k < 3 * texts.size(); k++) {
                        int i = (k * 7 + offset) % texts.size();
                        if (!java.util.Arrays.equals(expected.get(i), fast.encode(texts.get(i)))) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> f : results) {
                assertTrue(f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Steady state: encoding into a reused buffer allocates nothing, whatever the cache holds. */
    @Test
    void encodeToAllocatesNothingOnceWarm() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        StringBuilder b = new StringBuilder();
        SplittableRandom r = new SplittableRandom(9);
        for (int i = 0; i < 300; i++) {
            b.append(FastBpeFuzzTest.randomString(r)).append(' ');
        }
        String text = b.toString() + " naïve e\u0301 漢字 <|im_end|> words words words";
        TokenIds out = new TokenIds();
        for (int i = 0; i < 50; i++) {
            out.clear();
            fast.encodeTo(text, out);
        }
        long before = mx.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 200; i++) {
            out.clear();
            fast.encodeTo(text, out);
        }
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 4096, "allocated " + allocated + " bytes in 200 warm calls");
        assertArrayEquals(diff.hf.encode(text), out.toArray());
        // a tiny cache (one entry) changes speed, never ids
        FastBpeTokenizer tiny = FastBpeTokenizer.open(Tokenizers.locate(System::getProperty, System::getenv).path(), 1);
        assertArrayEquals(out.toArray(), tiny.encode(text));
        tiny.close();
    }

    @Test
    void tokenIdsBuffer() {
        TokenIds t = new TokenIds(0);
        for (int i = 0; i < 100; i++) {
            t.add(i);
        }
        assertEquals(100, t.size());
        assertEquals(42, t.get(42));
        assertThrows(IndexOutOfBoundsException.class, () -> t.get(100));
        int[] before = t.array();
        t.clear();
        assertEquals(0, t.size());
        assertSame(before, t.array());
        assertThrows(IllegalArgumentException.class, () -> new TokenIds(-1));
    }

    @Test
    void closedTokenizerRefusesWork() {
        FastBpeTokenizer t = FastBpeTokenizer.open(Tokenizers.locate(System::getProperty, System::getenv).path());
        t.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.encode("x"));
        assertTrue(e.getMessage().contains("closed"));
        t.close();
    }

    @Test
    void missingFileNamesThePath(@TempDir Path dir) {
        Path missing = dir.resolve("nope.json");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> FastBpeTokenizer.open(missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FastBpeTokenizer.open(Tokenizers.locate(System::getProperty, System::getenv).path(), 3));
    }

    @Test
    void engineChoice(@TempDir Path dir) {
        assertEquals(TokenizerEngine.FAST, TokenizerEngine.parse("fast"));
        assertEquals(TokenizerEngine.HF, TokenizerEngine.parse(" HF "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TokenizerEngine.parse("rust"));
        assertTrue(e.getMessage().contains("fast, hf"), e.getMessage());
        try (TextTokenizer a = TokenizerEngine.FAST.open(Tokenizers.locate(System::getProperty, System::getenv).path());
                TextTokenizer b = TokenizerEngine.HF.open(Tokenizers.locate(System::getProperty, System::getenv).path())) {
            assertTrue(a instanceof FastBpeTokenizer && b instanceof HfTokenizer);
            assertArrayEquals(b.encode("same ids"), a.encode("same ids"));
        }
        try (TextTokenizer a = TokenizerEngine.FAST.open(Tokenizers.locate(System::getProperty, System::getenv).path(), dir);
                TextTokenizer b = TokenizerEngine.HF.open(Tokenizers.locate(System::getProperty, System::getenv).path(), dir)) {
            assertTrue(a instanceof FastBpeTokenizer && b instanceof HfTokenizer);
            assertArrayEquals(b.encode("same ids"), a.encode("same ids"));
        }
    }

    /** Each unsupported feature is refused with a message naming it (HF would open these files). */
    @Test
    void unsupportedFilesAreRefusedByName(@TempDir Path dir) throws IOException {
        refused(dir, t -> t.putObject("normalizer").put("type", "NFKC"), "normalizer NFKC");
        refused(dir, t -> ((ObjectNode) t.get("model")).put("type", "WordPiece"), "model type WordPiece");
        refused(dir, t -> ((ObjectNode) t.get("model")).put("byte_fallback", true), "byte_fallback");
        refused(dir, t -> ((ObjectNode) t.get("model")).put("dropout", 0.1), "dropout");
        refused(dir, t -> ((ObjectNode) t.get("model")).put("continuing_subword_prefix", "##"), "continuing_subword_prefix");
        refused(dir, t -> t.putObject("pre_tokenizer").put("type", "Metaspace"), "pre_tokenizer [Metaspace]");
        refused(dir, t -> ((ObjectNode) t.get("pre_tokenizer").get("pretokenizers").get(0)).putObject("pattern")
                .put("Regex", "\\w+|\\s+"), "Split regex \\w+|\\s+");
        refused(dir, t -> ((ObjectNode) t.get("pre_tokenizer").get("pretokenizers").get(0))
                .put("behavior", "MergedWithPrevious"), "Split behavior MergedWithPrevious");
        refused(dir, t -> t.putObject("decoder").put("type", "Metaspace"), "decoder");
        refused(dir, t -> t.putObject("post_processor").put("type", "Unknown"), "post_processor Unknown");
        refused(dir, t -> ((ObjectNode) t.get("added_tokens").get(0)).put("single_word", true), "single_word");
        refused(dir, t -> ((ObjectNode) t.get("added_tokens").get(0)).put("id", 7), "has id 7");
    }

    /**
     * A tiny but complete Qwen-shaped byte-level BPE file: the 256 byte tokens, "ab" and "abc",
     * and one special token.
     */
    static ObjectNode tiny() {
        ObjectMapper om = new ObjectMapper();
        ObjectNode t = om.createObjectNode();
        t.put("version", "1.0");
        t.putArray("added_tokens").add(FastBpeFormatsTest.added("<|x|>", 258, true, false, false, false));
        t.putObject("normalizer").put("type", "NFC");
        ObjectNode pre = t.putObject("pre_tokenizer");
        pre.put("type", "Sequence");
        ObjectNode split = pre.putArray("pretokenizers").addObject();
        split.put("type", "Split");
        split.putObject("pattern").put("Regex", PreTokenizerScanner.QWEN2_PATTERN);
        split.put("behavior", "Isolated");
        split.put("invert", false);
        pre.withArray("pretokenizers").add(FastBpeFormatsTest.byteLevel(false, false));
        t.set("post_processor", FastBpeFormatsTest.byteLevel(false, false));
        t.set("decoder", FastBpeFormatsTest.byteLevel(false, false));
        ObjectNode model = t.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        ObjectNode vocab = model.putObject("vocab");
        for (int b = 0; b < 256; b++) {
            vocab.put(String.valueOf(BpeModel.BYTE_CHAR[b]), b);
        }
        vocab.put("ab", 256);
        vocab.put("abc", 257);
        model.putArray("merges").add("a b").add("ab c");
        return t;
    }

    @Test
    void tinyHandWrittenFileMatchesHf(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("tiny.json");
        new ObjectMapper().writeValue(f.toFile(), tiny());
        try (Differential d = Differential.open(f)) {
            for (String s : List.of("abc abcd xab", "<|x|>abc<|x|", "naïve 12 'S", "")) {
                assertNull(d.compareSplits(s));
            }
            assertArrayEquals(new int[] {257, 258, 256}, d.fast.encode("abc<|x|>ab"));
            assertEquals(259, d.fast.vocabularySize());
        }
    }

    private static void refused(Path dir, Consumer<ObjectNode> edit, String expected) throws IOException {
        ObjectMapper om = new ObjectMapper();
        ObjectNode t = tiny();
        edit.accept(t);
        Path f = Files.createTempFile(dir, "tok", ".json");
        om.writeValue(f.toFile(), t);
        UnsupportedTokenizerException e = assertThrows(UnsupportedTokenizerException.class, () -> FastBpeTokenizer.open(f));
        assertTrue(e.getMessage().contains(expected) && e.getMessage().contains(f.toString())
                && e.getMessage().contains("--engine hf"), e.getMessage());
    }
}

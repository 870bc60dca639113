package dev.hallmark.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests against the real Qwen3 tokenizer fetched by the build (datasets/fetch-tokenizer.sh). */
class HfTokenizerTest {

    private static HfTokenizer tok;

    @BeforeAll
    static void open() {
        tok = Tokenizers.locate(System::getProperty, System::getenv).open();
    }

    @AfterAll
    static void close() {
        tok.close();
    }

    @Test
    void vocabularySizeOfQwen3IncludesSpecials() {
        assertEquals(Tokenizers.QWEN3_VOCABULARY_SIZE, tok.vocabularySize());
        assertEquals("<|endoftext|>", tok.decode(new int[] {Tokenizers.QWEN3_END_OF_TEXT}));
    }

    @Test
    void roundTripsPlainEnglish() {
        String s = "In the beginning God created the heaven and the earth.";
        int[] ids = tok.encode(s);
        assertTrue(ids.length > 5 && ids.length < s.length(), "BPE should merge characters: " + ids.length);
        assertEquals(s, tok.decode(ids));
        // ids agree with DJL's full Encoding path
        assertEquals("In", tok.decode(ids, 0, 1));
    }

    @Test
    void longTextIsNotTruncated() {
        StringBuilder b = new StringBuilder();
        SplittableRandom r = new SplittableRandom(7);
        String[] words = {"the", "watermark", "token", "model", "detects", "green", "list", "of", "a", "and"};
        for (int i = 0; i < 3000; i++) {
            b.append(words[r.nextInt(words.length)]).append(i % 17 == 16 ? ". " : " ");
        }
        String s = b.toString();
        int[] ids = tok.encode(s);
        assertTrue(ids.length > 2000, "expected far more than 512 tokens, got " + ids.length);
        assertEquals(s, tok.decode(ids));
    }

    @Test
    void unicodeRoundTrips() {
        for (String s : List.of("水は低きに流れる。漢字とかな", "emoji 🙂👍🏽 family 👨‍👩‍👧 flags 🇩🇪",
                "café naïve Ångström façade — “quotes” …", "Ελληνικά и русский текст", "\t tabs\nand\r\nnewlines  ")) {
            int[] ids = tok.encode(s);
            assertTrue(ids.length > 0);
            for (int id : ids) {
                assertTrue(id >= 0 && id < tok.vocabularySize());
            }
            assertEquals(s, tok.decode(ids), s);
        }
    }

    @Test
    void emptyInput() {
        assertArrayEquals(new int[0], tok.encode(""));
        assertEquals("", tok.decode(new int[0]));
        assertEquals("", tok.decode(new int[] {1, 2, 3}, 1, 0));
    }

    @Test
    void batchEncodeMatchesSingleEncode() {
        List<String> texts = List.of("first text", "", "second, longer text with 漢字", "third");
        int[][] batch = tok.encodeBatch(texts);
        assertEquals(texts.size(), batch.length);
        for (int i = 0; i < texts.size(); i++) {
            assertArrayEquals(tok.encode(texts.get(i)), batch[i], texts.get(i));
        }
    }

    @Test
    void decodeRejectsIdsOutsideTheVocabulary() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> tok.decode(new int[] {5, 151_669}));
        assertTrue(e.getMessage().contains("151669") && e.getMessage().contains("index 1"), e.getMessage());
    }

    @Test
    void missingFileNamesThePathAndHowToFetch(@TempDir Path dir) {
        Path missing = dir.resolve("nope").resolve("tokenizer.json");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> HfTokenizer.open(missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("fetch-tokenizer.sh"), e.getMessage());
    }

    @Test
    void locateHonoursTheSettingThenTheEnvironmentThenTheCache(@TempDir Path dir) {
        Path p = dir.resolve("x.json");
        java.util.Map<String, String> props = new java.util.HashMap<>();
        java.util.Map<String, String> env = new java.util.HashMap<>();
        props.put("user.home", dir.toString());
        assertEquals(dir.resolve(".cache/hallmark/tokenizers/qwen3/tokenizer.json"),
                Tokenizers.locate(props::get, env::get).path());
        env.put(Tokenizers.CACHE_ENV, dir.resolve("c").toString());
        assertEquals(dir.resolve("c/tokenizers/qwen3/tokenizer.json"), Tokenizers.locate(props::get, env::get).path());
        env.put(Tokenizers.TOKENIZER_ENV, dir.resolve("e.json").toString());
        assertEquals(dir.resolve("e.json"), Tokenizers.locate(props::get, env::get).path());
        props.put(Tokenizers.TOKENIZER_PROPERTY, p.toString());
        Tokenizers.Location loc = Tokenizers.locate(props::get, env::get);
        assertEquals(p, loc.path());
        UncheckedIOException e = assertThrows(UncheckedIOException.class, loc::open);
        assertTrue(e.getMessage().contains(p.toString()) && e.getMessage().contains("setting hallmark.tokenizer"),
                e.getMessage());
    }

    @Test
    void vocabularySizeFromASmallHandWrittenTokenizer(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("tokenizer.json");
        Files.writeString(f, "{\"version\":\"1.0\",\"added_tokens\":[{\"id\":7,\"content\":\"<s>\"}],"
                + "\"model\":{\"type\":\"WordLevel\",\"vocab\":{\"a\":0,\"b\":3},\"unk_token\":\"a\"}}");
        assertEquals(8, HfTokenizer.readVocabularySize(f));
        Files.writeString(f, "{\"model\":{\"type\":\"WordLevel\",\"vocab\":{\"a\":0,\"b\":12}}}");
        assertEquals(13, HfTokenizer.readVocabularySize(f));
    }
}

package dev.hallmark.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The on-disk cache of compiled tokenizers: a cached load is the same tokenizer, and bad files are ignored. */
class CompiledCacheTest {

    @Test
    void cachedLoadIsTheSameTokenizer(@TempDir Path dir) throws IOException {
        for (Path json : List.of(Tokenizers.locate(System::getProperty, System::getenv).path(), FastBpeFormatsTest.cached("llama3"))) {
            Path cache = dir.resolve("compiled");
            FastBpeTokenizer direct = FastBpeTokenizer.open(json);
            FastBpeTokenizer first = FastBpeTokenizer.open(json, cache);
            Path file = CompiledCache.file(cache, CompiledCache.Key.of(json));
            assertTrue(Files.isRegularFile(file), "cache written: " + file);
            FastBpeTokenizer second = FastBpeTokenizer.open(json, cache);
            assertNotNull(CompiledCache.read(file, CompiledCache.Key.of(json)));
            sameCompiled(direct.compiled(), second.compiled());
            SplittableRandom r = new SplittableRandom(17);
            List<String> texts = new java.util.ArrayList<>(FastBpeTokenizerTest.hardCases());
            for (int i = 0; i < 300; i++) {
                texts.add(FastBpeFuzzTest.randomString(r));
            }
            for (String s : texts) {
                int[] ids = direct.encode(s);
                assertArrayEquals(ids, first.encode(s));
                assertArrayEquals(ids, second.encode(s));
                assertEquals(direct.decode(ids), second.decode(ids));
            }
            assertEquals(direct.vocabularySize(), second.vocabularySize());
        }
    }

    @Test
    void damagedOrForeignCacheFilesAreIgnoredAndRewritten(@TempDir Path dir) throws IOException {
        Path json = dir.resolve("tiny.json");
        new ObjectMapper().writeValue(json.toFile(), FastBpeTokenizerTest.tiny());
        Path cache = dir.resolve("c");
        FastBpeTokenizer.open(json, cache).close();
        CompiledCache.Key key = CompiledCache.Key.of(json);
        Path file = CompiledCache.file(cache, key);
        byte[] good = Files.readAllBytes(file);

        byte[] bad = good.clone();
        bad[bad.length / 2] ^= 1;
        Files.write(file, bad);
        assertNull(CompiledCache.read(file, key), "checksum catches a flipped bit");
        assertArrayEquals(new int[] {257, 258, 256}, FastBpeTokenizer.open(json, cache).encode("abc<|x|>ab"));
        assertArrayEquals(good, Files.readAllBytes(file), "rewritten");

        Files.write(file, new byte[] {1, 2, 3});
        assertNull(CompiledCache.read(file, key));
        CompiledCache.Key other = new CompiledCache.Key(key.size(), key.crc32() ^ 1, key.adler32());
        Files.write(file, good);
        assertNull(CompiledCache.read(file, other), "a cache file for other contents is not used");
        assertNotEquals(CompiledCache.file(cache, key), CompiledCache.file(cache, other));

        // an edited tokenizer.json gets its own cache file
        Files.writeString(json, Files.readString(json).replace("\"ab c\"", "\"a b\""));
        assertNotEquals(file, CompiledCache.file(cache, CompiledCache.Key.of(json)));
    }

    @Test
    void unwritableCacheOnlyCostsSpeed(@TempDir Path dir) throws IOException {
        Path blocker = dir.resolve("not-a-dir");
        Files.writeString(blocker, "x");
        FastBpeTokenizer t = FastBpeTokenizer.open(Tokenizers.locate(System::getProperty, System::getenv).path(), blocker.resolve("sub"));
        assertArrayEquals(FastBpeTokenizer.open(Tokenizers.locate(System::getProperty, System::getenv).path()).encode("hello world"), t.encode("hello world"));
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> FastBpeTokenizer.open(dir.resolve("missing.json"), dir));
        assertTrue(e.getMessage().contains("missing.json"), e.getMessage());
    }

    private static void sameCompiled(FastBpeTokenizer.Compiled a, FastBpeTokenizer.Compiled b) {
        assertEquals(a.nfc(), b.nfc());
        assertEquals(a.pattern(), b.pattern());
        assertEquals(a.prefixSpace(), b.prefixSpace());
        assertEquals(a.prefixPerPiece(), b.prefixPerPiece());
        assertEquals(a.vocabularySize(), b.vocabularySize());
        assertEquals(a.raw(), b.raw());
        assertEquals(a.normalized(), b.normalized());
        BpeModel.Parts p = a.model().parts();
        BpeModel.Parts q = b.model().parts();
        assertArrayEquals(p.byteToId(), q.byteToId());
        assertEquals(p.unkId(), q.unkId());
        assertEquals(p.fuseUnk(), q.fuseUnk());
        assertEquals(p.ignoreMerges(), q.ignoreMerges());
        assertArrayEquals(p.mergeTable(), q.mergeTable());
        assertArrayEquals(p.wordSlots(), q.wordSlots());
        assertArrayEquals(p.tokenPool(), q.tokenPool());
        assertArrayEquals(p.tokenStart(), q.tokenStart());
    }
}

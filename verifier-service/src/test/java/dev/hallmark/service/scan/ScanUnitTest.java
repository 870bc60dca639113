package dev.hallmark.service.scan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.service.Problem;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Small pieces of the scan layer on their own: the analysts' coarse numbers, the corpus reader. */
class ScanUnitTest {

    @TempDir
    Path dir;

    @Test
    void conservativeBucketsAndCoarseCounts() {
        assertEquals(0, Disclosure.bucketLog10(-1.99), "p = 0.0102 is above the ladder");
        assertEquals(-2, Disclosure.bucketLog10(-2.0));
        assertEquals(-2, Disclosure.bucketLog10(-2.5), "p = 0.003: the bound 0.01 is at or above it");
        assertEquals(-3, Disclosure.bucketLog10(-5.9));
        assertEquals(-6, Disclosure.bucketLog10(-6.0));
        assertEquals(-12, Disclosure.bucketLog10(-23.9));
        assertEquals(-24, Disclosure.bucketLog10(-400));
        assertEquals(-24, Disclosure.bucketLog10(Double.NEGATIVE_INFINITY), "underflow sinks to the last bucket");
        assertEquals("p > 0.01", Disclosure.bucketLabel(-0.3));
        assertEquals("p <= 1e-6", Disclosure.bucketLabel(-7.2));
        for (double lp = 0; lp > -40; lp -= 0.01) {
            assertTrue(Disclosure.bucketLog10(lp) >= lp, "a bucket bound is never below the exact p-value: " + lp);
        }
        assertEquals(8, Disclosure.coarse(8));
        assertEquals(99, Disclosure.coarse(99));
        assertEquals(130, Disclosure.coarse(137));
        assertEquals(1200, Disclosure.coarse(1299));
        assertEquals(45_000_000, Disclosure.coarse(45_678_901));
    }

    List<CorpusReader.Doc> read(String content, CorpusReader.Format f, CorpusReader.Split s, boolean gz) throws IOException {
        Path p = dir.resolve("c" + System.nanoTime());
        byte[] b = content.getBytes(StandardCharsets.UTF_8);
        if (gz) {
            ByteArrayOutputStream bo = new ByteArrayOutputStream();
            try (GZIPOutputStream g = new GZIPOutputStream(bo)) {
                g.write(b);
            }
            b = bo.toByteArray();
        }
        Files.write(p, b);
        List<CorpusReader.Doc> out = new ArrayList<>();
        try (CorpusReader r = CorpusReader.open(p, f, s, "text", new CorpusReader.Limits(1 << 20, 100, 1000))) {
            assertEquals(gz, r.gzip());
            CorpusReader.Doc d;
            while ((d = r.next()) != null) {
                out.add(d);
            }
            assertEquals(b.length, r.bytesRead(), "progress reaches the file size");
        }
        return out;
    }

    @Test
    void readerSplitsAndNumbersLines() throws IOException {
        List<CorpusReader.Doc> t = read("a b\r\nc\n\n\n d e \n\nf", CorpusReader.Format.TEXT, CorpusReader.Split.BLANK, false);
        assertEquals(List.of("a b\nc", " d e ", "f"), t.stream().map(CorpusReader.Doc::text).toList());
        assertEquals(List.of(1L, 5L, 7L), t.stream().map(CorpusReader.Doc::line).toList());
        List<CorpusReader.Doc> l = read("x\n\ny\n", CorpusReader.Format.TEXT, CorpusReader.Split.LINE, true);
        assertEquals(List.of("x", "y"), l.stream().map(CorpusReader.Doc::text).toList());
        List<CorpusReader.Doc> j = read("{\"text\":\"é\"}\n\n{\"text\":[1,2,3],\"x\":1}\n", CorpusReader.Format.JSONL,
                CorpusReader.Split.BLANK, false);
        assertEquals("é", j.get(0).text());
        assertArrayEquals(new int[] {1, 2, 3}, j.get(1).ids());
        assertNull(j.get(1).text());
        assertEquals(3, j.get(1).line());
    }

    @Test
    void readerRefusesOverlongLinesAndNegativeIds() {
        Problem p = assertThrows(Problem.class, () -> read("x".repeat(1001), CorpusReader.Format.TEXT,
                CorpusReader.Split.LINE, false));
        assertEquals(413, p.getStatusCode());
        assertTrue(p.detail().contains("line 1 is longer than 1000 characters"));
        Problem q = assertThrows(Problem.class, () -> read("{\"text\":[1,-2]}", CorpusReader.Format.JSONL,
                CorpusReader.Split.BLANK, false));
        assertTrue(q.detail().contains("element 1 is not a non-negative integer token id"));
    }
}

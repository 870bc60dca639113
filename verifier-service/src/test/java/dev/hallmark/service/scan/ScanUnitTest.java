package dev.hallmark.service.scan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.corpus.Compression;
import dev.hallmark.corpus.CorpusFormat;
import dev.hallmark.corpus.CorpusOptions;
import dev.hallmark.corpus.Document;
import dev.hallmark.corpus.Limits;
import dev.hallmark.corpus.Split;
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

    List<Document> read(String content, CorpusFormat f, Split s, boolean gz) throws IOException {
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
        List<Document> out = new ArrayList<>();
        CorpusOptions o = CorpusOptions.defaults().withFormat(f).withSplit(s).withLimits(new Limits(1 << 20, 100, 1000));
        try (ScanCorpus r = ScanCorpus.open(p, o)) {
            assertEquals(gz ? Compression.GZIP : Compression.NONE, r.info().compression());
            Document d;
            while ((d = r.next()) != null) {
                out.add(d);
            }
            assertEquals(b.length, r.bytesRead(), "progress reaches the file size");
        }
        return out;
    }

    @Test
    void readerSplitsAndNumbersLines() throws IOException {
        List<Document> t = read("a b\r\nc\n\n\n d e \n\nf", CorpusFormat.TEXT, Split.BLANK, false);
        assertEquals(List.of("a b\nc", " d e ", "f"), t.stream().map(Document::text).toList());
        assertEquals(List.of(1L, 5L, 7L), t.stream().map(Document::line).toList());
        List<Document> l = read("x\n\ny\n", CorpusFormat.TEXT, Split.LINE, true);
        assertEquals(List.of("x", "y"), l.stream().map(Document::text).toList());
        List<Document> j = read("{\"text\":\"é\"}\n\n{\"text\":[1,2,3],\"x\":1}\n", null, Split.BLANK, false);
        assertEquals("é", j.get(0).text());
        assertArrayEquals(new int[] {1, 2, 3}, j.get(1).ids());
        assertNull(j.get(1).text());
        assertEquals(3, j.get(1).line());
    }

    @Test
    void corpusErrorsBecomeProblemsNamingTheLine() {
        Problem p = assertThrows(Problem.class, () -> read("x".repeat(1001), CorpusFormat.TEXT, Split.LINE, false));
        assertEquals(413, p.getStatusCode());
        assertTrue(p.detail().contains("line 1: longer than 1000 characters"), p.detail());
        Problem q = assertThrows(Problem.class, () -> read("{\"text\":[1,-2]}", CorpusFormat.JSONL, Split.BLANK, false));
        assertTrue(q.detail().contains("element 1 is not a non-negative integer token id"));
        assertEquals(400, q.getStatusCode());
        Problem r = assertThrows(Problem.class, () -> read("{\"conversations\": [{\"from\": \"human\", \"value\": \"x\"}]}",
                null, Split.BLANK, false));
        assertTrue(r.detail().contains("line 1: a chat record without an assistant turn"), r.detail());
        Problem u = assertThrows(Problem.class, () -> read("{\"text\": \"a\"}\n{\"text\": \"\n", null, Split.BLANK, false));
        assertEquals("/problems/malformed-json", u.type());
    }

    @Test
    void displayedPValuesNeverOverstateTheEvidence() {
        var f = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance;
        // the cases: p computed from an already rounded log10 p showed 1.0e-16 and 1.0e-25
        assertEquals("1.6e-16", PValues.text(f.numberNode(1.6e-16), f.numberNode(Math.log10(1.6e-16))));
        assertEquals("2.6e-25", PValues.text(null, f.numberNode(-24.6)), "10^-24.6 = 2.51e-25, rounded up");
        assertEquals("2.6e-25", PValues.text(f.numberNode(Math.pow(10, -24.6)), f.numberNode(-24.6)));
        assertEquals("2.6&times;10<sup>-25</sup>", PValues.html(f.numberNode(Math.pow(10, -24.6)), null));
        assertEquals("0.0032", PValues.text(f.numberNode(0.00312), null));
        assertEquals("0.5", PValues.text(f.numberNode(0.5), null));
        assertEquals("1", PValues.text(f.numberNode(0.999), null));
        assertEquals("5.1e-401", PValues.text(f.numberNode(0.0), f.numberNode(-400.3)), "past 1e-308, from log10 p");
        // an analyst's bucket bound is shown as itself: the display is consistent with the buckets
        String[] shownBounds = {"0.01", "0.001", "1.0e-6", "1.0e-12", "1.0e-24"};
        for (int i = 0; i < Disclosure.LADDER_LOG10.length; i++) {
            int b = Disclosure.LADDER_LOG10[i];
            assertEquals(shownBounds[i], PValues.text(f.numberNode(Math.pow(10, b)), f.numberNode((double) b)));
        }
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(7);
        for (int i = 0; i < 10_000; i++) {
            double lp = -rnd.nextDouble() * 300;
            double p = Math.pow(10, lp);
            double shown = Double.parseDouble(PValues.text(f.numberNode(p), f.numberNode(lp)));
            assertTrue(shown >= p, "shown " + shown + " < p " + p);
            assertTrue(shown <= p * 1.1 + 1e-300, "within one step of the 2nd digit: " + shown + " for " + p);
            assertTrue(Double.parseDouble(PValues.text(f.numberNode(Math.pow(10, Disclosure.bucketLog10(lp))),
                    f.numberNode((double) Disclosure.bucketLog10(lp)))) >= p, "a bucket bound shown is never below p");
        }
    }
}

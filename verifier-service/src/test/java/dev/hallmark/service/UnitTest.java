package dev.hallmark.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Small pieces on their own: quantisation, sealing, the corpus reader, argument parsing. */
class UnitTest {

    @TempDir
    Path dir;

    @Test
    void significantDigits() {
        assertEquals(-12.0, Quantize.significant(-12.345, 2));
        assertEquals(-0.43, Quantize.significant(-0.4321, 2));
        assertEquals(2.3e-75, Quantize.significant(2.3456e-75, 2));
        assertEquals(140.0, Quantize.significant(137, 2));
        assertEquals(0.0, Quantize.significant(0, 2));
        assertTrue(Double.isNaN(Quantize.significant(Double.NaN, 2)));
    }

    @Test
    void sealedSecretsOpenOnlyWithTheSameKeyAndRow() {
        SecureRandom r = new SecureRandom();
        byte[] master = new byte[32];
        r.nextBytes(master);
        SecretBox box = SecretBox.of(master, r);
        byte[] secret = TestSupport.secret("sealed");
        byte[] sealed = box.seal(secret, "hk-1");
        assertEquals(1 + 12 + 32 + 16, sealed.length, "version, nonce, ciphertext, tag");
        assertArrayEquals(secret, box.open(sealed, "hk-1"));
        assertTrue(assertThrows(IllegalStateException.class, () -> box.open(sealed, "hk-2")).getMessage()
                .contains("wrong master key or tampered database"), "bound to its row");
        byte[] tampered = sealed.clone();
        tampered[20] ^= 1;
        assertThrows(IllegalStateException.class, () -> box.open(tampered, "hk-1"));
        byte[] other = master.clone();
        other[0] ^= 1;
        assertThrows(IllegalStateException.class, () -> SecretBox.of(other, r).open(sealed, "hk-1"));
        assertTrue(!java.util.Arrays.equals(sealed, box.seal(secret, "hk-1")), "fresh nonce per seal");
    }

    @Test
    void masterKeyFileIsCreatedPrivate() throws IOException {
        SecretBox.load(dir, new SecureRandom());
        Path f = dir.resolve("master.key");
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        byte[] before = Files.readAllBytes(f);
        SecretBox.load(dir, new SecureRandom());
        assertArrayEquals(before, Files.readAllBytes(f), "kept across starts");
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

    @Test
    void commandLine() {
        Main.Parsed p = Main.parse(new String[] {"--port", "9000", "--data-dir", "/tmp/x", "--demo", "--rate-burst", "7"});
        assertEquals(9000, p.config().port());
        assertEquals(Path.of("/tmp/x"), p.config().dataDir());
        assertEquals(7, p.config().rateBurst());
        assertTrue(p.demo());
        Main.Parsed d = Main.parse(new String[0]);
        assertEquals(8080, d.config().port());
        assertEquals(Path.of("hallmark-data"), d.config().dataDir());
        assertEquals("127.0.0.1", d.config().host());
        assertNull(Main.parse(new String[] {"--help"}));
        assertEquals("unknown option '--prot'", assertThrows(IllegalArgumentException.class,
                () -> Main.parse(new String[] {"--prot", "1"})).getMessage());
        assertEquals("--port needs an integer, got 'x'", assertThrows(IllegalArgumentException.class,
                () -> Main.parse(new String[] {"--port", "x"})).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Main.parse(new String[] {"--port", "70000"}))
                .getMessage().contains("port must be 0..65535"));
    }
}

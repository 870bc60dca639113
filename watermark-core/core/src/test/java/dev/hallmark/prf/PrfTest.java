package dev.hallmark.prf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.hash.Hashing;
import dev.hallmark.testing.TestKeys;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PrfTest {

    private static final long K0 = 0x0706050403020100L;
    private static final long K1 = 0x0f0e0d0c0b0a0908L;

    /** Published SipHash-2-4 vectors (Aumasson and Bernstein, appendix A): key 00..0f, message 00..(n-1). */
    @Test
    void matchesPublishedSipHashVectors() {
        assertEquals(0x726fdb47dd0e0e31L, Prf.sipHash24(K0, K1, new byte[0]));
        byte[] fifteen = new byte[15];
        for (int i = 0; i < 15; i++) {
            fifteen[i] = (byte) i;
        }
        assertEquals(0xa129ca6149be45e5L, Prf.sipHash24(K0, K1, fifteen));
    }

    @Test
    void byteReferenceAgreesWithGuava() {
        SplittableRandom r = new SplittableRandom(1);
        for (int len = 0; len < 64; len++) {
            byte[] m = new byte[len];
            r.nextBytes(m);
            long k0 = r.nextLong();
            long k1 = r.nextLong();
            long guava = Hashing.sipHash24(k0, k1).hashBytes(m).asLong();
            assertEquals(guava, Prf.sipHash24(k0, k1, m), "length " + len);
        }
    }

    @Test
    void tokenMessagesAreLittleEndianWords() {
        SplittableRandom r = new SplittableRandom(2);
        for (int trial = 0; trial < 2000; trial++) {
            long k0 = r.nextLong();
            long k1 = r.nextLong();
            Prf prf = Prf.ofRawKey(k0, k1);
            int len = r.nextInt(9);
            int[] ctx = new int[len + 3];
            for (int i = 0; i < ctx.length; i++) {
                ctx[i] = r.nextInt();
            }
            int off = r.nextInt(3);
            int cand = r.nextInt();
            ByteBuffer b = ByteBuffer.allocate(4 * (len + 1)).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < len; i++) {
                b.putInt(ctx[off + i]);
            }
            b.putInt(cand);
            long expect = Hashing.sipHash24(k0, k1).hashBytes(b.array()).asLong();
            assertEquals(expect, prf.hash(ctx, off, len, cand));
            if (len == 0) {
                assertEquals(expect, prf.hash(cand));
            }
            if (len == 1) {
                assertEquals(expect, prf.hash(ctx[off], cand));
            }
        }
    }

    /** The documented vectors in src/test/resources/prf/vectors.tsv (format described in its header). */
    @Test
    void documentedVectors() throws IOException {
        List<String> lines;
        try (InputStream in = PrfTest.class.getResourceAsStream("/prf/vectors.tsv")) {
            lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.startsWith("#") && !l.isBlank()).toList();
        }
        assertTrue(lines.size() >= 10);
        for (String line : lines) {
            String[] f = line.split("\t");
            long seed = Long.parseLong(f[0]);
            String purpose = f[1];
            String[] c = f[2].isEmpty() ? new String[0] : f[2].split(",");
            int[] ctx = new int[c.length];
            for (int i = 0; i < c.length; i++) {
                ctx[i] = Integer.parseInt(c[i]);
            }
            int cand = Integer.parseInt(f[3]);
            long expect = Long.parseUnsignedLong(f[4], 16);
            Prf prf = Prf.of(TestKeys.key(seed), purpose);
            assertEquals(expect, prf.hash(ctx, 0, ctx.length, cand), line);
        }
    }

    @Test
    void differentPurposesAndKeysGiveDifferentFunctions() {
        int[] ctx = {1, 2, 3};
        long a = Prf.of(TestKeys.key(1), "a").hash(ctx, 0, 3, 4);
        long b = Prf.of(TestKeys.key(1), "b").hash(ctx, 0, 3, 4);
        long c = Prf.of(TestKeys.key(2), "a").hash(ctx, 0, 3, 4);
        assertNotEquals(a, b);
        assertNotEquals(a, c);
    }

    @Test
    void unitMappingStaysInsideTheOpenInterval() {
        assertTrue(Prf.toUnitOpen(0L) > 0);
        assertTrue(Prf.toUnitOpen(-1L) < 1);
        assertEquals(0.5, Prf.toUnitOpen(Long.MIN_VALUE), 1e-15);
    }
}

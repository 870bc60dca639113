package dev.hallmark.interop.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.hallmark.key.VllmKey;
import org.junit.jupiter.api.Test;

/** Philox4x32-10 and vLLM's PRF against known answers. */
class VllmPrfTest {

    @Test
    void philoxKnownAnswerFromRandom123() {
        int[] out = new int[4];
        Philox4x32.block(0, 0, 0, 0, 0, 0, out, 0);
        assertArrayEquals(new int[] {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}, out);
        // Random123 kat_vectors: philox4x32 10 ffffffff ffffffff ffffffff ffffffff ffffffff ffffffff
        Philox4x32.block(-1, -1, -1, -1, -1, -1, out, 0);
        assertArrayEquals(new int[] {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}, out);
        // Random123 kat_vectors: pi digits
        Philox4x32.block(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, out, 0);
        assertArrayEquals(new int[] {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}, out);
        for (int lane = 0; lane < 4; lane++) {
            assertEquals(out[lane], Philox4x32.word(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822,
                    0x299f31d0, lane));
        }
    }

    /** vLLM tests/watermarking/test_prf.py: raw words and mantissas for key 42. */
    @Test
    void vllmCompatibilityVector() {
        VllmPrf prf = VllmPrf.of(42);
        int[][] contexts = {{1, 2, 3, 4}, {4, 5, 6, 7}};
        int[] tokens = {7, 8};
        long[][] words = {{425429266L, 2706218805L}, {2494036831L, 3424185538L}};
        int[][] mantissas = {{1661833, 10571167}, {9742331, 13375724}};
        int[] state = new int[4];
        for (int r = 0; r < 2; r++) {
            prf.absorb(contexts[r], 0, 4, 4, state);
            for (int c = 0; c < 2; c++) {
                int w = prf.word(state, tokens[c]);
                assertEquals(words[r][c], Integer.toUnsignedLong(w));
                assertEquals(w, prf.word(contexts[r], 0, 4, 4, tokens[c]));
                assertEquals((float) ((mantissas[r][c] + 1.0) / 16777217.0), VllmPrf.uniform(w));
            }
        }
    }

    @Test
    void paddingReadsMinusOneBeforeTheStart() {
        VllmPrf prf = VllmPrf.of(42);
        int[] padded = {-1, -1, 7, 9};
        int[] plain = {7, 9};
        // context of position 1 in plain (W = 3) is [-1, -1, 7], as in padded before index 3
        assertEquals(prf.word(padded, 0, 3, 3, 9), prf.word(plain, 0, 1, 3, 9));
        // start > 0 hides the prompt
        int[] withPrompt = {5, 5, 7, 9};
        assertEquals(prf.word(padded, 0, 3, 3, 9), prf.word(withPrompt, 2, 3, 3, 9));
        assertNotEquals(prf.word(padded, 0, 3, 3, 9), prf.word(withPrompt, 0, 3, 3, 9));
    }

    @Test
    void shortAndGeneralPathsAgree() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(9);
        for (int trial = 0; trial < 2000; trial++) {
            VllmPrf a = VllmPrf.of(r.nextLong());
            int width = 1 + r.nextInt(6);
            int[] ids = new int[12];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = r.nextInt(200_000);
            }
            int end = r.nextInt(ids.length + 1);
            int token = r.nextInt(200_000);
            int[] state = new int[4];
            a.absorb(ids, 0, end, width, state);
            assertEquals(a.word(state, token), a.word(ids, 0, end, width, token), "width " + width + " end " + end);
        }
    }

    @Test
    void uniformIsInTheOpenUnitIntervalAtBothEnds() {
        assertEquals((float) (1 / 16777217.0), VllmPrf.uniform(0));
        float top = VllmPrf.uniform(-1);
        assertEquals(1 - 0x1p-24f, top);
        assertEquals(24 * Math.log(2), VllmPrf.score(-1), 1e-12);
    }

    /** Notes and goldens: key 42 derives key_a 37150756557148556, key_b 15826636237805488045. */
    @Test
    void keyDerivation() {
        VllmKey k = VllmKey.of(42);
        assertEquals("37150756557148556", k.keyA().exportDecimal());
        assertEquals("15826636237805488045", k.keyB().exportDecimal());
        VllmKey max = VllmKey.parse("18446744073709551615");
        assertEquals("11075965703501209888", max.keyA().exportDecimal());
        assertEquals("7399018451426338514", max.keyB().exportDecimal());
    }

    @Test
    void sbwHashMatchesJenkinsOnKnownValues() {
        assertEquals(0, VllmPrf.sbwHash(-1), "h(-1) = 0 (+1 before hashing)");
        // 32-bit wrapping and arithmetic shifts: recompute by the definition in long arithmetic
        for (int x : new int[] {0, 1, 2, 127, 151668, Integer.MAX_VALUE - 1, -2}) {
            long i = (int) ((long) x + 1);
            i = (int) (i - (i << 6));
            i = (int) (i ^ (i >> 17));
            i = (int) (i - (i << 9));
            i = (int) (i ^ (i << 4));
            i = (int) (i - (i << 3));
            i = (int) (i ^ (i << 10));
            i = (int) (i ^ (i >> 15));
            assertEquals(i, VllmPrf.sbwHash(x), "x = " + x);
        }
        assertEquals(1073741823, VllmPrf.sbwGammaThreshold(0.5));
    }
}

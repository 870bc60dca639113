package dev.hallmark.interop.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SynthIdReferenceTest {

    private static final BigInteger TWO64 = BigInteger.ONE.shiftLeft(64);

    @Test
    void accumulateHashWrapsLikeInt64Tensors() {
        SplittableRandom r = new SplittableRandom(71);
        for (int i = 0; i < 10_000; i++) {
            long h = r.nextLong();
            long x = i % 2 == 0 ? r.nextInt(200_000) : r.nextLong();
            BigInteger exact = BigInteger.valueOf(h).add(BigInteger.valueOf(x))
                    .multiply(BigInteger.valueOf(6364136223846793005L)).add(BigInteger.ONE).mod(TWO64);
            assertEquals(exact.longValue(), SynthIdReference.accumulateHash(h, x));
        }
    }

    @Test
    void hashIvIsSha256OfLittleEndianKeysModuloLongMax() throws Exception {
        long[] keys = {1, -2, Long.MAX_VALUE, Long.MIN_VALUE, 654};
        byte[] bytes = new byte[keys.length * 8];
        for (int k = 0; k < keys.length; k++) {
            for (int b = 0; b < 8; b++) {
                bytes[k * 8 + b] = (byte) (keys[k] >>> (8 * b));
            }
        }
        BigInteger digest = new BigInteger(1, MessageDigest.getInstance("SHA-256").digest(bytes));
        long expected = digest.mod(BigInteger.valueOf(Long.MAX_VALUE)).longValueExact();
        assertEquals(expected, SynthIdReference.hashIv(keys));
        assertEquals(expected, SynthIdReference.of(keys, 3, 1024).hashIv());
    }

    @Test
    void gBitIsReadAfterTwelveShiftedRounds() {
        SplittableRandom r = new SplittableRandom(73);
        for (int i = 0; i < 2000; i++) {
            long h0 = r.nextLong();
            BigInteger h = BigInteger.valueOf(h0);
            for (int round = 0; round < 12; round++) {
                BigInteger acc = h.add(BigInteger.ONE).multiply(BigInteger.valueOf(6364136223846793005L))
                        .add(BigInteger.ONE).mod(TWO64);
                long signed = acc.longValue();
                h = BigInteger.valueOf(signed).shiftRight(5); // arithmetic shift of the signed value
            }
            int expected = h.shiftRight(30).mod(BigInteger.TWO).intValueExact();
            assertEquals(expected, SynthIdReference.gFromLayerHash(h0));
        }
    }

    /**
     * The repetition mask against a plain transcription of the reference loop: a history list that
     * starts as {@code size} zeros, new hashes pushed at the front, the last dropped. A tiny history
     * and a tiny alphabet make both repeats and evictions frequent.
     */
    @Test
    void repetitionMaskMatchesThePlainHistoryLoop() {
        SplittableRandom r = new SplittableRandom(79);
        for (int size : new int[] {1, 2, 3, 7, 1024}) {
            SynthIdReference ref = SynthIdReference.of(new long[] {5, 6}, 3, size);
            SynthIdReference.Scorer scorer = ref.newScorer();
            for (int trial = 0; trial < 30; trial++) {
                int[] tokens = r.ints(r.nextInt(3, 200), 0, trial % 2 == 0 ? 3 : 50).toArray();
                int rows = ref.rows(tokens.length);
                Deque<Long> history = new ArrayDeque<>();
                for (int i = 0; i < size; i++) {
                    history.add(0L);
                }
                boolean[] expected = new boolean[rows];
                for (int i = 0; i < rows; i++) {
                    long ch = ref.hashIv();
                    for (int j = 0; j < 2; j++) {
                        ch = SynthIdReference.accumulateHash(ch, tokens[i + j]);
                    }
                    expected[i] = !history.contains(ch);
                    history.addFirst(ch);
                    history.removeLast();
                }
                boolean[] got = new boolean[rows];
                scorer.contextRepetitionMask(tokens, 0, tokens.length, got);
                assertArrayEquals(expected, got, "size " + size + " trial " + trial);
            }
        }
    }

    @Test
    void historyTreatsZeroAsSeenWhileZeroSlotsRemain() {
        SynthIdReference.ContextHistory h = new SynthIdReference.ContextHistory(3);
        assertTrue(h.contains(0L));
        h.push(11L);
        h.push(12L);
        assertTrue(h.contains(0L), "one initial zero left");
        h.push(13L);
        assertFalse(h.contains(0L), "all initial zeros evicted");
        assertTrue(h.contains(11L) && h.contains(12L) && h.contains(13L));
        h.push(11L);
        assertTrue(h.contains(11L), "pushed again while the old copy is evicted");
        assertFalse(h.contains(99L));
        h.reset();
        assertTrue(h.contains(0L));
        assertFalse(h.contains(11L));
    }

    @Test
    void eosMasksEveryNgramEndingAtOrAfterTheFirstEos() {
        SynthIdReference ref = SynthIdReference.of(new long[] {1, 2, 3}, 4, 1024);
        SynthIdReference.Scorer s = ref.newScorer();
        int[] tokens = {10, 11, 12, 13, 14, 99, 15, 99, 16};
        boolean[] mask = new boolean[ref.rows(tokens.length)];
        s.eosMask(tokens, 0, tokens.length, 99, mask);
        // Rows end at positions 3..8; the first EOS is at 5.
        assertArrayEquals(new boolean[] {true, true, false, false, false, false}, mask);

        SynthIdReferenceScore withEos = s.score(tokens, 0, tokens.length, 99);
        assertEquals(6, withEos.rows());
        assertEquals(4, withEos.afterEos());
        assertEquals(2, withEos.unmasked());
        SynthIdReferenceScore noEos = s.score(tokens, 0, tokens.length, -1);
        assertEquals(6, noEos.unmasked());
    }

    @Test
    void scoreAgreesWithTheArraysUnderBothMasks() {
        SplittableRandom r = new SplittableRandom(83);
        long[] keys = r.longs(20).toArray();
        SynthIdReference ref = SynthIdReference.of(keys, 5, 1024);
        SynthIdReference.Scorer s = ref.newScorer();
        for (int trial = 0; trial < 20; trial++) {
            int[] tokens = r.ints(r.nextInt(0, 150), 0, trial % 3 == 0 ? 4 : 1000).toArray();
            int eos = trial % 2 == 0 && tokens.length > 0 ? tokens[r.nextInt(tokens.length)] : -1;
            int rows = ref.rows(tokens.length);
            byte[] g = new byte[rows * keys.length];
            boolean[] rep = new boolean[rows];
            boolean[] eosMask = new boolean[rows];
            s.gValues(tokens, 0, tokens.length, g);
            s.contextRepetitionMask(tokens, 0, tokens.length, rep);
            if (eos >= 0) {
                s.eosMask(tokens, 0, tokens.length, eos, eosMask);
            } else {
                java.util.Arrays.fill(eosMask, true);
            }
            long unmasked = 0;
            long ones = 0;
            for (int i = 0; i < rows; i++) {
                if (rep[i] && eosMask[i]) {
                    unmasked++;
                    for (int l = 0; l < keys.length; l++) {
                        ones += g[i * keys.length + l];
                    }
                }
            }
            SynthIdReferenceScore sc = s.score(tokens, 0, tokens.length, eos);
            assertEquals(rows, sc.rows());
            assertEquals(unmasked, sc.unmasked(), "trial " + trial);
            assertEquals(ones, sc.ones(), "trial " + trial);
            assertEquals(unmasked == 0 ? Double.NaN : (double) ones / (unmasked * keys.length), sc.meanG());
        }
    }

    /**
     * Null side: for text independent of the keys the unmasked g-values are fair coins, so the count
     * of ones is Binomial(depth x unmasked, 1/2): alpha 1e-6 two-sided band (|z| < 4.9), fixed seed.
     * Also each layer separately (a layer stuck at 0 or 1 would hide in the pooled count).
     */
    @Test
    void nullGValuesAreFairCoinsPerLayer() {
        SplittableRandom r = new SplittableRandom(89);
        long[] keys = r.longs(30).toArray();
        SynthIdReference ref = SynthIdReference.of(keys, 5, 1024);
        int[] tokens = r.ints(4000, 0, 151669).toArray();
        SynthIdReferenceScore sc = ref.newScorer().score(tokens, 0, tokens.length, -1);
        double n = sc.gValuesScored();
        double z = (sc.ones() - n / 2) / Math.sqrt(n / 4);
        assertTrue(Math.abs(z) < 4.9, "pooled z=" + z);
        int rows = ref.rows(tokens.length);
        byte[] g = new byte[rows * keys.length];
        ref.newScorer().gValues(tokens, 0, tokens.length, g);
        for (int l = 0; l < keys.length; l++) {
            int ones = 0;
            for (int i = 0; i < rows; i++) {
                ones += g[i * keys.length + l];
            }
            double zl = (ones - rows / 2.0) / Math.sqrt(rows / 4.0);
            assertTrue(Math.abs(zl) < 4.9, "layer " + l + " z=" + zl);
        }
    }

    @Test
    void rejectsBadConfigurationsAndBuffers() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SynthIdReference.of(new long[0], 5, 1024));
        assertTrue(e.getMessage().contains("at least one key"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SynthIdReference.of(new long[] {1}, 1, 1024));
        assertTrue(e.getMessage().contains("ngram_len must be at least 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SynthIdReference.of(new long[] {1}, 2, 0));
        assertTrue(e.getMessage().contains("context history"), e.getMessage());
        SynthIdReference ref = SynthIdReference.of(new long[] {1, 2}, 3, 1024);
        e = assertThrows(IllegalArgumentException.class,
                () -> ref.newScorer().gValues(new int[] {1, 2, 3, 4}, 0, 4, new byte[3]));
        assertTrue(e.getMessage().contains("needs 4 slots"), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> ref.newScorer().score(new int[] {1, 2}, 1, 2, -1));
        long[] keys = {1, 2};
        SynthIdReference copy = SynthIdReference.of(keys, 3, 1024);
        keys[0] = 99;
        assertEquals(1, copy.keys()[0], "keys are copied in");
    }
}

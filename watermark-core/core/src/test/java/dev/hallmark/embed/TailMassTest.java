package dev.hallmark.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The tail bound is only as good as its error terms: the fast exponential's error envelope is
 * checked against {@code Math.exp} over the floats in [-32, 0] (every float with
 * {@code -Dhallmark.exhaustive=true}, about 1.1e9 of them and 15 s; every 61st by default), and
 * the bound must contain the exact tail (the exact pass's own weights and sums) on rows of every
 * shape, with the maximum early and late, at several temperatures, while staying narrow.
 */
class TailMassTest {

    private static final double U = 0x1p-24;

    @Test
    void fastExpStaysWithinItsStatedEnvelope() {
        int stride = Boolean.getBoolean("hallmark.exhaustive") ? 1 : 61;
        int hiBits = Float.floatToRawIntBits(32f);
        double worst = 0;
        float worstX = 0;
        long checked = 0;
        for (int bits = 0; bits <= hiBits; bits += stride) {
            float x = -Float.intBitsToFloat(bits);
            double e = Math.exp(x);
            double rel = Math.abs(TailMass.exp(x) / e - 1);
            // Math.exp is within 1 ulp of e^x: 2^-52 on top of the stated envelope
            double allowed = (36 + 2.5 * -x) * U + 0x1p-52;
            if (rel / allowed > worst) {
                worst = rel / allowed;
                worstX = x;
            }
            checked++;
        }
        System.out.printf(Locale.ROOT, "fast exp: %d floats checked, worst error %.3f of the envelope at x = %s%n",
                checked, worst, worstX);
        assertTrue(worst <= 1, "error above (36 + 2.5|x|) 2^-24 at x = " + worstX + " (" + worst + " of it)");
        assertTrue(worst > 0.5, "the envelope should be tight enough to matter (" + worst + ")");
        assertEquals(1f, TailMass.exp(0f));
        assertTrue(TailMass.exp(Float.NEGATIVE_INFINITY) > 0 && TailMass.exp(Float.NEGATIVE_INFINITY) < 2e-14,
                "inputs below -32 are clamped to e^-32");
    }

    @ParameterizedTest(name = "{0} t={1}")
    @CsvSource({"flat,1.0", "flat,0.7", "flat,1.3", "peaked,1.0", "sparse,1.0", "ties,2.0", "dominant,1.0",
        "flat,0.5", "rising,1.0"})
    void boundContainsTheExactTail(String shape, double t) {
        int vocab = 151_669;
        SplittableRandom r = new SplittableRandom(shape.hashCode() + Double.hashCode(t));
        float[] row = new float[vocab + 100];
        LogitScan scan = new LogitScan(vocab);
        TailMass tail = new TailMass();
        int[] ids = new int[vocab + 1];
        float[] vals = new float[vocab + 1];
        double worstWidth = 0;
        for (int rep = 0; rep < 12; rep++) {
            float[] l = new float[vocab];
            if (shape.equals("rising")) {
                // the maximum keeps rising along the row: every chunk is rescaled
                for (int i = 0; i < vocab; i++) {
                    l[i] = (float) (4 * FastPathEqualityTest.gauss(r) + 40.0 * i / vocab);
                }
            } else {
                FastPathEqualityTest.fill(l, shape, r);
            }
            int offset = rep * 7;
            Arrays.fill(row, Float.NaN);
            System.arraycopy(l, 0, row, offset, vocab);
            double invT = 1.0 / t;
            float start = scan.startThreshold(row, offset, 1000 + 500 * rep);
            int n = scan.gather(row, offset, start, (float) (32 * t), 8192, ids, vals, invT, tail);
            boolean[] candidate = new boolean[vocab];
            for (int q = 0; q < n; q++) {
                candidate[ids[q]] = true;
            }
            float max = scan.max;
            double exactTail = 0; // the exact pass's weights, summed in index order
            float wOut = (float) Math.exp((scan.thr - max) * invT);
            for (int i = 0; i < vocab; i++) {
                float w = (float) Math.exp((l[i] - max) * invT);
                if (!candidate[i]) {
                    exactTail += w;
                    assertTrue(w <= wOut, "a non-candidate weighs more than the threshold's weight");
                }
            }
            assertTrue(exactTail >= tail.lo && exactTail <= tail.hi, String.format(Locale.ROOT,
                    "%s rep %d: exact tail %.17g outside [%.17g, %.17g]", shape, rep, exactTail, tail.lo, tail.hi));
            // at most 2 (36 + 1 + 2.5 |x| + 4 |x| + 8) u of the tail (up to ~510 u when the tail lies
            // near |x| = 32, ~150-250 u at |x| ~ 10) plus absolute terms: logits below e^-32 (about
            // 2 e^-32 each, both sides; -infinity ones count there and in the relative terms) and
            // the float summation over the candidates' clamped copies (at most wOut each)
            long padded = (vocab + TailMass.CHUNK - 1) / TailMass.CHUNK * (long) TailMass.CHUNK;
            double floor = 2 * 2.01 * padded * Math.exp(TailMass.X_MIN) + 2 * 8.1 * U * n * wOut;
            worstWidth = Math.max(worstWidth, (tail.hi - tail.lo - floor) / Math.max(exactTail, 1e-300));
            // a later band, bounded again in the same pass, must hold the same way
            float lo = (float) (scan.thr - 2 * t);
            int m = scan.band(row, offset, lo, ids, vals, n, invT, tail);
            for (int q = n; q < m; q++) {
                assertTrue(!candidate[ids[q]] && l[ids[q]] >= lo, "band gathered a candidate twice or a logit below it");
                candidate[ids[q]] = true;
            }
            double tail2 = 0;
            for (int i = 0; i < vocab; i++) {
                if (!candidate[i]) {
                    tail2 += (float) Math.exp((l[i] - max) * invT);
                    assertTrue(l[i] < lo || l[i] == Float.NEGATIVE_INFINITY, "band missed logit " + l[i] + " >= " + lo);
                }
            }
            assertTrue(tail2 >= tail.lo && tail2 <= tail.hi, shape + " rep " + rep + ": tail after the band outside");
        }
        System.out.printf(Locale.ROOT, "%s t=%s: widest bound %.2e of the tail (%.0f u)%n", shape, t, worstWidth,
                worstWidth / U);
        assertTrue(worstWidth < 800 * U, "the bound is wider than its error terms allow: " + worstWidth);
    }

    @Test
    void badLogitsAreNamedAsTheExactPassNamesThem() {
        int vocab = 40_000;
        LogitScan scan = new LogitScan(vocab);
        TailMass tail = new TailMass();
        int[] ids = new int[vocab + 1];
        float[] vals = new float[vocab + 1];
        float[] l = new float[vocab];
        l[5000] = Float.POSITIVE_INFINITY;
        l[31_234] = Float.NaN;
        l[31_300] = Float.NaN;
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> scan.gather(l, 0, -Float.MAX_VALUE, 32f, 8192, ids, vals, 1.0, tail));
        assertEquals("logit at index 31234 is NaN", e.getMessage());
        l[31_234] = 0;
        l[31_300] = 0;
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> scan.gather(l, 0, -Float.MAX_VALUE, 32f, 8192, ids, vals, 1.0, tail));
        assertEquals("a logit is +infinity", e.getMessage());
        Arrays.fill(l, Float.NEGATIVE_INFINITY);
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> scan.gather(l, 0, -Float.MAX_VALUE, 32f, 8192, ids, vals, 1.0, tail));
        assertEquals("every logit is -infinity: nothing can be sampled", e.getMessage());
    }
}

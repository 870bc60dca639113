package dev.hallmark.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.Scheme;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.statistics.inference.ChiSquareTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Sampler correctness: token frequencies match the truncated softmax, computed independently
 * here, under a chi-square test at the pre-chosen level alpha = 0.001.
 */
class SamplerDistributionTest {

    private static final double ALPHA = 1e-3;
    private static final int VOCAB = 40;

    private static float[] logits() {
        SplittableRandom r = new SplittableRandom(99);
        float[] l = new float[VOCAB];
        for (int i = 0; i < VOCAB; i++) {
            l[i] = (float) (3 * r.nextDouble() - 1.5 * (i % 3));
        }
        l[7] = Float.NEGATIVE_INFINITY; // a masked token must never be drawn
        return l;
    }

    /** Reference: softmax(l / T), keep top-k, renormalise, keep the smallest prefix reaching top-p. */
    static double[] expected(float[] logits, SamplingConfig c) {
        int n = logits.length;
        double max = Double.NEGATIVE_INFINITY;
        for (float f : logits) {
            max = Math.max(max, f);
        }
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            w[i] = Math.exp((logits[i] - max) / c.temperature());
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -w[i]));
        int k = c.topK() > 0 ? Math.min(c.topK(), n) : n;
        double total = 0;
        for (int j = 0; j < k; j++) {
            total += w[order[j]];
        }
        double[] p = new double[n];
        double cum = 0;
        for (int j = 0; j < k; j++) {
            int i = order[j];
            p[i] = w[i];
            cum += w[i];
            if (c.topP() < 1 && cum >= c.topP() * total) {
                break;
            }
        }
        for (int i = 0; i < n; i++) {
            p[i] /= cum;
        }
        return p;
    }

    private static double chiSquareP(double[] expected, long[] observed) {
        List<Double> e = new ArrayList<>();
        List<Long> o = new ArrayList<>();
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] > 0) {
                e.add(expected[i]);
                o.add(observed[i]);
            } else {
                assertEquals(0, observed[i], "token " + i + " has probability 0 but was drawn");
            }
        }
        return ChiSquareTest.withDefaults().test(e.stream().mapToDouble(Double::doubleValue).toArray(),
                o.stream().mapToLong(Long::longValue).toArray()).getPValue();
    }

    @ParameterizedTest
    @CsvSource({"1.0,0,1.0", "1.0,5,1.0", "1.0,0,0.8", "0.7,10,0.9", "1.5,0,0.95"})
    void plainSamplerMatchesTruncatedSoftmax(double t, int k, double p) {
        SamplingConfig c = new SamplingConfig(t, k, p, true);
        float[] l = logits();
        WatermarkSampler s = WatermarkSampler.plain(c, VOCAB);
        SplittableRandom r = new SplittableRandom(1);
        long[] counts = new long[VOCAB];
        int[] ctx = {1, 2, 3, 4};
        for (int i = 0; i < 100_000; i++) {
            counts[s.next(l, ctx, 0, 4, r)]++;
        }
        double pv = chiSquareP(expected(l, c), counts);
        assertTrue(pv >= ALPHA, "chi-square p = " + pv);
    }

    /**
     * Gumbel-max and the two-leaf SynthID tournament are distortion-free: with a uniformly random
     * key per draw, the chosen token follows the (truncated) softmax exactly.
     */
    @ParameterizedTest
    @CsvSource({
        "gumbel,1.0,0,1.0", "gumbel,1.0,8,1.0", "gumbel,0.8,0,0.9",
        "synthid,1.0,0,1.0", "synthid,1.0,0,0.9",
        "'gumbel:context=1',1.0,5,0.95"})
    void distortionFreeSchemesMatchSoftmaxOverRandomKeys(String spec, double t, int k, double p) {
        SamplingConfig c = new SamplingConfig(t, k, p, false);
        float[] l = logits();
        Scheme scheme = Scheme.parse(spec);
        SplittableRandom r = new SplittableRandom(2);
        long[] counts = new long[VOCAB];
        int[] ctx = {5, 6, 7, 8};
        int draws = 40_000;
        for (int i = 0; i < draws; i++) {
            byte[] secret = new byte[32];
            r.nextBytes(secret);
            WatermarkSampler s = WatermarkSampler.watermarked(KeyedScheme.of(scheme, WatermarkKey.fromSecret(secret)),
                    c, VOCAB);
            counts[s.next(l, ctx, 0, 4, r)]++;
        }
        double pv = chiSquareP(expected(l, c), counts);
        assertTrue(pv >= ALPHA, spec + ": chi-square p = " + pv);
    }

    /**
     * KGW with a fixed key, by the per-candidate scan and by rejection: frequencies match the
     * truncated softmax with green weights multiplied by e^delta, renormalised (computed here).
     */
    @ParameterizedTest
    @CsvSource({
        "false,kgw,1.0,0,1.0", "true,kgw,1.0,0,1.0", "true,kgw,0.8,0,0.9", "true,kgw,1.0,6,1.0",
        "false,'kgw:gamma=0.5,delta=1,context=2,seeding=lefthash',1.0,0,0.95",
        "true,'kgw:gamma=0.5,delta=1,context=2,seeding=lefthash',1.0,0,0.95",
        "true,'kgw:gamma=0.1,delta=4,context=1,seeding=lefthash',1.0,0,1.0",
        "true,'unigram',1.2,0,1.0"})
    void kgwMatchesTheReweightedSoftmax(boolean rejection, String spec, double t, int k, double p) {
        SamplingConfig c = new SamplingConfig(t, k, p, false).withKgwRejection(rejection);
        float[] l = logits();
        WatermarkSampler s = WatermarkSampler.watermarked(Scheme.parse(spec), WatermarkKey.fromSecret(new byte[32]),
                c, VOCAB);
        dev.hallmark.scheme.KgwKeyed kgw = (dev.hallmark.scheme.KgwKeyed) s.keyedScheme();
        int[] ctx = {5, 6, 7, 8};
        double[] e = expected(l, c);
        double sum = 0;
        for (int i = 0; i < VOCAB; i++) {
            e[i] *= kgw.isGreen(ctx, 4, i) ? kgw.biasFactor() : 1;
            sum += e[i];
        }
        for (int i = 0; i < VOCAB; i++) {
            e[i] /= sum;
        }
        SplittableRandom r = new SplittableRandom(6);
        long[] counts = new long[VOCAB];
        for (int i = 0; i < 100_000; i++) {
            counts[s.next(l, ctx, 0, 4, r)]++;
        }
        double pv = chiSquareP(e, counts);
        assertTrue(pv >= ALPHA, spec + " rejection=" + rejection + ": chi-square p = " + pv);
    }

    /**
     * A caller's candidate set (unsorted, unnormalised): the plain draw follows the given
     * probabilities, KGW by rejection their green-reweighted version; bad sets are named.
     */
    @Test
    void nextFromCandidatesDrawsFromTheGivenSet() {
        int[] ids = {30, 4, 17, 9, 22, 11};
        double[] w = {0.5, 3.0, 1.0, 2.0, 0.25, 1.25};
        int[] ctx = {1, 2, 3};
        for (boolean watermark : new boolean[] {false, true}) {
            SamplingConfig c = new SamplingConfig(1.0, 0, 1.0, false, true);
            WatermarkSampler s = watermark
                    ? WatermarkSampler.watermarked(Scheme.parse("kgw"), WatermarkKey.fromSecret(new byte[32]), c, VOCAB)
                    : WatermarkSampler.plain(c, VOCAB);
            double[] e = new double[VOCAB];
            double sum = 0;
            for (int j = 0; j < ids.length; j++) {
                boolean green = watermark && ((dev.hallmark.scheme.KgwKeyed) s.keyedScheme()).isGreen(ctx, 3, ids[j]);
                e[ids[j]] = w[j] * (green ? Math.exp(2) : 1);
                sum += e[ids[j]];
            }
            for (int i = 0; i < VOCAB; i++) {
                e[i] /= sum;
            }
            SplittableRandom r = new SplittableRandom(9);
            long[] counts = new long[VOCAB];
            for (int i = 0; i < 60_000; i++) {
                counts[s.nextFromCandidates(ids, w, ids.length, ctx, 0, 3, r)]++;
            }
            double pv = chiSquareP(e, counts);
            assertTrue(pv >= ALPHA, "watermark=" + watermark + ": chi-square p = " + pv);
        }
        WatermarkSampler s = WatermarkSampler.plain(SamplingConfig.defaults(), VOCAB);
        SplittableRandom r = new SplittableRandom(10);
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> s.nextFromCandidates(new int[] {1, 40}, new double[] {1, 1}, 2, ctx, 0, 3, r))
                .getMessage().contains("candidate id 40 is outside the vocabulary"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> s.nextFromCandidates(new int[] {1, 2}, new double[] {1, Double.NaN}, 2, ctx, 0, 3, r))
                .getMessage().contains("not a finite number"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> s.nextFromCandidates(new int[] {1, 2}, new double[] {0, 0}, 2, ctx, 0, 3, r))
                .getMessage().contains("all 0"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> s.nextFromCandidates(new int[] {1}, new double[] {1}, 0, ctx, 0, 3, r))
                .getMessage().contains("candidate count 0"));
    }

    /** The binary search over the running sums returns what the linear draw returns, edges included. */
    @Test
    void binarySearchDrawEqualsTheLinearDraw() {
        SplittableRandom r = new SplittableRandom(8);
        Candidates cand = new Candidates(VOCAB);
        for (double p : new double[] {1.0, 0.9, 0.5}) {
            cand.compute(logits(), 0, new SamplingConfig(1.0, 0, p, false));
            cand.ensureSorted();
            for (int i = 0; i < 20_000; i++) {
                double u = r.nextDouble();
                assertEquals(cand.draw(u, 1.0), cand.drawUnweighted(u), "u = " + u);
            }
            for (double u : new double[] {0.0, Math.nextDown(1.0), 1.0}) {
                assertEquals(cand.draw(u, 1.0), cand.drawUnweighted(u), "u = " + u);
            }
        }
    }

    /** KGW is not distortion-free: with a fixed key its green tokens must be over-represented. */
    @Test
    void kgwShiftsMassToGreenTokens() {
        WatermarkKey key = WatermarkKey.fromSecret(new byte[32]);
        Scheme scheme = Scheme.parse("kgw");
        SamplingConfig c = new SamplingConfig(1.0, 0, 1.0, false);
        float[] l = new float[VOCAB]; // uniform logits: green tokens get e^2 more weight
        WatermarkSampler s = WatermarkSampler.watermarked(scheme, key, c, VOCAB);
        dev.hallmark.scheme.KgwKeyed kgw = (dev.hallmark.scheme.KgwKeyed) s.keyedScheme();
        int[] ctx = {3};
        int greens = 0;
        for (int i = 0; i < VOCAB; i++) {
            greens += kgw.isGreen(ctx, 1, i) ? 1 : 0;
        }
        double expectGreen = greens * Math.exp(2) / (greens * Math.exp(2) + (VOCAB - greens));
        SplittableRandom r = new SplittableRandom(3);
        int n = 20_000;
        int hits = 0;
        for (int i = 0; i < n; i++) {
            hits += kgw.isGreen(ctx, 1, s.next(l, ctx, 0, 1, r)) ? 1 : 0;
        }
        double sd = Math.sqrt(n * expectGreen * (1 - expectGreen));
        assertEquals(n * expectGreen, hits, 4 * sd, "green share " + (double) hits / n + " vs " + expectGreen);
    }

    @Test
    void repeatedContextsAreSampledWithoutTheWatermark() {
        WatermarkSampler s = WatermarkSampler.watermarked(Scheme.parse("gumbel:context=2"),
                WatermarkKey.fromSecret(new byte[32]), SamplingConfig.defaults(), VOCAB);
        float[] l = logits();
        SplittableRandom r = new SplittableRandom(4);
        int[] ctx = {1, 2};
        s.next(l, ctx, 0, 2, r);
        assertEquals(1, s.watermarkedSteps());
        for (int i = 0; i < 10; i++) {
            s.next(l, ctx, 0, 2, r);
        }
        assertEquals(1, s.watermarkedSteps());
        assertEquals(10, s.plainSteps());
        s.reset();
        s.next(l, ctx, 0, 2, r);
        assertEquals(1, s.watermarkedSteps());
        // a context shorter than the scheme's width is sampled plain
        s.next(l, ctx, 0, 1, r);
        assertEquals(1, s.plainSteps());
    }

    @Test
    void badLogitsAndConfigsGiveClearErrors() {
        WatermarkSampler s = WatermarkSampler.plain(SamplingConfig.defaults(), VOCAB);
        SplittableRandom r = new SplittableRandom(5);
        float[] nan = new float[VOCAB];
        nan[3] = Float.NaN;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> s.next(nan, new int[0], 0, 0, r))
                .getMessage().contains("index 3 is NaN"));
        float[] masked = new float[VOCAB];
        Arrays.fill(masked, Float.NEGATIVE_INFINITY);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> s.next(masked, new int[0], 0, 0, r))
                .getMessage().contains("every logit is -infinity"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> s.next(new float[5], new int[0], 0, 0, r))
                .getMessage().contains("logits has 5 entries, the vocabulary has 40"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SamplingConfig(0, 0, 1, true))
                .getMessage().contains("temperature"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SamplingConfig(1, 0, 1.5, true))
                .getMessage().contains("top-p must be in (0, 1]"));
    }
}

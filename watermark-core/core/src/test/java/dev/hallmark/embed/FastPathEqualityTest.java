package dev.hallmark.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.Scheme;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The sampler against a frozen copy of the implementation before the fast pass
 * ({@link LegacySampler}): for the same logits, context and random stream they must return the
 * same token at every step, in every mode (top-k, top-p, both, temperature only, temperatures
 * below and above 1), for every scheme, on logits of several shapes. Each case also checks that
 * the fast pass decided most steps, so the comparison is not of the exact pass with itself.
 */
class FastPathEqualityTest {

    private static final WatermarkKey KEY = WatermarkKey.fromSecret(new byte[] {
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
        31, 32});

    /** A pool of logit vectors of one shape; each step reads one of them rotated by a random shift. */
    static float[][] pool(String shape, int vocab, int count, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] out = new float[count][vocab];
        for (float[] l : out) {
            fill(l, shape, r);
        }
        return out;
    }

    static void fill(float[] l, String shape, SplittableRandom r) {
        int vocab = l.length;
        switch (shape) {
            case "flat" -> gaussian(l, 4, r);
            case "peaked" -> gaussian(l, 8, r);
            case "spiky" -> gaussian(l, 14, r);
            case "sparse" -> {
                // a model whose output layer covers 8,192 ids: -infinity elsewhere
                java.util.Arrays.fill(l, Float.NEGATIVE_INFINITY);
                for (int i = 0; i < Math.min(8192, vocab); i++) {
                    l[r.nextInt(vocab)] = (float) (4 * gauss(r));
                }
            }
            case "ties" -> {
                // coarse logits: many equal weights, so (weight, id) order and ties at the threshold matter
                for (int i = 0; i < vocab; i++) {
                    l[i] = Math.round(8 * gauss(r)) / 2f;
                }
            }
            case "dominant" -> {
                // one or a few tokens far above a flat rest (a confident model)
                gaussian(l, 2, r);
                int n = 1 + r.nextInt(3);
                for (int j = 0; j < n; j++) {
                    l[r.nextInt(vocab)] = 12 + 3 * (float) r.nextDouble();
                }
            }
            default -> throw new IllegalArgumentException(shape);
        }
    }

    private static void gaussian(float[] l, double scale, SplittableRandom r) {
        for (int i = 0; i < l.length; i++) {
            l[i] = (float) (scale * gauss(r));
        }
    }

    static double gauss(SplittableRandom r) {
        double u = r.nextDouble();
        double v = r.nextDouble();
        return Math.sqrt(-2 * Math.log1p(-u)) * Math.cos(2 * Math.PI * v);
    }

    @ParameterizedTest(name = "{0} V={1} t={2} k={3} p={4} {5}")
    @CsvSource({
        // the plain step: top-p, every shape, temperatures below and above 1
        "flat,151669,1.0,0,0.95,plain,180",
        "flat,151669,0.7,0,0.9,plain,100",
        "flat,151669,1.3,0,0.95,plain,100",
        "flat,151669,1.0,0,0.99,plain,60",
        "flat,151669,1.0,0,0.5,plain,100",
        "peaked,151669,1.0,0,0.95,plain,180",
        "spiky,151669,1.0,0,0.95,plain,120",
        "dominant,151669,1.0,0,0.95,plain,120",
        "sparse,151669,1.0,0,0.95,plain,120",
        "ties,151669,1.0,0,0.95,plain,100",
        "flat,32000,1.0,0,0.95,plain,600",
        "ties,32000,2.0,0,0.8,plain,300",
        "flat,1000,1.0,0,0.9,plain,2000",
        // top-k, alone and with top-p; temperature only
        "flat,151669,1.0,50,1.0,plain,100",
        "flat,151669,0.8,40,0.9,plain,100",
        "peaked,151669,1.0,1,1.0,plain,100",
        "ties,32000,1.0,7,0.95,plain,300",
        "sparse,151669,1.0,10000,1.0,plain,30",
        "flat,32000,1.0,5000,0.95,plain,100",
        "flat,32000,1.0,0,1.0,plain,60",
        // every scheme, on the fast pass's candidates (sorted for the scheme)
        "flat,151669,1.0,0,0.95,kgw,100",
        "peaked,151669,1.0,0,0.95,kgw,120",
        "flat,32000,1.0,0,0.95,'kgw:gamma=0.25,delta=2,context=3,seeding=selfhash',300",
        "flat,32000,1.0,0,0.95,unigram,300",
        "peaked,151669,1.0,0,0.95,kgw-rejection,120",
        "flat,32000,0.7,20,0.9,kgw-rejection,300",
        "flat,151669,1.0,0,0.95,gumbel,100",
        "peaked,32000,1.0,0,0.95,gumbel,300",
        "peaked,32000,1.0,0,0.95,synthid,150",
        "flat,32000,1.3,30,1.0,synthid,100",
        "dominant,151669,1.0,0,0.9,'gumbel:context=1',150"})
    void sameTokensAsTheFormerImplementation(String shape, int vocab, double t, int k, double p, String scheme,
            int steps) {
        boolean rejection = scheme.equals("kgw-rejection");
        SamplingConfig cfg = new SamplingConfig(t, k, p, true, rejection);
        WatermarkSampler fast;
        LegacySampler legacy;
        if (scheme.equals("plain")) {
            fast = WatermarkSampler.plain(cfg, vocab);
            legacy = LegacySampler.plain(cfg, vocab);
        } else {
            KeyedScheme keyed = KeyedScheme.of(Scheme.parse(rejection ? "kgw" : scheme), KEY);
            fast = WatermarkSampler.watermarked(keyed, cfg, vocab);
            legacy = LegacySampler.watermarked(keyed, cfg, vocab);
        }
        long seed = 31L * shape.hashCode() + vocab + Double.hashCode(t) + 7L * k + Double.hashCode(p) + scheme.hashCode();
        float[][] pool = pool(shape, vocab, 8, seed);
        float[] logits = new float[vocab];
        SplittableRandom pick = new SplittableRandom(seed + 1);
        SplittableRandom rFast = new SplittableRandom(seed + 2);
        SplittableRandom rLegacy = new SplittableRandom(seed + 2);
        int[] context = new int[steps + 8];
        for (int i = 0; i < 8; i++) {
            context[i] = pick.nextInt(vocab);
        }
        int len = 1 + pick.nextInt(8);
        for (int s = 0; s < steps; s++) {
            float[] src = pool[pick.nextInt(pool.length)];
            int shift = pick.nextInt(vocab);
            System.arraycopy(src, shift, logits, 0, vocab - shift);
            System.arraycopy(src, 0, logits, vocab - shift, shift);
            int a = fast.next(logits, context, 0, len, rFast);
            int b = legacy.next(logits, context, 0, len, rLegacy);
            assertEquals(b, a, "step " + s + " (seed " + seed + ")");
            context[len++] = a;
        }
        assertEquals(legacy.watermarkedSteps(), fast.watermarkedSteps());
        assertEquals(legacy.plainSteps(), fast.plainSteps());
        assertEquals(rLegacy.nextLong(), rFast.nextLong(), "the random streams were consumed alike");
        Candidates c = fast.candidates();
        String stats = String.format(Locale.ROOT, "%s V=%d t=%s k=%d p=%s %s: fast %d, exact %d, tail bounds %d, "
                + "deeper passes %d, undecided %d, too deep %d, sorted draws %d", shape, vocab, t, k, p, scheme,
                c.fastSteps, c.exactSteps, c.tailBounds, c.rescans, c.ambiguous, c.exhausted, c.sortedDraws);
        System.out.println(stats);
        if (k > 0 || p < 1) {
            assertTrue(c.fastSteps >= 0.8 * steps, "the fast pass decided too few steps: " + stats);
        }
    }

    /** A random source that returns the given doubles in turn. */
    private static RandomGenerator fixed(double... values) {
        return new RandomGenerator() {
            private int i;

            @Override
            public long nextLong() {
                throw new UnsupportedOperationException();
            }

            @Override
            public double nextDouble() {
                return values[i++ % values.length];
            }
        };
    }

    /**
     * Uniforms exactly on (or one ulp around) a boundary of the running sums: the quickselect draw
     * must hand over to the sorted draw there, and agree with the former sampler everywhere.
     */
    @Test
    void drawsOnTheBoundariesOfTheRunningSums() {
        int vocab = 151_669;
        float[] l = new float[vocab];
        Arrays.fill(l, -50f);
        l[10] = 0f;
        l[99_000] = 0f;
        l[1234] = (float) Math.log(2); // weights 1, 1, 2 (and e^-50 elsewhere): sums 0.25, 0.5, 1
        double[] us = {0.5, Math.nextDown(0.5), Math.nextUp(0.5), 0.25, Math.nextDown(0.25), 0.0,
            Math.nextDown(1.0), 0.75};
        SamplingConfig cfg = new SamplingConfig(1.0, 0, 0.9, false);
        WatermarkSampler fast = WatermarkSampler.plain(cfg, vocab);
        LegacySampler legacy = LegacySampler.plain(cfg, vocab);
        RandomGenerator a = fixed(us);
        RandomGenerator b = fixed(us);
        int[] ctx = {1};
        for (double u : us) {
            assertEquals(legacy.next(l, ctx, 0, 1, b), fast.next(l, ctx, 0, 1, a), "u = " + u);
        }
        assertTrue(fast.candidates().sortedDraws > 0, "the boundary uniforms went to the sorted draw");
        assertEquals(0, fast.candidates().exactSteps);
    }

    /**
     * p * T exactly on a running sum (4 equal weights, p = 1/2): no bound can separate the two
     * sides, so the exact pass decides, with the former sampler's token.
     */
    @Test
    void aBoundaryNoBoundCanSeparateGoesToTheExactPass() {
        int vocab = 151_669;
        float[] l = new float[vocab];
        Arrays.fill(l, Float.NEGATIVE_INFINITY);
        for (int id : new int[] {7, 70_000, 140_000, 151_668}) {
            l[id] = 3f;
        }
        SamplingConfig cfg = new SamplingConfig(1.0, 0, 0.5, false);
        WatermarkSampler fast = WatermarkSampler.plain(cfg, vocab);
        LegacySampler legacy = LegacySampler.plain(cfg, vocab);
        SplittableRandom a = new SplittableRandom(3);
        SplittableRandom b = new SplittableRandom(3);
        for (int s = 0; s < 50; s++) {
            assertEquals(legacy.next(l, new int[0], 0, 0, b), fast.next(l, new int[0], 0, 0, a));
        }
        assertEquals(50, fast.candidates().exactSteps);
    }

    /** Bad logits are refused with the former sampler's messages, whatever the pass. */
    @Test
    void badLogitsGiveTheSameErrors() {
        int vocab = 151_669;
        for (SamplingConfig cfg : new SamplingConfig[] {SamplingConfig.defaults(), new SamplingConfig(1, 0, 1, true),
            new SamplingConfig(1, 5, 1, true)}) {
            WatermarkSampler fast = WatermarkSampler.plain(cfg, vocab);
            LegacySampler legacy = LegacySampler.plain(cfg, vocab);
            float[][] bad = new float[4][vocab];
            bad[0][123_456] = Float.NaN;
            bad[0][200] = Float.POSITIVE_INFINITY;
            bad[1][77] = Float.POSITIVE_INFINITY;
            Arrays.fill(bad[2], Float.NEGATIVE_INFINITY);
            bad[3] = new float[vocab - 1];
            for (float[] l : bad) {
                String expected = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> legacy.next(l, new int[0], 0, 0, new SplittableRandom(1))).getMessage();
                String actual = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> fast.next(l, new int[0], 0, 0, new SplittableRandom(1))).getMessage();
                assertEquals(expected, actual);
            }
        }
    }

    /** A row read at an offset of a larger array gives the token of the same row on its own. */
    @Test
    void rowsAtAnOffsetAreSampledAlike() {
        int vocab = 151_669;
        float[][] pool = pool("flat", vocab, 3, 5);
        float[] flat = new float[3 * vocab + 11];
        for (int i = 0; i < 3; i++) {
            System.arraycopy(pool[i], 0, flat, 11 + i * vocab, vocab);
        }
        WatermarkSampler a = WatermarkSampler.plain(SamplingConfig.defaults(), vocab);
        WatermarkSampler b = WatermarkSampler.plain(SamplingConfig.defaults(), vocab);
        SplittableRandom ra = new SplittableRandom(4);
        SplittableRandom rb = new SplittableRandom(4);
        for (int s = 0; s < 30; s++) {
            assertEquals(b.next(pool[s % 3], new int[0], 0, 0, rb), a.next(flat, 11 + (s % 3) * vocab, new int[0], 0, 0, ra));
        }
    }
}

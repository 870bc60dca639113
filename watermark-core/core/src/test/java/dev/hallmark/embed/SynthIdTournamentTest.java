package dev.hallmark.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.scheme.SynthIdKeyed;
import dev.hallmark.testing.TestKeys;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Hallmark's SynthID sampler against the tournament it stands for, on the g-value table its key
 * gives: the same structure as the DeepMind reference ({@code update_scores} for 2 leaves,
 * {@code update_scores_distortionary} for more), checked against the definition rather than the
 * closed form. One layer of a tournament with N leaves draws N candidates independently from the
 * current distribution and keeps one of those with the largest g-value, uniformly; the layers run in
 * order. The test enumerates all V^N draws per layer (exact, no sampling) and compares the
 * resulting distribution with the distribution the sampler actually draws from, which it reads off
 * exactly by bisecting the uniform variate the sampler is given.
 */
class SynthIdTournamentTest {

    /** A random source whose next double is fixed (the sampler draws one uniform per step). */
    private static RandomGenerator fixed(double u) {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                throw new UnsupportedOperationException("the sampler should draw one double");
            }

            @Override
            public double nextDouble() {
                return u;
            }
        };
    }

    /** The probability the sampler gives each token, from the breakpoints of u -> token (inverse CDF). */
    private static double[] samplerDistribution(WatermarkSampler s, float[] logits, int[] ctx, int vocab) {
        double[] p = new double[vocab];
        double lo = 0;
        while (lo < 1) {
            s.reset();
            int tok = s.next(logits, ctx, 0, ctx.length, fixed(lo));
            double a = lo;
            double b = 1;
            s.reset();
            if (s.next(logits, ctx, 0, ctx.length, fixed(Math.nextDown(1.0))) == tok) {
                p[tok] += 1 - lo;
                break;
            }
            for (int it = 0; it < 200 && Math.nextUp(a) < b; it++) {
                double mid = (a + b) / 2;
                s.reset();
                if (s.next(logits, ctx, 0, ctx.length, fixed(mid)) == tok) {
                    a = mid;
                } else {
                    b = mid;
                }
            }
            p[tok] += b - lo;
            lo = b;
        }
        return p;
    }

    /** The candidates' probabilities as the sampler computes them (float weights, then normalised). */
    private static double[] softmax(float[] logits) {
        float max = Float.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double[] w = new double[logits.length];
        double total = 0;
        for (int i = 0; i < logits.length; i++) {
            w[i] = (float) Math.exp(logits[i] - max);
            total += w[i];
        }
        for (int i = 0; i < w.length; i++) {
            w[i] /= total;
        }
        return w;
    }

    /** One tournament layer by enumeration of all leaves^V draws. */
    private static double[] layer(double[] p, int[] g, int leaves) {
        int v = p.length;
        double[] out = new double[v];
        int[] draw = new int[leaves];
        int total = 1;
        for (int i = 0; i < leaves; i++) {
            total *= v;
        }
        for (int code = 0; code < total; code++) {
            int c = code;
            double prob = 1;
            int best = -1;
            for (int i = 0; i < leaves; i++) {
                draw[i] = c % v;
                c /= v;
                prob *= p[draw[i]];
                best = Math.max(best, g[draw[i]]);
            }
            if (prob == 0) {
                continue;
            }
            int winners = 0;
            for (int i = 0; i < leaves; i++) {
                if (g[draw[i]] == best) {
                    winners++;
                }
            }
            for (int i = 0; i < leaves; i++) {
                if (g[draw[i]] == best) {
                    out[draw[i]] += prob / winners;
                }
            }
        }
        return out;
    }

    @ParameterizedTest(name = "layers={0} leaves={1} seed={2}")
    @CsvSource({"1,2,1", "3,2,2", "8,2,3", "2,3,4", "4,3,5", "3,4,6"})
    void samplerDrawsFromTheTournamentDistribution(int layers, int leaves, long seed) {
        int vocab = 6;
        Scheme scheme = Scheme.parse("synthid:context=2,layers=" + layers + ",leaves=" + leaves);
        SynthIdKeyed keyed = (SynthIdKeyed) KeyedScheme.of(scheme, TestKeys.key(seed));
        WatermarkSampler sampler = WatermarkSampler.watermarked(keyed, new SamplingConfig(1.0, 0, 1.0, false), vocab);
        SplittableRandom r = new SplittableRandom(seed);
        for (int trial = 0; trial < 6; trial++) {
            float[] logits = new float[vocab];
            for (int i = 0; i < vocab; i++) {
                logits[i] = (float) (2 * r.nextGaussian());
            }
            int[] ctx = {r.nextInt(1000), r.nextInt(1000)};
            double[] p = softmax(logits);
            int[][] g = new int[layers][vocab];
            for (int x = 0; x < vocab; x++) {
                long bits = keyed.gBits(ctx, ctx.length, x);
                for (int l = 0; l < layers; l++) {
                    g[l][x] = (int) (bits >>> l & 1L);
                }
            }
            for (int l = 0; l < layers; l++) {
                p = layer(p, g[l], leaves);
            }
            double[] got = samplerDistribution(sampler, logits, ctx, vocab);
            for (int x = 0; x < vocab; x++) {
                assertEquals(p[x], got[x], 1e-9, "token " + x + " trial " + trial);
            }
        }
    }
}

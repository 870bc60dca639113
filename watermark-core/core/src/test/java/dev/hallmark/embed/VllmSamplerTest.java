package dev.hallmark.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.detect.DetectOptions;
import dev.hallmark.detect.DetectionResult;
import dev.hallmark.detect.Detector;
import dev.hallmark.interop.internal.VllmPrf;
import dev.hallmark.key.VllmKey;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.scheme.VllmKeyed;
import dev.hallmark.testing.RandomText;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.apache.commons.statistics.inference.ChiSquareTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link VllmSampler} beyond the goldens: the pruned Gumbel argmax and greedy sbw equal brute force,
 * the sbw softmax draw follows its exact law, text it generates is detected (and not under other
 * keys), and bad input is refused.
 */
class VllmSamplerTest {

    private static final int VOCAB = 3_000;

    private static float[] gaussian(SplittableRandom r, int vocab, double sd) {
        float[] l = new float[vocab];
        RandomText.gaussianLogits(l, sd, r);
        return l;
    }

    /** The Gumbel argmax over the whole vocabulary, as vLLM computes it, with the context = generated tokens. */
    private static int bruteGumbel(VllmPrf prf, int[] gen, int w, float[] logits) {
        int[] state = new int[4];
        prf.absorb(gen, 0, gen.length, w, state);
        int best = -1;
        float bestVal = Float.NEGATIVE_INFINITY;
        for (int v = 0; v < logits.length; v++) {
            float val = logits[v] + VllmPrf.gumbelNoise(prf.word(state, v));
            if (val > bestVal) {
                bestVal = val;
                best = v;
            }
        }
        return best;
    }

    @Test
    void prunedGumbelArgmaxEqualsBruteForce() {
        SplittableRandom r = new SplittableRandom(3);
        VllmKey key = VllmKey.of(r.nextLong());
        VllmPrf prf = VllmPrf.of(key.secretBits());
        VllmSampler s = VllmSampler.of(Scheme.parse("vllm-gumbel:context=3"), key,
                VllmGeneration.defaults().withScope(VllmGeneration.Scope.NONE), VOCAB);
        int[] seq = new int[400];
        for (int p = 0; p < seq.length; p++) {
            // sharp and flat steps, some masked entries, some exact ties
            float[] logits = gaussian(r, VOCAB, p % 3 == 0 ? 8.0 : 1.0);
            if (p % 5 == 0) {
                for (int j = 0; j < VOCAB; j += 3) {
                    logits[j] = Float.NEGATIVE_INFINITY;
                }
            }
            if (p % 7 == 0) {
                Arrays.fill(logits, 0.5f);
            }
            int got = s.next(logits, seq, 0, p, r);
            assertEquals(bruteGumbel(prf, Arrays.copyOf(seq, p), 3, logits), got, "step " + p);
            seq[p] = got;
        }
    }

    @Test
    void greedySbwEqualsBruteForce() {
        SplittableRandom r = new SplittableRandom(4);
        VllmKey key = VllmKey.of(r.nextLong());
        Scheme scheme = Scheme.parse("vllm-sbw:scheme=selfhash,context=4");
        VllmKeyed keyed = (VllmKeyed) KeyedScheme.of(scheme, key);
        VllmSampler s = VllmSampler.of(scheme, key, VllmGeneration.defaults().withScope(VllmGeneration.Scope.NONE)
                .withGreedy(true), VOCAB);
        int[] seq = new int[300];
        for (int p = 0; p < seq.length; p++) {
            float[] logits = gaussian(r, VOCAB, 1.5);
            int[] gen = Arrays.copyOf(seq, p);
            int best = -1;
            float bestVal = Float.NEGATIVE_INFINITY;
            for (int v = 0; v < VOCAB; v++) {
                float val = keyed.isGreen(gen, 0, p, v) ? logits[v] + 2.0f : logits[v];
                if (val > bestVal) {
                    bestVal = val;
                    best = v;
                }
            }
            seq[p] = s.next(logits, seq, 0, p, r);
            assertEquals(best, seq[p], "step " + p);
        }
    }

    /** softmax(logits + delta green) exactly: 200,000 first steps (context all -1), chi-square at 0.001. */
    @Test
    void sbwSoftmaxDrawFollowsTheBiasedLaw() {
        int vocab = 12;
        SplittableRandom r = new SplittableRandom(5);
        VllmKey key = VllmKey.of(99);
        Scheme scheme = Scheme.parse("vllm-sbw:scheme=selfhash,context=4");
        VllmKeyed keyed = (VllmKeyed) KeyedScheme.of(scheme, key);
        VllmSampler s = VllmSampler.of(scheme, key, VllmGeneration.defaults(), vocab);
        float[] logits = gaussian(r, vocab, 1.0);
        double[] expected = new double[vocab];
        int greens = 0;
        for (int v = 0; v < vocab; v++) {
            boolean g = keyed.isGreen(new int[0], 0, 0, v);
            greens += g ? 1 : 0;
            expected[v] = Math.exp(logits[v] + (g ? 2.0 : 0.0));
        }
        assertTrue(greens > 0 && greens < vocab, "the test needs both colours: " + greens);
        long[] observed = new long[vocab];
        for (int i = 0; i < 200_000; i++) {
            s.reset();
            observed[s.next(logits, new int[0], 0, 0, r)]++;
        }
        double p = ChiSquareTest.withDefaults().test(expected, observed).getPValue();
        assertTrue(p > 1e-3, "chi-square p = " + p + " observed " + Arrays.toString(observed));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "vllm-gumbel:context=4",
        "vllm-dual-key-gumbel:context=4,alpha=0.1",
        "vllm-dual-key-gumbel:context=4,alpha=0.5",
        "vllm-sbw:scheme=selfhash,context=4",
        "vllm-sbw:scheme=lefthash",
    })
    void generatedTextIsDetectedAndOtherKeysDoNotFire(String spec) {
        Scheme scheme = Scheme.parse(spec);
        SplittableRandom r = new SplittableRandom(spec.hashCode());
        int otherHits = 0;
        for (int trial = 0; trial < 4; trial++) {
            VllmKey key = VllmKey.of(r.nextLong());
            VllmSampler s = VllmSampler.of(scheme, key, VllmGeneration.defaults(), VOCAB);
            int[] seq = new int[8 + 200];
            for (int i = 0; i < 8; i++) {
                seq[i] = r.nextInt(VOCAB);
            }
            for (int p = 8; p < seq.length; p++) {
                seq[p] = s.next(gaussian(r, VOCAB, 2.5), seq, 0, p, r);
            }
            int[] text = Arrays.copyOfRange(seq, 8, seq.length);
            DetectionResult d = Detector.of(s.keyedScheme()).detect(text, DetectOptions.defaults());
            assertTrue(d.log10P() < -6, spec + ": log10 p " + d.log10P() + ", scored " + d.tokensScored());
            for (int o = 0; o < 25; o++) {
                if (Detector.of(KeyedScheme.of(scheme, VllmKey.of(r.nextLong()))).detect(text,
                        DetectOptions.defaults().withAlpha(0.01)).watermarked()) {
                    otherHits++;
                }
            }
        }
        // 100 wrong-key tests at alpha 0.01: more than 6 has probability < 0.001
        assertTrue(otherHits <= 6, spec + ": wrong keys fired " + otherHits + " of 100");
    }

    @Test
    void deduplicationScopes() {
        // a constant distribution: gumbel then repeats one token, so contexts repeat at once
        float[] flat = new float[50];
        flat[7] = 30f;
        for (VllmGeneration.Scope scope : VllmGeneration.Scope.values()) {
            VllmSampler s = VllmSampler.of(Scheme.parse("vllm-gumbel:context=2"), VllmKey.of(1),
                    VllmGeneration.defaults().withScope(scope).withGreedy(true), 50);
            int[] seq = new int[3 + 20];
            seq[0] = 7;
            seq[1] = 7;
            seq[2] = 7;
            for (int p = 3; p < seq.length; p++) {
                seq[p] = s.next(flat, seq, 0, p, null);
            }
            switch (scope) {
                case NONE -> assertEquals(0, s.dedupSkips());
                // contexts (-1,-1), (-1,7), (7,7), then (7,7) repeats from step 3 on
                case SINGLE_TURN -> assertEquals(17, s.dedupSkips());
                // partial contexts (2 steps) skipped, and (7,7) already occurs in the prompt
                case ALL -> {
                    assertEquals(20, s.dedupSkips());
                    assertEquals(2, s.partialContextSkips());
                }
                default -> throw new AssertionError();
            }
        }
        // max history 1: only the latest history position is compared
        VllmSampler h = VllmSampler.of(Scheme.parse("vllm-gumbel:context=1"), VllmKey.of(1),
                VllmGeneration.defaults().withMaxHistory(1).withGreedy(true), 50);
        float[] alternate = new float[50];
        int[] seq = new int[12];
        for (int p = 0; p < seq.length; p++) {
            Arrays.fill(alternate, 0f);
            alternate[p % 2 == 0 ? 3 : 4] = 30f;
            seq[p] = h.next(alternate, seq, 0, p, null);
        }
        // contexts -1, 3, 4, 3, 4, ...: the previous position's context always differs
        assertEquals(0, h.dedupSkips());
    }

    @Test
    void badInput() {
        VllmSampler s = VllmSampler.of(Scheme.parse("vllm-gumbel"), VllmKey.of(1), VllmGeneration.defaults(), 10);
        String m = assertThrows(IllegalArgumentException.class,
                () -> s.next(new float[10], new int[] {3, 10}, 0, 2, new SplittableRandom(1))).getMessage();
        assertTrue(m.contains("context token id 10 at position 1 is outside the vocabulary [0, 10)"), m);
        s.reset();
        s.next(new float[10], new int[] {1, 2, 3}, 0, 3, new SplittableRandom(1));
        m = assertThrows(IllegalArgumentException.class,
                () -> s.next(new float[10], new int[] {1, 2}, 0, 2, new SplittableRandom(1))).getMessage();
        assertTrue(m.contains("call reset() before a new request"), m);
        s.reset();
        float[] nan = new float[10];
        nan[4] = Float.NaN;
        m = assertThrows(IllegalArgumentException.class, () -> s.next(nan, new int[0], 0, 0, new SplittableRandom(1)))
                .getMessage();
        assertTrue(m.contains("logit at index 4 is NaN"), m);
        m = assertThrows(IllegalArgumentException.class, () -> VllmGeneration.Scope.parse("global")).getMessage();
        assertTrue(m.contains("'global' is not one of none, single_turn, all"), m);
        m = assertThrows(IllegalArgumentException.class, () -> VllmGeneration.defaults().withSbwDelta(-1)).getMessage();
        assertTrue(m.contains("sbw_delta must be a finite number >= 0, got -1.0"), m);
        m = assertThrows(IllegalArgumentException.class, () -> VllmSampler.of(Scheme.parse("vllm-gumbel:vocab=20"),
                VllmKey.of(1), VllmGeneration.defaults(), 10)).getMessage();
        assertTrue(m.contains("declares vocab 20"), m);
    }
}

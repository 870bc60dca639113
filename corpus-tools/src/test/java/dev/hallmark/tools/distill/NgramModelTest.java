package dev.hallmark.tools.distill;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NgramModelTest {

    private static final List<int[]> TINY = List.of(new int[] {1, 2, 1, 3}, new int[] {1, 2});

    /** Witten-Bell by hand for TINY (see the comments): unigram 1:3/6, 2:2/6, 3:1/6. */
    @Test
    void distributionMatchesHandComputedWittenBell() {
        NgramModel m = NgramModel.fit(TINY, 5, 2);
        double[] p = new double[5];
        // after token 1: continuations {2:2, 3:1}, c = 3, u = 2, lambda = 3/5
        m.distribution(new int[] {1}, 1, p);
        assertArrayEquals(new double[] {0, 0.4 * 3 / 6, 0.6 * 2 / 3 + 0.4 * 2 / 6, 0.6 / 3 + 0.4 / 6, 0}, p, 1e-12);
        // at a document start (begin symbol): continuations {1:2}, c = 2, u = 1, lambda = 2/3
        m.distribution(new int[0], 0, p);
        assertArrayEquals(new double[] {0, 2.0 / 3 + 1.0 / 3 * 3 / 6, 1.0 / 3 * 2 / 6, 1.0 / 3 / 6, 0}, p, 1e-12);
        // unseen context 4: the unigram
        m.distribution(new int[] {4}, 1, p);
        assertArrayEquals(new double[] {0, 0.5, 2.0 / 6, 1.0 / 6, 0}, p, 1e-12);
        assertEquals(6, m.tokens());
        assertEquals(3, m.contexts(2), "contexts: begin, 1 and 2");
    }

    /** The sparse nucleus equals the top-p prefix of the full distribution sorted by probability. */
    @Test
    void nucleusIsTheTopPPrefixOfTheFullDistribution() {
        for (int order = 1; order <= 3; order++) {
            NgramModel m = NgramModel.fit(markovDocs(60, 40, 50, 7 + order), 64, order);
            NgramModel.Nucleus scratch = m.newNucleus();
            int[] ids = new int[scratch.capacity()];
            double[] probs = new double[scratch.capacity()];
            double[] full = new double[64];
            SplittableRandom r = new SplittableRandom(order);
            for (int trial = 0; trial < 200; trial++) {
                int[] hist = {r.nextInt(64), r.nextInt(60), r.nextInt(60)};
                int len = r.nextInt(4);
                double topP = trial % 5 == 0 ? 1.0 : 0.5 + 0.45 * r.nextDouble();
                m.distribution(hist, len, full);
                for (int x = 0; x < 64; x++) {
                    assertEquals(full[x], m.prob(hist, len, x), 1e-12, "point probability of " + x);
                }
                int n = m.nucleus(hist, len, topP, scratch, ids, probs);
                double cum = 0;
                for (int j = 0; j < n; j++) {
                    assertEquals(full[ids[j]], probs[j], 1e-12, "probability of id " + ids[j]);
                    if (j > 0) {
                        assertTrue(probs[j] <= probs[j - 1] * (1 + 1e-6), "most likely first");
                    }
                    cum += probs[j];
                }
                assertTrue(cum >= topP - 1e-9, "the nucleus reaches top-p");
                assertTrue(n == 1 || cum - probs[n - 1] < topP, "and is the smallest such prefix");
                long support = java.util.Arrays.stream(full).filter(x -> x > 0).count();
                if (topP >= 1) {
                    assertEquals(support, n, "top-p 1 keeps the whole support");
                }
            }
        }
    }

    /** A Markov text with sparse successors, for sampling checks. */
    static List<int[]> markovDocs(int vocab, int docs, int len, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[][] succ = new int[vocab][4];
        for (int[] s : succ) {
            for (int j = 0; j < s.length; j++) {
                s[j] = r.nextInt(vocab);
            }
        }
        List<int[]> out = new ArrayList<>();
        for (int d = 0; d < docs; d++) {
            int[] doc = new int[len];
            doc[0] = r.nextInt(vocab);
            for (int t = 1; t < len; t++) {
                doc[t] = succ[doc[t - 1]][r.nextInt(r.nextInt(4) + 1)];
            }
            out.add(doc);
        }
        return out;
    }

    /**
     * Sampling draws from exactly the interpolated distribution: 200,000 draws after a fixed
     * history; every count within 5 binomial standard deviations of its expectation (a false
     * failure has probability below 1e-5 per token), for orders 1, 2 and 3.
     */
    @Test
    void samplingFollowsTheDistribution() {
        List<int[]> docs = markovDocs(30, 40, 60, 3);
        for (int order = 1; order <= 3; order++) {
            NgramModel m = NgramModel.fit(docs, 30, order);
            int[] hist = docs.get(0);
            double[] p = new double[30];
            m.distribution(hist, 10, p);
            double sum = 0;
            for (double x : p) {
                sum += x;
            }
            assertEquals(1.0, sum, 1e-12, "order " + order);
            int n = 200_000;
            int[] counts = new int[30];
            SplittableRandom r = new SplittableRandom(11);
            for (int i = 0; i < n; i++) {
                counts[m.next(hist, 10, r)]++;
            }
            for (int x = 0; x < 30; x++) {
                double e = n * p[x];
                double sd = Math.sqrt(n * p[x] * (1 - p[x]));
                assertTrue(Math.abs(counts[x] - e) <= 5 * sd + 1e-9,
                        "order " + order + " token " + x + ": " + counts[x] + " vs " + e);
            }
        }
    }

    @Test
    void generationIsDeterministicGivenTheSeedAndUsesThePromptAsContext() {
        NgramModel m = NgramModel.fit(markovDocs(50, 20, 80, 5), 50, 3);
        int[] a = m.generate(new int[] {3, 4}, 100, new SplittableRandom(1));
        int[] b = m.generate(new int[] {3, 4}, 100, new SplittableRandom(1));
        assertArrayEquals(a, b);
        assertEquals(100, a.length);
        assertTrue(!java.util.Arrays.equals(a, m.generate(new int[] {3, 4}, 100, new SplittableRandom(2))));
    }

    @Test
    void rejectsBadInputsWithReasons() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NgramModel.fit(TINY, 5, 4)).getMessage()
                .contains("order must be 1, 2 or 3"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NgramModel.fit(TINY, 3, 2)).getMessage()
                .contains("token id 3 outside the vocabulary [0, 3)"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NgramModel.fit(List.of(new int[0]), 5, 2))
                .getMessage().contains("no tokens"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NgramModel.fit(TINY, 1 << 20, 2)).getMessage()
                .contains("vocabulary size"));
    }

    @Test
    void languageModelAdapterGivesLogProbabilities() {
        NgramModel m = NgramModel.fit(TINY, 5, 2);
        NgramLanguageModel lm = new NgramLanguageModel(m, "tiny");
        float[][] logits = new float[1][5];
        try (var s = lm.newSession(1)) {
            s.start(new int[][] {{1}}, logits);
            assertEquals(Math.log(0.4 * 3 / 6), logits[0][1], 1e-6);
            assertEquals(Float.NEGATIVE_INFINITY, logits[0][0]);
            s.append(new int[] {4}, logits);
            assertEquals(Math.log(0.5), logits[0][1], 1e-6, "context 4 is unseen: unigram");
        }
    }
}

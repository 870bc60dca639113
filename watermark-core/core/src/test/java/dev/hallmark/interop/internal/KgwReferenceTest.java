package dev.hallmark.interop.internal;

import dev.hallmark.interop.KgwSeeding;


import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KgwReferenceTest {

    /**
     * lm-watermarking's detector counting, transcribed plainly: a Counter of n-gram tuples, one green
     * list per distinct n-gram (materialised with the full textbook randperm), sums over distinct or
     * over all occurrences, and the per-position mask.
     */
    static final class PlainDetector {
        final KgwReference kgw;
        final KgwSeeder seeder;

        PlainDetector(KgwReference kgw) {
            this.kgw = kgw;
            this.seeder = new KgwSeeder(kgw.seeding());
        }

        boolean green(List<Integer> ngram) {
            KgwSeeding s = kgw.seeding();
            int w = s.contextWidth();
            int[] window = new int[w];
            for (int i = 0; i < w; i++) {
                window[i] = ngram.get(i);
            }
            int[] perm = TorchRandpermTest.textbookRandperm(seeder.seed(window, 0), kgw.vocabSize());
            int target = ngram.get(ngram.size() - 1);
            for (int i = 0; i < kgw.greenlistSize(); i++) {
                if (perm[i] == target) {
                    return true;
                }
            }
            return false;
        }

        long[] count(int[] tokens, boolean ignoreRepeated, boolean[] mask) {
            int n = kgw.ngramLength();
            Map<List<Integer>, Integer> freq = new LinkedHashMap<>();
            List<List<Integer>> grams = new ArrayList<>();
            for (int i = 0; i + n <= tokens.length; i++) {
                List<Integer> g = new ArrayList<>();
                for (int j = 0; j < n; j++) {
                    g.add(tokens[i + j]);
                }
                grams.add(g);
                freq.merge(g, 1, Integer::sum);
            }
            Map<List<Integer>, Boolean> lookup = new LinkedHashMap<>();
            for (List<Integer> g : freq.keySet()) {
                lookup.put(g, green(g));
            }
            for (int i = 0; i < grams.size(); i++) {
                mask[i] = lookup.get(grams.get(i));
            }
            long scored = 0;
            long green = 0;
            for (Map.Entry<List<Integer>, Integer> e : freq.entrySet()) {
                int f = ignoreRepeated ? 1 : e.getValue();
                scored += f;
                green += lookup.get(e.getKey()) ? f : 0;
            }
            return new long[] {scored, green};
        }
    }

    @Test
    void countingMatchesAPlainTranscriptionOnTextsWithRepeats() {
        SplittableRandom r = new SplittableRandom(53);
        String[] schemes = {"lefthash", "selfhash", "minhash", "ff-additive_prf-2-False-15485863",
            "ff-position_prf-3-True-99", "ff-noncomm_prf-2-False", "hf-selfhash", "hf-lefthash-2-7", "hf-selfhash-3-11"};
        for (String scheme : schemes) {
            KgwReference kgw = KgwReference.of(KgwSeeding.parse(scheme), 500, 0.3);
            PlainDetector plain = new PlainDetector(kgw);
            KgwReference.Scorer scorer = kgw.newScorer();
            for (int trial = 0; trial < 6; trial++) {
                // A small alphabet and a copied block make repeated n-grams common.
                int len = r.nextInt(kgw.seeding().contextWidth() + 1, 120);
                int[] tokens = new int[len];
                int alphabet = trial % 2 == 0 ? 4 : 520; // ids >= 500 are outside the vocabulary
                for (int i = 0; i < len; i++) {
                    tokens[i] = r.nextInt(alphabet);
                }
                if (len > 20) {
                    System.arraycopy(tokens, 0, tokens, len / 2, len / 2 - 1);
                }
                int grams = len - kgw.ngramLength() + 1;
                for (boolean ignore : new boolean[] {true, false}) {
                    boolean[] expectedMask = new boolean[grams];
                    long[] expected = plain.count(tokens, ignore, expectedMask);
                    boolean[] mask = new boolean[grams];
                    KgwReferenceCounts c = scorer.score(tokens, 0, len, ignore, mask);
                    String what = scheme + " trial " + trial + " ignore=" + ignore;
                    assertEquals(expected[0], c.tokensScored(), what + " scored");
                    assertEquals(expected[1], c.greenTokens(), what + " green");
                    assertArrayEquals(expectedMask, mask, what + " mask");
                }
            }
        }
    }

    @Test
    void outOfVocabularyTargetsAreScoredButNeverGreen() {
        KgwReference kgw = KgwReference.of(KgwSeeding.lefthash(), 100, 0.5);
        KgwReference.Scorer s = kgw.newScorer();
        int[] tokens = {1, 100, 2, 1000, 3, 101};
        boolean[] mask = new boolean[5];
        KgwReferenceCounts c = s.score(tokens, 0, tokens.length, false, mask);
        assertEquals(5, c.tokensScored());
        assertTrue(!mask[0] && !mask[2] && !mask[4], Arrays.toString(mask));
        assertTrue(!s.isGreen(new int[] {5}, 0, 100));
    }

    @Test
    void greenListAndMembershipAgree() {
        KgwReference kgw = KgwReference.of(KgwSeeding.selfhash(), 5000, 0.25);
        KgwReference.Scorer s = kgw.newScorer();
        SplittableRandom r = new SplittableRandom(59);
        int[] green = new int[kgw.greenlistSize()];
        for (int t = 0; t < 20; t++) {
            int[] window = r.ints(4, 0, 5000).toArray();
            s.greenList(window, 0, green, 0);
            Set<Integer> set = new HashSet<>();
            for (int g : green) {
                set.add(g);
            }
            assertEquals(green.length, set.size(), "distinct ids");
            for (int v = 0; v < 5000; v += 7) {
                assertEquals(set.contains(v), s.isGreen(window, 0, v), "v=" + v);
            }
        }
    }

    @Test
    void transformersSelfhashWithWidthOneDependsOnTheTokenAlone() {
        KgwReference kgw = KgwReference.of(KgwSeeding.parse("hf-selfhash"), 1000, 0.25);
        assertEquals(1, kgw.ngramLength());
        KgwReference.Scorer s = kgw.newScorer();
        int[] a = {7, 7, 7, 9, 7};
        // Unigrams: every token is scored, the first one too (transformers: n = 1 + 1 - 1).
        boolean[] mask = new boolean[5];
        s.score(a, 0, a.length, false, mask);
        assertEquals(mask[0], mask[1]);
        assertEquals(mask[0], mask[2]);
        assertEquals(mask[0], mask[4]);
        assertEquals(s.isGreen(new int[] {9}, 0, 9), mask[3]);
        // With de-duplication the repeated unigrams count once (two distinct: 7 and 9).
        assertEquals(2, s.score(a, 0, a.length, true, null).tokensScored());
        assertEquals(5, s.score(a, 0, a.length, false, null).tokensScored());
    }

    /**
     * Null side: on uniformly random ids the green count over distinct n-grams is
     * Binomial(T, int(V gamma) / V). Alpha 1e-6 two-sided band (|z| < 4.9), fixed seed.
     */
    @Test
    void nullGreenRateIsBinomialAndWatermarkedTextIsDetected() {
        for (String scheme : new String[] {"lefthash", "selfhash", "minhash", "hf-selfhash"}) {
            KgwReference kgw = KgwReference.of(KgwSeeding.parse(scheme), 2000, 0.25);
            KgwReference.Scorer s = kgw.newScorer();
            SplittableRandom r = new SplittableRandom(61);
            int[] tokens = r.ints(3000, 0, 2000).toArray();
            KgwReferenceCounts c = s.score(tokens, 0, tokens.length, true, null);
            double p = (double) kgw.greenlistSize() / kgw.vocabSize();
            double z = (c.greenTokens() - c.tokensScored() * p) / Math.sqrt(c.tokensScored() * p * (1 - p));
            assertTrue(Math.abs(z) < 4.9, scheme + " null z=" + z);
            assertTrue(c.referencePValue() > 1e-6, scheme + " null p=" + c.referencePValue());

            // Detection side: each token drawn from the green list of its own context.
            int[] wm = new int[400];
            int w = kgw.seeding().contextWidth();
            for (int i = 0; i < wm.length; i++) {
                if (i < kgw.ngramLength() - 1) {
                    wm[i] = r.nextInt(2000);
                    continue;
                }
                int candidate;
                do {
                    candidate = r.nextInt(2000);
                    wm[i] = candidate;
                } while (!s.isGreen(wm, kgw.seeding().selfSalt() ? i - w + 1 : i - w, candidate));
            }
            KgwReferenceCounts d = s.score(wm, 0, wm.length, true, null);
            assertEquals(d.tokensScored(), d.greenTokens(), scheme + ": every scored token is green");
            assertTrue(d.zScore() > 15, scheme + " z=" + d.zScore());
        }
    }

    @Test
    void zScoreAndPValuesFollowTheReferenceFormulas() {
        KgwReferenceCounts c = new KgwReferenceCounts(120, 80, 0.25);
        assertEquals((80 - 0.25 * 120) / Math.sqrt(120 * 0.25 * 0.75), c.zScore(), 0.0);
        // scipy.stats.norm.sf(5) = 2.866515718791939e-07; transformers' formula gives ~6.1e-8 at z=5.
        assertEquals(2.866515718791939e-07, KgwReferenceCounts.normalSurvival(5), 1e-21);
        KgwReferenceCounts five = new KgwReferenceCounts(100, 47, 0.25); // z = 5.08
        assertTrue(five.transformersPValue() < five.referencePValue() / 3, "transformers understates p");
        double zf = 5;
        double hf = 1 - (0.5 * (1 + Math.signum(zf) * (1 - Math.exp(-2 * zf * zf / Math.PI))));
        assertEquals(6.1e-8, hf, 0.05e-8);
    }

    @Test
    void rejectsBadInputWithClearMessages() {
        KgwReference kgw = KgwReference.of(KgwSeeding.selfhash(), 1000, 0.25);
        KgwReference.Scorer s = kgw.newScorer();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> s.score(new int[] {1, 2, 3, 4}, 0, 4, true, null));
        assertTrue(e.getMessage().contains("after the first 4 tokens the seeding scheme selfhash requires, got 4"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> s.score(new int[] {1, 2, 3, 4, -5}, 0, 5, true, null));
        assertTrue(e.getMessage().contains("non-negative, got -5 at position 4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> s.score(new int[] {1, 2, 3, 4, 5, 6}, 0, 6, true, new boolean[2]));
        assertTrue(e.getMessage().contains("green mask needs 3 slots"), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> s.score(new int[] {1, 2, 3}, 1, 5, true, null));
        e = assertThrows(IllegalArgumentException.class, () -> KgwReference.of(KgwSeeding.lefthash(), 3, 0.25));
        assertTrue(e.getMessage().contains("green list would be empty"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> KgwReference.of(KgwSeeding.lefthash(), 100, 1.0));
        assertTrue(e.getMessage().contains("gamma must be in (0, 1)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> KgwReference.of(KgwSeeding.lefthash(), 1, 0.5));
        assertTrue(e.getMessage().contains("vocabulary size"), e.getMessage());
    }
}

package dev.hallmark.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.detect.DetectOptions;
import dev.hallmark.detect.DetectionResult;
import dev.hallmark.detect.Detector;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.stats.Tails;
import dev.hallmark.testing.HumanText;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The null side of the interop schemes on real human text (datasets/human-text, 240 documents),
 * which no key has seen: many independent keys stand in for many independent worlds. Thresholds are
 * fixed before looking: at alpha = 0.01 the number of false positives among N tests must stay below
 * the one-sided 1e-4 quantile of Binomial(N, 0.01).
 */
class InteropNullTest {

    private static final double ALPHA = 0.01;

    /** Smallest c with P(Binomial(n, p) >= c) <= 1e-4: more false positives than this fails. */
    private static long upperLimit(long n, double p) {
        long c = Math.round(n * p);
        while (Tails.log10BinomialUpper(c, n, p) > -4) {
            c++;
        }
        return c;
    }

    /**
     * lm-watermarking's selfhash counts whole 4-grams, but the green decision depends only on the
     * min-hash anchor and the token: the same coin is counted several times. The exact binomial on
     * the reference's count is therefore not valid on natural text (this test shows it exceeding the
     * band); Hallmark's p-value, on independent (seed, token) units, stays inside it.
     *
     * <p>To keep the test fast the ids are folded into a vocabulary of V = 5,003 (x mod V): still a
     * human text independent of the keys, with the same repetition structure; the green-list walk
     * then costs a thirtieth of the full vocabulary's.
     */
    @Test
    void selfhashPValuesAreValidOnIndependentUnitsButNotOnTheReferenceCount() {
        int v = 5003;
        List<int[]> docs = new ArrayList<>();
        for (int[] d : HumanText.tokenized()) {
            docs.add(Arrays.stream(d).map(x -> x % v).toArray());
        }
        double p = (double) (int) (v * 0.25) / v;
        SplittableRandom r = new SplittableRandom(20261123L);
        int keys = 6;
        long n = 0;
        long unitFp = 0;
        long referenceFp = 0;
        long refTokens = 0;
        long units = 0;
        for (int k = 0; k < keys; k++) {
            long hashKey = r.nextLong(1L << 40) | 1;
            Detector d = Detector.of(KeyedScheme.of(Scheme.parse(
                    "hf-kgw:gamma=0.25,scheme=ff-anchored_minhash_prf-4-True-" + hashKey + ",vocab=" + v)));
            for (int[] doc : docs) {
                DetectionResult res = d.detect(doc, DetectOptions.defaults());
                n++;
                refTokens += res.tokensScored();
                units += res.independent().count();
                if (res.log10P() <= Math.log10(ALPHA)) {
                    unitFp++;
                }
                if (Tails.log10BinomialUpper(Math.round(res.scoreSum()), res.tokensScored(), p) <= Math.log10(ALPHA)) {
                    referenceFp++;
                }
            }
        }
        long limit = upperLimit(n, ALPHA);
        System.out.printf(java.util.Locale.ROOT, "InteropNullTest selfhash (V=%d, %d keys x %d docs): tokens_scored/units"
                + " = %.3f; false positives at alpha %.2f: exact p on units %d of %d (%.2f%%), binomial on the"
                + " reference count %d (%.2f%%); limit %d%n", v, keys, docs.size(), (double) refTokens / units, ALPHA,
                unitFp, n, 100.0 * unitFp / n, referenceFp, 100.0 * referenceFp / n, limit);
        assertTrue(units < refTokens, "selfhash on natural text repeats (anchor, token) units: " + units + " of " + refTokens);
        assertTrue(unitFp < limit, "Hallmark p-values: " + unitFp + " of " + n + " below " + ALPHA + ", limit " + limit);
        assertTrue(referenceFp >= limit, "a binomial on the reference's count should be anti-conservative here: "
                + referenceFp + " of " + n + " (limit " + limit + ")");
    }

    /** lefthash at the full Qwen3 vocabulary: units are the distinct bigrams, p-values valid. */
    @Test
    void lefthashPValuesAreValidAtFullVocabulary() {
        List<int[]> docs = new ArrayList<>();
        for (int[] d : HumanText.tokenized()) {
            docs.add(Arrays.copyOf(d, Math.min(d.length, 150)));
        }
        SplittableRandom r = new SplittableRandom(7);
        long n = 0;
        long fp = 0;
        for (int k = 0; k < 2; k++) {
            Detector d = Detector.of(KeyedScheme.of(Scheme.parse("hf-kgw:gamma=0.25,scheme=ff-additive_prf-1-False-"
                    + (r.nextLong(1L << 31) | 1) + ",vocab=151669")));
            for (int[] doc : docs) {
                DetectionResult res = d.detect(doc, DetectOptions.defaults());
                assertEquals(res.tokensScored(), res.independent().count(), "lefthash: units = distinct bigrams");
                n++;
                if (res.log10P() <= Math.log10(ALPHA)) {
                    fp++;
                }
            }
        }
        assertTrue(fp < upperLimit(n, ALPHA), fp + " of " + n);
    }

    /** SynthID-ref with random key sets: p-values valid and the g-values fair coins overall. */
    @Test
    void synthIdRefPValuesAreValidAndGValuesFair() {
        List<int[]> docs = HumanText.tokenized();
        SplittableRandom r = new SplittableRandom(11);
        Scheme scheme = Scheme.parse("synthid-ref:ngram_len=5,context_history=1024");
        long n = 0;
        long fp = 0;
        long ones = 0;
        long trials = 0;
        for (int k = 0; k < 8; k++) {
            long[] keys = new long[30];
            for (int i = 0; i < keys.length; i++) {
                keys[i] = r.nextLong();
            }
            Detector d = Detector.of(KeyedScheme.of(scheme, SynthIdKeys.of(keys)));
            for (int[] doc : docs) {
                DetectionResult res = d.detect(doc, DetectOptions.defaults());
                n++;
                if (res.log10P() <= Math.log10(ALPHA)) {
                    fp++;
                }
                ones += Math.round(res.independent().scoreSum());
                trials += res.independent().count() * keys.length;
            }
        }
        assertTrue(fp < upperLimit(n, ALPHA), fp + " of " + n);
        // two-sided 1e-4 band for the overall fraction of ones (sum of independent binomials)
        double z = (ones - trials / 2.0) / Math.sqrt(trials / 4.0);
        assertTrue(Math.abs(z) < 3.9, "g-values not fair coins: z = " + z + " over " + trials + " g-values");
    }
}

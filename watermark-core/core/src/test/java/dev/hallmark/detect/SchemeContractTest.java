package dev.hallmark.detect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.embed.SamplingConfig;
import dev.hallmark.embed.WatermarkSampler;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.NullModel;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.stats.BinomialInterval;
import dev.hallmark.stats.Tails;
import dev.hallmark.testing.RandomText;
import dev.hallmark.testing.SchemeCases;
import dev.hallmark.testing.TestKeys;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.statistics.inference.KolmogorovSmirnovTest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract every scheme must meet (one suite, run against every scheme): determinism, key
 * sensitivity, embed-then-detect round trip, and the null side (valid false-positive rates and
 * uniform p-values over 10,000 unwatermarked sequences with random keys).
 *
 * <p>Pre-stated levels: false-positive counts must fall inside the two-sided 99.9% Clopper-Pearson
 * band of Binomial(10,000, alpha); uniformity is rejected if the Kolmogorov-Smirnov p-value is
 * below 0.001. Every random choice comes from a fixed seed.
 */
class SchemeContractTest {

    static List<String> schemes() {
        return SchemeCases.specs();
    }

    private static final int VOCAB = 2_000;
    private static final SamplingConfig SAMPLING = SamplingConfig.defaults();

    private static int[] watermarkedText(Scheme scheme, WatermarkKey key, int tokens, long seed) {
        WatermarkSampler s = WatermarkSampler.watermarked(scheme, key, SAMPLING, VOCAB);
        return RandomText.generate(s, 8, tokens, 2.0, new SplittableRandom(seed));
    }

    @ParameterizedTest
    @MethodSource("schemes")
    void determinism(String spec) {
        Scheme scheme = Scheme.parse(spec);
        WatermarkKey key = TestKeys.key(11);
        int[] a = watermarkedText(scheme, key, 120, 5);
        int[] b = watermarkedText(scheme, TestKeys.key(11), 120, 5);
        assertArrayEquals(a, b, "same key, same seed, same text");
        DetectOptions o = DetectOptions.defaults().withTokenScores(true);
        DetectionResult r1 = Detector.of(scheme, key).detect(a, o);
        DetectionResult r2 = Detector.of(scheme, TestKeys.key(11)).detect(a, o);
        assertEquals(r1.log10P(), r2.log10P());
        assertArrayEquals(r1.tokenScores(), r2.tokenScores());
    }

    @ParameterizedTest
    @MethodSource("schemes")
    void roundTripDetectsAt200TokensAndOtherKeysDoNot(String spec) {
        Scheme scheme = Scheme.parse(spec);
        int detected = 0;
        int otherKeyHits = 0;
        int otherKeyTrials = 0;
        for (int trial = 0; trial < 5; trial++) {
            WatermarkKey key = TestKeys.key(100 + trial);
            int[] text = watermarkedText(scheme, key, 200, 1000 + trial);
            DetectionResult r = Detector.of(scheme, key).detect(text, DetectOptions.defaults());
            assertTrue(r.tokensScored() >= 150, "scored " + r.tokensScored());
            if (r.log10P() < -6) {
                detected++;
            }
            // key sensitivity: other keys see an unrelated stream
            for (int other = 0; other < 20; other++) {
                DetectionResult o = Detector.of(scheme, TestKeys.key(5000 + 100 * trial + other))
                        .detect(text, DetectOptions.defaults().withAlpha(1e-2));
                otherKeyTrials++;
                if (o.watermarked()) {
                    otherKeyHits++;
                }
            }
        }
        assertEquals(5, detected, spec + ": every 200-token watermarked text must reach p < 1e-6");
        // 100 wrong-key tests at alpha 0.01: more than 6 false alarms has probability < 0.001
        assertTrue(otherKeyHits <= 6, spec + ": wrong keys fired " + otherKeyHits + "/" + otherKeyTrials);
    }

    @ParameterizedTest
    @MethodSource("schemes")
    void nullSideFalsePositiveRatesAndUniformity(String spec) {
        Scheme scheme = Scheme.parse(spec);
        int sequences = 10_000;
        SplittableRandom r = new SplittableRandom(20261123L ^ spec.hashCode());
        double[] cdf = RandomText.zipfCdf(VOCAB, 1.1);
        double[] reported = new double[sequences];
        double[] randomized = new double[sequences];
        long repeatsSeen = 0;
        for (int i = 0; i < sequences; i++) {
            byte[] secret = new byte[32];
            r.nextBytes(secret);
            KeyedScheme keyed = KeyedScheme.of(scheme, WatermarkKey.fromSecret(secret));
            int[] text = RandomText.withRepeatedSpans(RandomText.zipf(50 + r.nextInt(251), VOCAB, r, cdf), r);
            DetectionResult d = Detector.of(keyed).detect(text, DetectOptions.defaults());
            repeatsSeen += d.skippedRepeated();
            reported[i] = d.pValue();
            randomized[i] = randomizedPValue(keyed.nullModel(), d.tokensScored(), d.scoreSum(), r.nextDouble());
            assertTrue(randomized[i] <= reported[i] + 1e-12, "randomized p never exceeds the reported p");
        }
        assertTrue(repeatsSeen > sequences, "the null texts must contain repeated tuples to exercise de-duplication");
        for (double alpha : new double[] {1e-2, 1e-3}) {
            BinomialInterval band = BinomialInterval.clopperPearson(Math.round(alpha * sequences), sequences, 0.999);
            long fpReported = Arrays.stream(reported).filter(p -> p <= alpha).count();
            long fpRandomized = Arrays.stream(randomized).filter(p -> p <= alpha).count();
            // validity: the reported (conservative for discrete nulls) p-values never exceed the band
            assertTrue(fpReported <= band.upper() * sequences,
                    spec + " alpha=" + alpha + ": " + fpReported + " false positives, band " + band);
            // exactness: the randomized p-values hit alpha on the nose, within the two-sided band
            BinomialInterval observed = BinomialInterval.clopperPearson(fpRandomized, sequences, 0.999);
            assertTrue(observed.contains(alpha),
                    spec + " alpha=" + alpha + ": randomized false positives " + fpRandomized + " of " + sequences);
        }
        double ks = KolmogorovSmirnovTest.withDefaults().test(randomized, x -> Math.max(0, Math.min(1, x))).getPValue();
        assertTrue(ks >= 1e-3, spec + ": p-values not uniform, KS p = " + ks);
    }

    /**
     * P(S' > S) + U P(S' = S) for a discrete null (exactly uniform under the null); the p-value
     * itself for a continuous null. Used to test that the null model is exact, not just conservative.
     */
    static double randomizedPValue(NullModel nm, long n, double sum, double u) {
        if (nm instanceof NullModel.Binomial b) {
            long k = Math.round(sum);
            long trials = n * b.trialsPerTuple();
            double ge = Tails.pValueFromLog10(Tails.log10BinomialUpper(k, trials, b.p()));
            double gt = Tails.pValueFromLog10(Tails.log10BinomialUpper(k + 1, trials, b.p()));
            return gt + u * (ge - gt);
        }
        return Tails.pValueFromLog10(nm.log10PValue(n, sum));
    }

    @ParameterizedTest
    @MethodSource("schemes")
    void deduplicationIsWhatKeepsRepetitiveTextHonest(String spec) {
        // one 30-token sentence repeated 20 times, with random keys: de-duplicated detection scores 30
        // tuples; without de-duplication the same tuples count 20 times and false positives explode
        Scheme scheme = Scheme.parse(spec);
        SplittableRandom r = new SplittableRandom(7);
        int trials = 400;
        int fpDedup = 0;
        int fpNoDedup = 0;
        for (int i = 0; i < trials; i++) {
            int[] sentence = new int[30];
            for (int j = 0; j < sentence.length; j++) {
                sentence[j] = r.nextInt(VOCAB);
            }
            int[] text = new int[600];
            for (int j = 0; j < text.length; j++) {
                text[j] = sentence[j % 30];
            }
            byte[] secret = new byte[32];
            r.nextBytes(secret);
            Detector d = Detector.of(scheme, WatermarkKey.fromSecret(secret));
            DetectOptions o = DetectOptions.defaults().withAlpha(0.01);
            if (d.detect(text, o).watermarked()) {
                fpDedup++;
            }
            if (d.detect(text, o.withDeduplicate(false)).watermarked()) {
                fpNoDedup++;
            }
        }
        // 400 tests at alpha 0.01: more than 12 false positives has probability < 0.001
        assertTrue(fpDedup <= 12, spec + ": " + fpDedup + " false positives with de-duplication");
        assertTrue(fpNoDedup > 3 * 12, spec + ": expected inflated false positives without de-duplication, got "
                + fpNoDedup);
        assertFalse(fpNoDedup <= fpDedup);
    }
}

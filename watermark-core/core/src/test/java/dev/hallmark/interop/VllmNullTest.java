package dev.hallmark.interop;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.detect.DetectOptions;
import dev.hallmark.detect.DetectionResult;
import dev.hallmark.detect.Detector;
import dev.hallmark.key.VllmKey;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.NullModel;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.stats.BinomialInterval;
import dev.hallmark.stats.Tails;
import dev.hallmark.testing.RandomText;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.commons.statistics.inference.KolmogorovSmirnovTest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The null side of the vLLM schemes: 10,000 sequences of token ids drawn uniformly from the Qwen3
 * vocabulary (151,669), 50 to 300 tokens, with copied spans (so that de-duplication is exercised),
 * each tested with its own uniformly random 64-bit key. Every random choice comes from a fixed seed.
 *
 * <p>Pre-stated levels (as {@code SchemeContractTest}): at alpha = 1e-2 and 1e-3 the number of
 * false positives of Hallmark's p-value must not exceed the upper end of the two-sided 99.9%
 * Clopper-Pearson band of Binomial(10,000, alpha); the randomized p-value (exact for the discrete
 * sbw null) must hit alpha within its own 99.9% band; and the randomized p-values must pass a
 * Kolmogorov-Smirnov test of uniformity at 0.001. vLLM's own p-values are counted and printed, not
 * asserted (its dual-key and sbw p-values are approximations).
 */
class VllmNullTest {

    private static final int SEQUENCES = 10_000;
    private static final int VOCAB = 151_669;

    @ParameterizedTest
    @ValueSource(strings = {
        "vllm-gumbel:context=4,dedup=true",
        "vllm-dual-key-gumbel:context=4,alpha=0.1,dedup=true",
        "vllm-dual-key-gumbel:context=2,alpha=0.35,dedup=true",
        "vllm-sbw:scheme=selfhash,context=4,gamma=0.5,dedup=true",
        "vllm-sbw:scheme=lefthash,context=1,gamma=0.25,dedup=true",
    })
    void falsePositiveRatesWithRandomKeys(String spec) {
        Scheme scheme = Scheme.parse(spec);
        SplittableRandom r = new SplittableRandom(20261201L ^ spec.hashCode());
        double[] reported = new double[SEQUENCES];
        double[] randomized = new double[SEQUENCES];
        double[] vllm = new double[SEQUENCES];
        long repeated = 0;
        for (int i = 0; i < SEQUENCES; i++) {
            KeyedScheme keyed = KeyedScheme.of(scheme, VllmKey.of(r.nextLong()));
            int[] ids = new int[50 + r.nextInt(251)];
            for (int j = 0; j < ids.length; j++) {
                ids[j] = r.nextInt(VOCAB);
            }
            RandomText.withRepeatedSpans(ids, r);
            DetectionResult d = Detector.of(keyed).detect(ids, DetectOptions.defaults());
            repeated += d.skippedRepeated();
            reported[i] = d.pValue();
            vllm[i] = d.reference().pValue();
            randomized[i] = randomizedPValue(keyed.nullModel(), d.independent().count(), d.independent().scoreSum(),
                    r.nextDouble());
            assertTrue(randomized[i] <= reported[i] + 1e-12);
        }
        assertTrue(repeated > SEQUENCES, "copied spans must repeat contexts: " + repeated);
        StringBuilder line = new StringBuilder(spec);
        for (double alpha : new double[] {1e-2, 1e-3}) {
            BinomialInterval band = BinomialInterval.clopperPearson(Math.round(alpha * SEQUENCES), SEQUENCES, 0.999);
            long fp = Arrays.stream(reported).filter(p -> p <= alpha).count();
            long fpRandomized = Arrays.stream(randomized).filter(p -> p <= alpha).count();
            long fpVllm = Arrays.stream(vllm).filter(p -> p <= alpha).count();
            line.append(String.format(Locale.ROOT, "; alpha %s: Hallmark %d, randomized %d, vLLM's p %d (band up to %.0f)",
                    alpha, fp, fpRandomized, fpVllm, band.upper() * SEQUENCES));
            assertTrue(fp <= band.upper() * SEQUENCES, spec + " alpha=" + alpha + ": " + fp + " false positives, band "
                    + band);
            assertTrue(BinomialInterval.clopperPearson(fpRandomized, SEQUENCES, 0.999).contains(alpha),
                    spec + " alpha=" + alpha + ": randomized false positives " + fpRandomized);
        }
        double ks = KolmogorovSmirnovTest.withDefaults().test(randomized, x -> Math.max(0, Math.min(1, x))).getPValue();
        System.out.println("VllmNullTest " + line + String.format(Locale.ROOT, "; KS p %.3g", ks));
        assertTrue(ks >= 1e-3, spec + ": p-values not uniform, KS p = " + ks);
    }

    /** P(S' > S) + U P(S' = S) for the discrete binomial null; the p-value itself for continuous nulls. */
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
}

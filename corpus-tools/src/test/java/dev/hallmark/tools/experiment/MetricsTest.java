package dev.hallmark.tools.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.scheme.NullModel;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Every expected number here is computed by hand in the comment next to it. */
class MetricsTest {

    @Test
    void flaggedAtCountsPValuesAtOrBelowAlpha() {
        double[] lp = {-5, -3, -2.5, -2, -1, 0};
        // <= -2: -5, -3, -2.5, -2 (equality flags, as DetectionResult.watermarked does)
        assertEquals(4, DetectionMetrics.flaggedAt(lp, 1e-2).count());
        assertEquals(6, DetectionMetrics.flaggedAt(lp, 1e-2).n());
        assertEquals(4.0 / 6, DetectionMetrics.flaggedAt(lp, 1e-2).rate(), 1e-15);
        assertEquals(2, DetectionMetrics.flaggedAt(lp, 1e-3).count());
        assertEquals(1, DetectionMetrics.flaggedAt(lp, 1e-4).count());
        assertThrows(IllegalArgumentException.class, () -> DetectionMetrics.flaggedAt(lp, 0));
    }

    @Test
    void clopperPearsonEndsOnClosedFormCases() {
        // k = 0 of n: upper = 1 - (alpha/2)^(1/n); 0.025^(1/10) = 0.691503..., so upper = 0.308497
        Rate r = Rate.of(0, 10);
        assertEquals(0.0, r.lower());
        assertEquals(1 - Math.pow(0.025, 0.1), r.upper(), 1e-6);
        // k = n: lower = (alpha/2)^(1/n)
        Rate all = Rate.of(10, 10);
        assertEquals(Math.pow(0.025, 0.1), all.lower(), 1e-6);
        assertEquals(1.0, all.upper());
        // k = 1, n = 10: R binom.test(1, 10)$conf.int = 0.002528579 0.445016117
        Rate one = Rate.of(1, 10);
        assertEquals(0.002528579, one.lower(), 1e-8);
        assertEquals(0.445016117, one.upper(), 1e-8);
        assertTrue(Double.isNaN(Rate.of(0, 0).rate()));
    }

    @Test
    void aucMannWhitneyOnAHandCountedFixture() {
        double[] pos = {3, 2, 1.5};
        double[] neg = {1, 1.5, 0};
        // pairs won: 3 beats all 3; 2 beats all 3; 1.5 beats 1 and 0 and ties 1.5 (1/2): 8.5 of 9
        assertEquals(8.5 / 9, DetectionMetrics.auc(pos, neg), 1e-15);
        assertEquals(1.0, DetectionMetrics.auc(new double[] {5, 6}, new double[] {1, 2, 3}), 0);
        assertEquals(0.0, DetectionMetrics.auc(new double[] {1}, new double[] {2, 3}), 0);
        assertEquals(0.5, DetectionMetrics.auc(new double[] {1, 1}, new double[] {1, 1, 1}), 0);
        assertTrue(Double.isNaN(DetectionMetrics.auc(new double[0], neg)));
    }

    @Test
    void rocPointsAndTheirAreaOnTheSameFixture() {
        double[] pos = {3, 2, 1.5};
        double[] neg = {1, 1.5, 0};
        double[][] roc = DetectionMetrics.roc(pos, neg);
        // thresholds 3, 2, 1.5, 1, 0 from the top: (fpr, tpr) = (0,1/3) (0,2/3) (1/3,1) (2/3,1) (1,1)
        assertArrayEquals(new double[] {0, 0, 0, 1.0 / 3, 2.0 / 3, 1}, roc[0], 1e-15);
        assertArrayEquals(new double[] {0, 1.0 / 3, 2.0 / 3, 1, 1, 1}, roc[1], 1e-15);
        assertArrayEquals(new double[] {Double.POSITIVE_INFINITY, 3, 2, 1.5, 1, 0}, roc[2], 0);
        // trapezoids: 1/3 * (2/3 + 1)/2 + 1/3 + 1/3 = 5/18 + 12/18 = 17/18 = 8.5/9
        assertEquals(17.0 / 18, DetectionMetrics.trapezoid(roc[0], roc[1]), 1e-15);
    }

    @Test
    void rocAreaEqualsMannWhitneyOnRandomTiedData() {
        SplittableRandom r = new SplittableRandom(17);
        for (int rep = 0; rep < 50; rep++) {
            double[] p = new double[1 + r.nextInt(30)];
            double[] n = new double[1 + r.nextInt(30)];
            for (int i = 0; i < p.length; i++) {
                p[i] = r.nextInt(8); // heavy ties
            }
            for (int i = 0; i < n.length; i++) {
                n[i] = r.nextInt(6);
            }
            double[][] roc = DetectionMetrics.roc(p, n);
            double brute = 0;
            for (double a : p) {
                for (double b : n) {
                    brute += a > b ? 1 : a == b ? 0.5 : 0;
                }
            }
            brute /= p.length * n.length;
            assertEquals(brute, DetectionMetrics.auc(p, n), 1e-12);
            assertEquals(brute, DetectionMetrics.trapezoid(roc[0], roc[1]), 1e-12);
        }
    }

    @Test
    void bootstrapIsSeededAndCoversTheEstimate() {
        SplittableRandom r = new SplittableRandom(3);
        double[] p = new double[80];
        double[] n = new double[120];
        for (int i = 0; i < p.length; i++) {
            p[i] = r.nextDouble() + 0.3;
        }
        for (int i = 0; i < n.length; i++) {
            n[i] = r.nextDouble();
        }
        DetectionMetrics.Interval a = DetectionMetrics.bootstrapAuc(p, n, 500, 42, 0.95);
        DetectionMetrics.Interval b = DetectionMetrics.bootstrapAuc(p, n, 500, 42, 0.95);
        DetectionMetrics.Interval c = DetectionMetrics.bootstrapAuc(p, n, 500, 43, 0.95);
        assertEquals(a, b);
        assertTrue(!a.equals(c), "another seed, other replicates");
        double auc = DetectionMetrics.auc(p, n);
        assertTrue(a.lower() < auc && auc < a.upper(), a + " around " + auc);
        // the analytic AUC of U(0.3,1.3) vs U(0,1) is 1 - 0.7^2/2 = 0.755; the 95% interval of
        // n = 80/120 spans roughly +-0.07
        assertTrue(a.upper() - a.lower() > 0.05 && a.upper() - a.lower() < 0.2, a.toString());
    }

    @Test
    void quantileType7() {
        double[] s = {1, 2, 3, 4};
        // h = 3 q: q = 0.5 -> 1.5 -> 2.5; q = 0.25 -> 0.75 -> 1.75
        assertEquals(2.5, DetectionMetrics.quantile(s, 0.5), 0);
        assertEquals(1.75, DetectionMetrics.quantile(s, 0.25), 0);
        assertEquals(4, DetectionMetrics.quantile(s, 1), 0);
    }

    @Test
    void tokensToDetectIsTheStartOfTheFinalDetectedRun() {
        // L:        0      1      2      3     4      5     6
        boolean[] d = {false, false, false, true, false, true, true};
        assertEquals(5, DetectionMetrics.tokensToDetect(d), "detected at 3 but lost at 4: stays detected from 5");
        assertEquals(-1, DetectionMetrics.tokensToDetect(new boolean[] {false, true, false}));
        assertEquals(1, DetectionMetrics.tokensToDetect(new boolean[] {false, true, true}));
        // median with never-detected as infinity: {5, 10, inf, 7} -> 5 7 10 inf -> (7 + 10) / 2
        assertEquals(8.5, DetectionMetrics.medianTokensToDetect(new int[] {5, 10, -1, 7}), 0);
        assertEquals(7, DetectionMetrics.medianTokensToDetect(new int[] {5, 10, 7}), 0);
        assertEquals(Double.POSITIVE_INFINITY, DetectionMetrics.medianTokensToDetect(new int[] {5, -1, -1}));
    }

    @Test
    void prefixScoresMatchHandComputedBinomialTails() {
        // scores (NaN = not scored): n(L) = 0,0,1,2,3,3,4 and S(L) = 0,0,1,1,2,2,3
        double[] scores = {Double.NaN, 1, 0, 1, Double.NaN, 1};
        PrefixScores ps = PrefixScores.of(scores);
        NullModel.Binomial nm = new NullModel.Binomial(1, 0.25);
        assertEquals(0.0, ps.log10P(nm, 1));
        // P(X >= 1 | n=1) = 0.25
        assertEquals(Math.log10(0.25), ps.log10P(nm, 2), 1e-12);
        // P(X >= 1 | n=2) = 1 - 0.75^2 = 0.4375
        assertEquals(Math.log10(0.4375), ps.log10P(nm, 3), 1e-12);
        // P(X >= 2 | n=3) = 3 (1/4)^2 (3/4) + (1/4)^3 = 0.15625
        assertEquals(Math.log10(0.15625), ps.log10P(nm, 4), 1e-12);
        assertEquals(ps.log10P(nm, 4), ps.log10P(nm, 5), 0, "an unscored position changes nothing");
        // P(X >= 3 | n=4) = 4 (1/4)^3 (3/4) + (1/4)^4 = 0.05078125
        assertEquals(Math.log10(0.05078125), ps.log10P(nm, 6), 1e-12);
        // at alpha = 0.2: flagged where p <= 0.2: L = 4, 5, 6
        boolean[] f = ps.flagged(CriticalValues.of(nm, 0.2, 10));
        assertArrayEquals(new boolean[] {false, false, false, false, true, true, true}, f);
        assertEquals(4, DetectionMetrics.tokensToDetect(f));
    }

    @Test
    void criticalValuesAgreeWithTheExactTest() {
        SplittableRandom r = new SplittableRandom(5);
        NullModel[] models = {new NullModel.Binomial(1, 0.25), new NullModel.Binomial(30, 0.5),
            new NullModel.Binomial(1, 0.5), new NullModel.Gamma()};
        for (NullModel nm : models) {
            for (double alpha : new double[] {1e-2, 1e-4}) {
                CriticalValues cv = CriticalValues.of(nm, alpha, 200);
                for (int rep = 0; rep < 3000; rep++) {
                    int n = 1 + r.nextInt(200);
                    double mean = nm.mean(n);
                    double sd = nm.sd(n);
                    double sum = mean + (r.nextDouble() * 10 - 2) * sd;
                    if (nm instanceof NullModel.Binomial b) {
                        sum = Math.max(0, Math.min((long) n * b.trialsPerTuple(), Math.round(sum)));
                    } else {
                        sum = Math.max(0, sum);
                    }
                    boolean exact = nm.log10PValue(n, sum) <= Math.log10(alpha);
                    assertEquals(exact, cv.flagged(n, sum), nm + " alpha " + alpha + " n " + n + " sum " + sum);
                }
            }
        }
        // one binomial threshold by hand: n = 4, p = 1/4, alpha = 0.06: P(X >= 3) = 0.0508 <= 0.06 but
        // P(X >= 2) = 0.2617 > 0.06, so the critical count is 3
        assertEquals(3.0, CriticalValues.of(new NullModel.Binomial(1, 0.25), 0.06, 4).critical(4));
    }

    @Test
    void qualityMetricsOnHandComputedCases() {
        // ln 0.5 and ln 0.25: mean -1.5 ln 2, perplexity 2^1.5
        assertEquals(Math.pow(2, 1.5), Quality.perplexity(new double[] {Math.log(0.5), Math.log(0.25)}), 1e-12);
        int[] ids = {1, 2, 1, 2, 3};
        assertEquals(3.0 / 5, Quality.distinctN(ids, 1), 0); // {1, 2, 3}
        assertEquals(3.0 / 4, Quality.distinctN(ids, 2), 0); // (1,2) (2,1) (1,2) (2,3)
        assertEquals(1.0, Quality.distinctN(ids, 3), 0); // (1,2,1) (2,1,2) (1,2,3)
        assertTrue(Double.isNaN(Quality.distinctN(new int[] {1}, 2)));
        // gamma 0.5, delta ln 3: e^delta - 1 = 2, z = 0.5 * 2 / (1 + 2 * 0.5) = 0.5
        double z = Quality.spikeModulus(0.5, Math.log(3));
        assertEquals(0.5, z, 1e-12);
        // (0.5, 0.25, 0.25): 0.5/1.25 + 2 * 0.25/1.125 = 0.4 + 0.4444... = 0.84444...
        assertEquals(0.4 + 0.5 / 1.125, Quality.spikeEntropy(new double[] {0.5, 0.25, 0.25}, 3, z), 1e-12);
        // the same from logits ln(2), 0, 0 (softmax 1/2, 1/4, 1/4) and a -inf entry
        float[] logits = {(float) Math.log(2), 0, 0, Float.NEGATIVE_INFINITY};
        assertEquals(0.4 + 0.5 / 1.125, Quality.spikeEntropyOfLogits(logits, 4, 1.0, z), 1e-7);
        // temperature 2 halves the logits: softmax(ln 2 / 2, 0, 0) = (sqrt 2, 1, 1) / (2 + sqrt 2)
        double r2 = Math.sqrt(2);
        double[] p2 = {r2 / (2 + r2), 1 / (2 + r2), 1 / (2 + r2)};
        assertEquals(Quality.spikeEntropy(p2, 3, z), Quality.spikeEntropyOfLogits(logits, 4, 2.0, z), 1e-7);
        // one certain token: 1 / (1 + z)
        assertEquals(1 / 1.5, Quality.spikeEntropy(new double[] {1}, 1, z), 1e-12);
        assertEquals(2.0, Quality.median(new double[] {3, 1, Double.NaN, 2}), 0);
        assertEquals(2.0, Quality.mean(new double[] {3, 1, Double.NaN, 2}), 0);
    }
}

package dev.hallmark.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.commons.statistics.distribution.BetaDistribution;
import org.junit.jupiter.api.Test;

/** Exact Clopper-Pearson intervals. */
class BinomialIntervalTest {

    /**
     * Against mpmath (src/test/resources/stats/clopper-pearson-references.csv, written by
     * gen_tail_references.py). Tolerance: 1e-12 relative on each end.
     */
    @Test
    void matchesMpmathReferences() throws IOException {
        int rows = 0;
        double maxRel = 0;
        try (InputStream in = getClass().getResourceAsStream("/stats/clopper-pearson-references.csv")) {
            assertTrue(in != null, "clopper-pearson-references.csv missing");
            final BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            boolean header = false;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("#")) {
                    continue;
                }
                if (!header) {
                    assertEquals("k,n,confidence,lower,upper", line);
                    header = true;
                    continue;
                }
                final String[] f = line.split(",");
                final long k = Long.parseLong(f[0]);
                final long n = Long.parseLong(f[1]);
                final double conf = Double.parseDouble(f[2]);
                final double lo = Double.parseDouble(f[3]);
                final double hi = Double.parseDouble(f[4]);
                final BinomialInterval ci = BinomialInterval.clopperPearson(k, n, conf);
                assertEquals(lo, ci.lower(), 1e-12 * lo, line);
                assertEquals(hi, ci.upper(), 1e-12 * hi, line);
                if (lo > 0) {
                    maxRel = Math.max(maxRel, Math.abs(ci.lower() - lo) / lo);
                }
                maxRel = Math.max(maxRel, Math.abs(ci.upper() - hi) / hi);
                rows++;
            }
        }
        System.out.printf(Locale.ROOT, "accuracy clopper-pearson %d intervals, max relative error %.2e%n", rows, maxRel);
        assertTrue(rows >= 15, "rows " + rows);
    }

    @Test
    void textbookAndClosedFormValues() {
        // k = 5 of n = 10 at 95%: (0.1871, 0.8129) in the published Clopper-Pearson tables
        final BinomialInterval ci = BinomialInterval.clopperPearson(5, 10, 0.95);
        assertEquals(0.1871, ci.lower(), 5e-5);
        assertEquals(0.8129, ci.upper(), 5e-5);
        // symmetric in k <-> n-k
        assertEquals(1 - ci.upper(), ci.lower(), 1e-15);
        // k = 0: [0, 1 - (alpha/2)^(1/n)]; k = n: [(alpha/2)^(1/n), 1] ("rule of three" regime)
        final BinomialInterval zero = BinomialInterval.clopperPearson(0, 1000, 0.95);
        assertEquals(0.0, zero.lower());
        assertEquals(1 - Math.pow(0.025, 1.0 / 1000), zero.upper(), 1e-15);
        final BinomialInterval all = BinomialInterval.clopperPearson(1000, 1000, 0.95);
        assertEquals(Math.pow(0.025, 1.0 / 1000), all.lower(), 1e-15);
        assertEquals(1.0, all.upper());
        // n = 0: no information
        final BinomialInterval none = BinomialInterval.clopperPearson(0, 0, 0.9);
        assertEquals(0.0, none.lower());
        assertEquals(1.0, none.upper());
    }

    @Test
    void agreesWithCommonsStatisticsBetaQuantiles() {
        // independent implementation: lower = Beta(k, n-k+1).inverseCDF(alpha/2),
        // upper = Beta(k+1, n-k).inverseCDF(1 - alpha/2); tolerance 1e-10 absolute (the default
        // accuracy of the Commons Statistics quantile search)
        final SplittableRandom rnd = new SplittableRandom(7L);
        for (int t = 0; t < 60; t++) {
            final int n = 1 + rnd.nextInt(2000);
            final int k = 1 + rnd.nextInt(n - 1 > 0 ? n - 1 : 1);
            if (k >= n) {
                continue;
            }
            final double conf = new double[] {0.9, 0.95, 0.99, 0.999}[rnd.nextInt(4)];
            final double ah = (1 - conf) / 2;
            final BinomialInterval ci = BinomialInterval.clopperPearson(k, n, conf);
            final String what = "k=" + k + " n=" + n + " conf=" + conf;
            assertEquals(BetaDistribution.of(k, n - k + 1.0).inverseCumulativeProbability(ah), ci.lower(), 1e-10, what);
            assertEquals(BetaDistribution.of(k + 1.0, n - k).inverseCumulativeProbability(1 - ah), ci.upper(), 1e-10, what);
        }
    }

    @Test
    void coverageIsAtLeastTheConfidenceLevelExactly() {
        // Clopper-Pearson is conservative: for every p, P_p(interval(X) contains p) >= confidence.
        // Computed exactly by summing the pmf over all outcomes (no simulation).
        final int n = 40;
        final double conf = 0.95;
        final BinomialInterval[] byK = new BinomialInterval[n + 1];
        for (int k = 0; k <= n; k++) {
            byK[k] = BinomialInterval.clopperPearson(k, n, conf);
        }
        double minCoverage = 1;
        for (double p = 0.005; p < 1; p += 0.005) {
            double coverage = 0;
            for (int k = 0; k <= n; k++) {
                if (byK[k].contains(p)) {
                    coverage += Math.exp(Tails.lnBinomialPmf(k, n, p));
                }
            }
            assertTrue(coverage >= conf - 1e-12, "p=" + p + " coverage " + coverage);
            minCoverage = Math.min(minCoverage, coverage);
        }
        // and it is not trivially wide: the worst case is close to the nominal level
        assertTrue(minCoverage < 0.96, "min coverage " + minCoverage);
    }

    @Test
    void hugeNSatisfiesTheDefiningEquationsAndTheNormalWidth() {
        final long n = 5_000_000_000L;
        final long k = 1_251_000_000L;
        final BinomialInterval ci = BinomialInterval.clopperPearson(k, n, 0.999);
        final double lnAh = Math.log(0.0005);
        assertEquals(lnAh, Tails.lnBinomialUpper(k, n, ci.lower()), 1e-9 * Math.abs(lnAh));
        assertEquals(lnAh, Tails.lnBinomialLower(k, n, ci.upper()), 1e-9 * Math.abs(lnAh));
        // normal approximation: half-width z_{0.9995} sqrt(phat (1-phat) / n), z = 3.2905267314919
        final double phat = (double) k / n;
        final double half = 3.2905267314919255 * Math.sqrt(phat * (1 - phat) / n);
        assertEquals(half, (ci.upper() - ci.lower()) / 2, 1e-3 * half);
        assertTrue(ci.contains(phat));
        assertFalse(ci.contains(0.25)); // 1e6 successes above the p = 1/4 mean: 32.7 sd (sd = 30,619)
    }

    @Test
    void tinyBoundsKeepRelativePrecision() {
        // k = 1 of 1e12: lower ~ 5e-16 (alpha/2 = 5e-4), not 0 and not swamped by rounding
        final BinomialInterval ci = BinomialInterval.clopperPearson(1, 1_000_000_000_000L, 0.999);
        // for k = 1, P(X >= 1) = 1 - (1-p)^n = alpha/2 gives p = -expm1(log1p(-alpha/2)/n)
        final double expected = -Math.expm1(Math.log1p(-0.0005) / 1e12);
        assertEquals(expected, ci.lower(), 1e-12 * expected);
    }

    @Test
    void validation() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> BinomialInterval.clopperPearson(11, 10, 0.95));
        assertTrue(e.getMessage().contains("successes k must be in [0, n] = [0, 10], got 11"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BinomialInterval.clopperPearson(-1, 10, 0.95));
        assertTrue(e.getMessage().contains("got -1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BinomialInterval.clopperPearson(1, -10, 0.95));
        assertTrue(e.getMessage().contains("trials n"), e.getMessage());
        for (double bad : new double[] {0, 1, -0.5, 1.5, Double.NaN}) {
            e = assertThrows(IllegalArgumentException.class, () -> BinomialInterval.clopperPearson(1, 10, bad));
            assertTrue(e.getMessage().contains("confidence must be strictly between 0 and 1"), e.getMessage());
        }
        e = assertThrows(IllegalArgumentException.class, () -> new BinomialInterval(0.6, 0.5));
        assertTrue(e.getMessage().contains("0 <= lower <= upper <= 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BinomialInterval(Double.NaN, 0.5));
        final BinomialInterval ci = new BinomialInterval(0.2, 0.4);
        assertTrue(ci.contains(0.2) && ci.contains(0.4) && ci.contains(0.3));
        assertFalse(ci.contains(0.41) || ci.contains(0.19) || ci.contains(Double.NaN));
    }

    @Test
    void countLimitsMatchBruteForceSums() {
        for (int n : new int[] {1, 10, 100, 240, 1000}) {
            for (double p : new double[] {0.001, 0.01, 0.05, 0.25}) {
                for (double tail : new double[] {0.005, 0.025}) {
                    double[] pmf = new double[n + 1];
                    for (int k = 0; k <= n; k++) {
                        pmf[k] = org.apache.commons.statistics.distribution.BinomialDistribution.of(n, p).probability(k);
                    }
                    long hi = BinomialInterval.upperCountLimit(n, p, tail);
                    double above = 0;
                    for (int k = (int) hi + 1; k <= n; k++) {
                        above += pmf[k];
                    }
                    assertTrue(above <= tail * (1 + 1e-9), n + " " + p + " " + tail);
                    assertTrue(hi == 0 || above + pmf[(int) hi] > tail, "smallest such limit: " + n + " " + p);
                    long lo = BinomialInterval.lowerCountLimit(n, p, tail);
                    double below = 0;
                    for (int k = 0; k < lo; k++) {
                        below += pmf[k];
                    }
                    assertTrue(below <= tail * (1 + 1e-9), n + " " + p + " " + tail);
                    assertTrue(lo == n || below + pmf[(int) lo] > tail, "largest such limit: " + n + " " + p);
                }
            }
        }
        assertEquals(2, BinomialInterval.upperCountLimit(240, 1e-3, 0.005));
    }
}

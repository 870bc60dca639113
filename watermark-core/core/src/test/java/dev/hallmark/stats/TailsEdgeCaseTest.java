package dev.hallmark.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.commons.statistics.distribution.NormalDistribution;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Edge cases, argument validation, monotonicity and internal consistency of {@link Tails}. */
class TailsEdgeCaseTest {

    private static final double NEG_INF = Double.NEGATIVE_INFINITY;
    private static final double LOG10_QUARTER = Math.log10(0.25);

    private static void assertMessage(Executable call, String... fragments) {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' should contain '" + f + "'");
        }
    }

    private static void assertPositiveZero(double v) {
        assertEquals(0, Double.compare(v, 0.0), "expected +0.0, got " + v);
    }

    // ---------------------------------------------------------------- binomial

    @Test
    void binomialBoundaryValues() {
        assertPositiveZero(Tails.log10BinomialUpper(0, 10, 0.3));
        assertPositiveZero(Tails.log10BinomialUpper(-5, 10, 0.3));
        assertPositiveZero(Tails.log10BinomialUpper(Long.MIN_VALUE, 10, 0.3));
        assertEquals(NEG_INF, Tails.log10BinomialUpper(11, 10, 0.3));
        assertEquals(NEG_INF, Tails.log10BinomialUpper(Long.MAX_VALUE, 10, 0.3));
        // p = 0: X = 0 surely
        assertPositiveZero(Tails.log10BinomialUpper(0, 10, 0.0));
        assertEquals(NEG_INF, Tails.log10BinomialUpper(1, 10, 0.0));
        // p = 1: X = n surely
        assertPositiveZero(Tails.log10BinomialUpper(10, 10, 1.0));
        assertPositiveZero(Tails.log10BinomialUpper(1, 10, 1.0));
        assertEquals(NEG_INF, Tails.log10BinomialUpper(11, 10, 1.0));
        // n = 0
        assertPositiveZero(Tails.log10BinomialUpper(0, 0, 0.5));
        assertEquals(NEG_INF, Tails.log10BinomialUpper(1, 0, 0.5));
        // lower tail mirrors
        assertPositiveZero(Tails.log10BinomialLower(10, 10, 0.3));
        assertEquals(NEG_INF, Tails.log10BinomialLower(-1, 10, 0.3));
        assertEquals(NEG_INF, Tails.log10BinomialLower(9, 10, 1.0));
        assertPositiveZero(Tails.log10BinomialLower(0, 10, 0.0));
    }

    @Test
    void binomialAllSuccessesIsNTimesLog10P() {
        // P(X >= n) = p^n exactly; for n = 200000, p = 1/4 that is about 10^-120412
        for (long n : new long[] {1, 7, 200, 1000, 200_000, 5_000_000_000L}) {
            final double expected = n * LOG10_QUARTER;
            assertEquals(expected, Tails.log10BinomialUpper(n, n, 0.25), 1e-14 * Math.abs(expected), "n=" + n);
        }
        // k = 1: log10(1 - q^n)
        final double expected = Math.log10(-Math.expm1(1000 * Math.log1p(-0.001)));
        assertEquals(expected, Tails.log10BinomialUpper(1, 1000, 0.001), 1e-14 * Math.abs(expected));
    }

    @Test
    void binomialValidation() {
        assertMessage(() -> Tails.log10BinomialUpper(1, 10, Double.NaN), "binomial p", "[0, 1]", "NaN");
        assertMessage(() -> Tails.log10BinomialUpper(1, 10, -0.1), "binomial p", "-0.1");
        assertMessage(() -> Tails.log10BinomialUpper(1, 10, 1.5), "binomial p", "1.5");
        assertMessage(() -> Tails.log10BinomialUpper(1, -1, 0.5), "binomial n", "-1");
        assertMessage(() -> Tails.log10BinomialUpper(1, (1L << 53) + 1, 0.5), "binomial n", "2^53");
        assertMessage(() -> Tails.log10BinomialLower(1, 10, Double.NaN), "binomial p", "NaN");
    }

    @Test
    void binomialIsMonotoneInKAndP() {
        for (long n : new long[] {1, 13, 1000, 123_457}) {
            double prev = 0;
            for (long k = 0; k <= n + 1; k += Math.max(1, n / 2000)) {
                final double v = Tails.log10BinomialUpper(k, n, 0.37);
                assertTrue(v <= prev, "n=" + n + " k=" + k + ": " + v + " > " + prev);
                prev = v;
            }
        }
        double prev = NEG_INF;
        for (double p = 0.0; p <= 1.0; p += 1.0 / 64) {
            final double v = Tails.log10BinomialUpper(300, 1000, p);
            assertTrue(v >= prev, "p=" + p + ": " + v + " < " + prev);
            prev = v;
        }
    }

    @Test
    void binomialTailsAreConsistentAcrossTheBranchSwitchAtHugeN() {
        // the algorithm changes at k = n p (direct upper sum above, 1 - lower sum below); around it,
        // P(X >= k) - P(X >= k+1) = P(X = k) and P(X <= k) + P(X >= k+1) = 1 must hold.
        final long n = 5_000_000_000L;
        final double p = 0.25;
        final long mean = 1_250_000_000L;
        for (long k = mean - 3; k <= mean + 3; k++) {
            final double up = Math.exp(Tails.lnBinomialUpper(k, n, p));
            final double upNext = Math.exp(Tails.lnBinomialUpper(k + 1, n, p));
            final double pmf = Math.exp(Tails.lnBinomialPmf(k, n, p));
            // both tails are ~0.5 and accurate to ~1e-13 relative, so their difference to ~1e-13 absolute
            assertEquals(pmf, up - upNext, 2e-13, "k=" + k);
            final double low = Math.exp(Tails.lnBinomialLower(k, n, p));
            assertEquals(1.0, low + upNext, 1e-14, "k=" + k);
        }
    }

    // ---------------------------------------------------------------- gamma

    @Test
    void gammaBoundaryValues() {
        assertPositiveZero(Tails.log10GammaUpper(0.0, 5));
        assertPositiveZero(Tails.log10GammaUpper(-0.0, 5));
        assertPositiveZero(Tails.log10GammaUpper(-3, 5));
        assertPositiveZero(Tails.log10GammaUpper(NEG_INF, 5));
        assertEquals(NEG_INF, Tails.log10GammaUpper(Double.POSITIVE_INFINITY, 5));
        // shape 1 is the exponential distribution: ln Q = -x. For x < 2 the series gives
        // log1p(-P) with P = exp(ln P), whose relative error is about |ln P| ulps (23 for x = 1e-10).
        for (double x : new double[] {1e-10, 0.5, 1.5, 2, 700, 1e5, 1e300}) {
            assertEquals(-x, Tails.lnGammaUpper(x, 1.0), 1e-14 * x, "x=" + x);
        }
    }

    @Test
    void gammaValidation() {
        assertMessage(() -> Tails.log10GammaUpper(Double.NaN, 5), "gamma x", "NaN");
        assertMessage(() -> Tails.log10GammaUpper(1, Double.NaN), "gamma shape", "NaN");
        assertMessage(() -> Tails.log10GammaUpper(1, 0), "gamma shape", "> 0", "0.0");
        assertMessage(() -> Tails.log10GammaUpper(1, -2), "gamma shape", "-2.0");
        assertMessage(() -> Tails.log10GammaUpper(1, Double.POSITIVE_INFINITY), "gamma shape", "finite");
    }

    @Test
    void gammaIsMonotoneInXAndShape() {
        for (double a : new double[] {0.3, 1, 7.5, 200, 1e6}) {
            double prev = 0;
            final double sd = Math.sqrt(a);
            for (double x = Math.max(1e-3, a - 8 * sd); x < a + 40 * sd + 10; x += sd / 16 + 0.01) {
                final double v = Tails.log10GammaUpper(x, a);
                assertTrue(v <= prev, "a=" + a + " x=" + x + ": " + v + " > " + prev);
                prev = v;
            }
        }
        double prev = NEG_INF;
        for (double a = 1; a < 2000; a *= 1.1) {
            final double v = Tails.log10GammaUpper(300, a);
            assertTrue(v >= prev, "a=" + a + ": " + v + " < " + prev);
            prev = v;
        }
    }

    @Test
    void hugeShapeApproachesTheNormalTail() {
        // G ~ Gamma(a) has mean a, sd sqrt(a) and skewness 2/sqrt(a); for a = 1e12 the standardised
        // tail differs from the normal one only by O(1/sqrt(a)) = 1e-6 relative in the log.
        final double a = 1e12;
        for (double z : new double[] {1, 3, 10, 30}) {
            final double exact = Tails.log10GammaUpper(a + z * Math.sqrt(a), a);
            final double normal = Tails.log10NormalUpper(z);
            assertEquals(normal, exact, 1e-4 * Math.abs(normal), "z=" + z);
        }
        // beyond the double range of p: log10 Q(1e9, 1.1e9) is about -2.04e6 (mpmath: -2036766.93119...)
        assertEquals(-2036766.931190124, Tails.log10GammaUpper(1.1e9, 1e9), 1e-5);
    }

    // ---------------------------------------------------------------- normal

    @Test
    void normalBoundaryValuesAndSymmetry() {
        assertEquals(Math.log10(0.5), Tails.log10NormalUpper(0.0), 1e-16);
        assertEquals(NEG_INF, Tails.log10NormalUpper(Double.POSITIVE_INFINITY));
        assertPositiveZero(Tails.log10NormalUpper(NEG_INF));
        assertPositiveZero(Tails.log10NormalUpper(-40)); // 1 - 1.6e-350 rounds to 1
        assertEquals(NEG_INF, Tails.log10NormalUpper(1e200)); // z^2 overflows: p below every representable log
        assertMessage(() -> Tails.log10NormalUpper(Double.NaN), "normal z", "NaN");
        for (double z = 0; z < 8; z += 0.37) {
            final double sum = Math.exp(Tails.lnNormalUpper(z)) + Math.exp(Tails.lnNormalUpper(-z));
            assertEquals(1.0, sum, 4e-16, "z=" + z);
        }
    }

    @Test
    void normalAgreesWithCommonsStatisticsWhereThatDoesNotUnderflow() {
        // an independent implementation (Commons Statistics NormalDistribution, erfc-based)
        final NormalDistribution std = NormalDistribution.of(0, 1);
        for (double z = -8; z <= 37; z += 0.25) {
            final double expected = Math.log10(std.survivalProbability(z));
            assertEquals(expected, Tails.log10NormalUpper(z), 1e-13 * Math.max(1e-3, Math.abs(expected)), "z=" + z);
        }
    }

    @Test
    void normalIsContinuousWhereTheAlgorithmChanges() {
        // erfc below z = 20, Mills-ratio continued fraction from 20 on
        final double below = Tails.lnNormalUpper(Math.nextDown(20.0));
        final double at = Tails.lnNormalUpper(20.0);
        // d ln Q / dz ~ -z: one ulp of z moves ln Q by about 20 * 3.6e-15
        assertEquals(below, at, 1e-13 * Math.abs(at));
        double prev = 0;
        for (double z = -50; z < 200; z += 0.125) {
            final double v = Tails.log10NormalUpper(z);
            assertTrue(v <= prev, "z=" + z);
            prev = v;
        }
    }

    @Test
    void normalApproximationMisstatesExtremeTails() {
        // why the detectors report exact tails: the z-score approximation of a KGW test with
        // n = 200 scored tokens, gamma = 0.25, all 200 green is off by more than ten decades
        final long n = 200;
        final double gamma = 0.25;
        final double exact = Tails.log10BinomialUpper(n, n, gamma); // = 200 log10(0.25) = -120.41
        final double z = (n - n * gamma) / Math.sqrt(n * gamma * (1 - gamma));
        final double approx = Tails.log10NormalUpper(z);
        System.out.printf(java.util.Locale.ROOT,
            "KGW n=200 gamma=0.25 all green: exact log10 p = %.2f, z = %.2f, normal approximation log10 p = %.2f%n",
            exact, z, approx);
        assertEquals(200 * LOG10_QUARTER, exact, 1e-12);
        assertTrue(approx < exact - 10, "normal approximation " + approx + " vs exact " + exact);
    }

    // ---------------------------------------------------------------- p-values

    @Test
    void pValueFromLog10() {
        assertEquals(1.0, Tails.pValueFromLog10(0.0));
        assertEquals(1.0, Tails.pValueFromLog10(-0.0));
        assertEquals(0.01, Tails.pValueFromLog10(-2), 1e-18);
        assertEquals(1e-300, Tails.pValueFromLog10(-300), 1e-314);
        assertPositiveZero(Tails.pValueFromLog10(-400));
        assertPositiveZero(Tails.pValueFromLog10(-120412));
        assertPositiveZero(Tails.pValueFromLog10(NEG_INF));
        assertMessage(() -> Tails.pValueFromLog10(Double.NaN), "log10 p-value", "NaN");
        assertMessage(() -> Tails.pValueFromLog10(0.5), "log10 p-value", "<= 0", "0.5");
    }

    @Test
    void naturalAndDecimalLogsAgree() {
        assertEquals(Tails.lnBinomialUpper(70, 200, 0.25) / Math.log(10), Tails.log10BinomialUpper(70, 200, 0.25), 1e-14);
        assertEquals(Tails.lnGammaUpper(250, 200) / Math.log(10), Tails.log10GammaUpper(250, 200), 1e-14);
        assertEquals(Tails.lnNormalUpper(3) / Math.log(10), Tails.log10NormalUpper(3), 1e-14);
    }
}

package dev.hallmark.stats;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * {@link Tails} against direct sums for small parameters.
 *
 * <p>Binomial, n <= 60, every k: the pmf {@code C(n,j) p^j (1-p)^(n-j)} (p taken as the exact binary
 * value of the double) and both cumulative sums {@code sum_(j>=k)} and {@code sum_(j<=k)} are
 * computed with 80-significant-digit {@link BigDecimal} arithmetic (relative error below 1e-75);
 * the tail above 1/2 is taken as 1 minus the directly summed other tail, so no digits are lost.
 * Gamma with integer shape a: {@code P(G >= x) = P(Poisson(x) <= a-1) = e^-x sum_(j<a) x^j/j!},
 * summed directly with 60-digit BigDecimal arithmetic (the complement {@code sum_(j>=a)} is summed
 * instead when the tail is above 1/2).
 *
 * <p>Tolerance: {@value #REL_TOL} relative on the log10 probability. Where the tail is close to 1
 * its log is {@code log1p(-c)} with a tiny complement {@code c = exp(ln c)}, and the relative error
 * of c is about {@code |ln c|} ulps (up to ~700 * 1.1e-16 ~ 1e-13 for c near 1e-300); the tolerance
 * leaves a margin of about 5 over that.
 */
class TailsBruteForceTest {

    static final double REL_TOL = 1e-12;
    private static final MathContext MC = new MathContext(60);
    private static final MathContext MC80 = new MathContext(80);
    private static final double LN10 = Math.log(10);
    private static final BigDecimal HALF = new BigDecimal("0.5");

    private static final double[] PS = {0.5, 0.25, 0.1, 0.3, 0.7, 0.9, 0.001, 0.999, 1e-5, 0.123456789};

    /**
     * log10 of a positive BigDecimal with at most ~80 significant digits; near 1 through
     * {@code log1p(t - 1)} so that a small log keeps its relative precision.
     */
    static double log10Of(BigDecimal t) {
        if (t.signum() <= 0) {
            return Double.NEGATIVE_INFINITY;
        }
        if (t.compareTo(HALF) >= 0 && t.compareTo(BigDecimal.valueOf(2)) <= 0) {
            return Math.log1p(t.subtract(BigDecimal.ONE).doubleValue()) / LN10;
        }
        final BigDecimal r = t.round(new MathContext(30));
        return Math.log10(r.unscaledValue().doubleValue()) - r.scale();
    }

    /** log10 of a probability given it and its complement, both summed directly. */
    static double log10Tail(BigDecimal tail, BigDecimal complement) {
        if (tail.compareTo(HALF) < 0) {
            return log10Of(tail);
        }
        return Math.log1p(-complement.doubleValue()) / LN10;
    }

    private static BigDecimal[] pmf(int n, double p) {
        final BigDecimal bp = new BigDecimal(p);
        final BigDecimal bq = BigDecimal.ONE.subtract(bp); // exact
        final BigDecimal[] qPow = new BigDecimal[n + 1];
        qPow[0] = BigDecimal.ONE;
        for (int j = 1; j <= n; j++) {
            qPow[j] = qPow[j - 1].multiply(bq, MC80);
        }
        final BigDecimal[] f = new BigDecimal[n + 1];
        BigInteger choose = BigInteger.ONE;
        BigDecimal pPow = BigDecimal.ONE;
        for (int j = 0; j <= n; j++) {
            f[j] = new BigDecimal(choose).multiply(pPow, MC80).multiply(qPow[n - j], MC80);
            choose = choose.multiply(BigInteger.valueOf(n - j)).divide(BigInteger.valueOf(j + 1));
            pPow = pPow.multiply(bp, MC80);
        }
        return f;
    }

    private static void compare(List<String> failures, double[] maxRel, String what, double got, double ref) {
        final double err = Math.abs(got - ref);
        if (ref == 0 ? got != 0 : !(err <= REL_TOL * Math.abs(ref))) {
            failures.add(String.format(Locale.ROOT, "%s: got %.17g, exact %.17g", what, got, ref));
        }
        if (ref != 0) {
            maxRel[0] = Math.max(maxRel[0], err / Math.abs(ref));
        }
    }

    @Test
    void binomialUpperAndLowerTailsEqualExactSums() {
        final List<String> failures = new ArrayList<>();
        final double[] maxRel = {0};
        int cases = 0;
        for (int n = 0; n <= 60; n++) {
            for (double p : PS) {
                final BigDecimal[] f = pmf(n, p);
                // up[k] = sum_{j >= k} f[j], low[k] = sum_{j <= k} f[j], both sums of positive terms
                final BigDecimal[] up = new BigDecimal[n + 2];
                up[n + 1] = BigDecimal.ZERO;
                for (int j = n; j >= 0; j--) {
                    up[j] = up[j + 1].add(f[j], MC80);
                }
                final BigDecimal[] low = new BigDecimal[n + 1];
                for (int j = 0; j <= n; j++) {
                    low[j] = j == 0 ? f[0] : low[j - 1].add(f[j], MC80);
                }
                for (int k = 0; k <= n; k++) {
                    final String where = "n=" + n + " p=" + p + " k=" + k;
                    final BigDecimal belowK = k == 0 ? BigDecimal.ZERO : low[k - 1];
                    compare(failures, maxRel, "upper " + where, Tails.log10BinomialUpper(k, n, p),
                        log10Tail(up[k], belowK));
                    compare(failures, maxRel, "lower " + where, Tails.log10BinomialLower(k, n, p),
                        log10Tail(low[k], up[k + 1]));
                    compare(failures, maxRel, "pmf " + where, Tails.lnBinomialPmf(k, n, p) / LN10, log10Of(f[k]));
                    cases++;
                }
            }
        }
        System.out.printf(Locale.ROOT, "brute force binomial: %d (n, p, k) cases, max relative error %.2e%n",
            cases, maxRel[0]);
        assertTrue(failures.isEmpty(), failures.size() + " mismatches:\n" + String.join("\n", failures));
    }

    @Test
    void gammaWithIntegerShapeEqualsPoissonSum() {
        final double[] xs = {1e-8, 0.01, 0.5, 1, 2.5, 5, 9.99, 10, 17.3, 30, 31, 60, 100, 200, 650};
        final List<String> failures = new ArrayList<>();
        final double[] maxRel = {0};
        for (int a = 1; a <= 40; a++) {
            for (double x : xs) {
                final BigDecimal bx = new BigDecimal(x);
                // terms x^j / j!
                BigDecimal term = BigDecimal.ONE;
                BigDecimal below = BigDecimal.ZERO; // sum_{j < a}
                for (int j = 0; j < a; j++) {
                    below = below.add(term, MC);
                    term = term.multiply(bx, MC).divide(BigDecimal.valueOf(j + 1), MC);
                }
                BigDecimal above = BigDecimal.ZERO; // sum_{j >= a}, until terms are negligible
                for (int j = a; ; j++) {
                    above = above.add(term, MC);
                    term = term.multiply(bx, MC).divide(BigDecimal.valueOf(j + 1), MC);
                    if (j > x && term.compareTo(above.multiply(new BigDecimal("1e-40"), MC)) < 0) {
                        break;
                    }
                }
                final double ref;
                if (below.compareTo(above) <= 0) {
                    // Q = e^-x * below is the small tail: ln Q = -x + ln(below)
                    ref = (-x + log10Of(below) * LN10) / LN10;
                } else {
                    // Q > 1/2: ln Q = log1p(-e^-x * above)
                    ref = Math.log1p(-Math.exp(-x + log10Of(above) * LN10)) / LN10;
                }
                compare(failures, maxRel, "gamma a=" + a + " x=" + x, Tails.log10GammaUpper(x, a), ref);
            }
        }
        System.out.printf(Locale.ROOT, "brute force gamma (Poisson identity): max relative error %.2e%n", maxRel[0]);
        assertTrue(failures.isEmpty(), failures.size() + " mismatches:\n" + String.join("\n", failures));
    }
}

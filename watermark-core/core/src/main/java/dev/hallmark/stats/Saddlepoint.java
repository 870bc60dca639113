package dev.hallmark.stats;

import org.apache.commons.numbers.gamma.LogGamma;

/**
 * Log-space probability mass functions in the saddle-point form of Loader (2000).
 *
 * <p>Writing a mass function through factorials ({@code ln n! - ln k! - ln (n-k)! + ...}) cancels
 * catastrophically when the arguments are large: for {@code n = 5e9} the three log-factorials are
 * about {@code 1e11} while their combination is of order one, so all significant digits are lost.
 * Loader's form splits each log-factorial into Stirling's main term, which is combined
 * analytically into a <em>deviance</em> term {@link #bd0}, plus the small Stirling error
 * {@link #stirlerr}; every piece is then computed to full relative accuracy.
 *
 * <p>Reference: C. Loader, "Fast and accurate computation of binomial probabilities", 2000
 * (the method behind R's {@code dbinom} / {@code dpois}).
 */
final class Saddlepoint {

    /** ln(2 pi). */
    static final double LN_2PI = 1.8378770664093454835606594728112353;
    /** ln(sqrt(2 pi)). */
    static final double LN_SQRT_2PI = 0.9189385332046727417803297364056177;

    /**
     * stirlerr(n) for n = 0.5, 1, 1.5, ..., 15 (index 2n). Generated with mpmath 1.2.1 at
     * mp.dps = 50 from the definition lnGamma(n+1) - (n+1/2) ln n + n - ln sqrt(2 pi).
     */
    private static final double[] STIRLERR_HALVES = {
        Double.NaN, // n = 0: never used (callers treat k = 0 separately)
        0.153426409720027345291, // n = 0.5
        0.0810614667953272582197, // n = 1
        0.0548141210519176538961, // n = 1.5
        0.0413406959554092940938, // n = 2
        0.0331628735199362874851, // n = 2.5
        0.0276779256849983391488, // n = 3
        0.0237461636562974959713, // n = 3.5
        0.0207906721037650931115, // n = 4
        0.0184884505326731852308, // n = 4.5
        0.0166446911898211921632, // n = 5
        0.0151349732219173788735, // n = 5.5
        0.0138761288230707479987, // n = 6
        0.0128104652429202269243, // n = 6.5
        0.0118967099458917700951, // n = 7
        0.0111045597582069173266, // n = 7.5
        0.0104112652619720964975, // n = 8
        0.00979941612615880329839, // n = 8.5
        0.00925546218271273291773, // n = 9
        0.00876870013413938546296, // n = 9.5
        0.00833056343336287125647, // n = 10
        0.00793411456431402054725, // n = 10.5
        0.00757367548795184079497, // n = 11
        0.00724455430132038317955, // n = 11.5
        0.00694284010720952986566, // n = 12
        0.00666524703270768244236, // n = 12.5
        0.00640899418800420706844, // n = 13
        0.00617171226303945764753, // n = 13.5
        0.00595137011275884773562, // n = 14
        0.00574621651301011568203, // n = 14.5
        0.00555473355196280137104, // n = 15
    };

    // Coefficients of the Stirling series ln n! - Stirling main term = 1/(12n) - 1/(360n^3) + ...
    private static final double S0 = 1.0 / 12;
    private static final double S1 = 1.0 / 360;
    private static final double S2 = 1.0 / 1260;
    private static final double S3 = 1.0 / 1680;
    private static final double S4 = 1.0 / 1188;

    /** bd0 uses its series when |x - m| &lt; BD0_SERIES (x + m). */
    private static final double BD0_SERIES = 1.0 / 3;

    private Saddlepoint() {
    }

    /**
     * Stirling's error {@code stirlerr(n) = ln Gamma(n+1) - (n + 1/2) ln n + n - ln sqrt(2 pi)}, n > 0.
     *
     * <p>Exact table for half-integers up to 15; {@link LogGamma} for other n up to 15 (absolute
     * error a few 1e-15, from the cancellation against lnGamma(16) ~ 28); the Stirling series above
     * 15, truncated where the first omitted term is below 3e-17 (absolute).
     */
    static double stirlerr(double n) {
        if (n <= 15) {
            final double twice = n + n;
            if (twice == Math.rint(twice) && twice >= 1) {
                return STIRLERR_HALVES[(int) twice];
            }
            return LogGamma.value(n + 1) - (n + 0.5) * Math.log(n) + n - LN_SQRT_2PI;
        }
        final double nn = n * n;
        if (n > 500) {
            return (S0 - S1 / nn) / n;
        }
        if (n > 80) {
            return (S0 - (S1 - S2 / nn) / nn) / n;
        }
        if (n > 35) {
            return (S0 - (S1 - (S2 - S3 / nn) / nn) / nn) / n;
        }
        return (S0 - (S1 - (S2 - (S3 - S4 / nn) / nn) / nn) / nn) / n;
    }

    /**
     * The deviance term {@code bd0(x, m) = x ln(x/m) + m - x >= 0}, with {@code m = mHi + mLo} given
     * as an unevaluated sum so that {@code m = n p} keeps the bits that a rounded product loses.
     *
     * <p>Near {@code x = m} the expression cancels; there we use, with {@code v = (x-m)/(x+m)},
     * {@code ln(x/m) = 2 atanh(v) = 2(v + v^3/3 + v^5/5 + ...)}, which gives
     * {@code bd0 = (x-m) v + sum_{j>=1} 2 x v^(2j+1) / (2j+1)}: all terms positive, no cancellation.
     * It is used for {@code |v| < 1/3} ({@code 1/2 < x/m < 2}); outside that range the direct
     * formula loses at most a factor of about 3 to cancellation.
     */
    static double bd0(double x, double mHi, double mLo) {
        if (x == 0) {
            return mHi + mLo;
        }
        final double d = (x - mHi) - mLo;
        final double sum = x + mHi;
        if (Math.abs(d) < BD0_SERIES * sum) {
            final double v = d / sum;
            double s = d * v;
            double ej = 2 * x * v;
            final double v2 = v * v;
            // |v| < 1/3: each term is at most 1/9 of the previous one, so this ends in < 20 steps
            for (int j = 1; j < 100; j++) {
                ej *= v2;
                final double s1 = s + ej / (2 * j + 1);
                if (s1 == s) {
                    return s1;
                }
                s = s1;
            }
            return s;
        }
        final double m = mHi + mLo;
        final double r = x / m;
        final double lnRatio = (r > 0 && r < Double.POSITIVE_INFINITY) ? Math.log(r) : Math.log(x) - Math.log(m);
        return x * lnRatio + m - x;
    }

    /**
     * ln of the "Poisson density" {@code x^a e^(-x) / Gamma(a+1)} for real a >= 1 and x > 0,
     * as {@code -stirlerr(a) - bd0(a, x) - ln(2 pi a)/2} (Loader's dpois_raw in log form).
     */
    static double lnPoissonDensity(double a, double x) {
        return -stirlerr(a) - bd0(a, x, 0.0) - 0.5 * (LN_2PI + Math.log(a));
    }

    /**
     * Binomial(n, p) parameters with {@code n p} and {@code n q} as double-double sums, shared by
     * the mass function and the tail sums.
     */
    static final class Binomial {
        final long n;
        final double p;
        final double q;
        final double npHi;
        final double npLo;
        final double nqHi;
        final double nqLo;

        /** Requires 0 &lt; p &lt; 1 and 0 &lt;= n &lt;= 2^53. */
        Binomial(long n, double p) {
            this.n = n;
            this.p = p;
            this.q = 1 - p;
            final double dn = n;
            this.npHi = dn * p;
            this.npLo = Math.fma(dn, p, -npHi);
            // n q = n - n p, computed as an exact two-sum of n and -npHi, then corrected by npLo
            final double s = dn - npHi;
            final double bb = s - dn;
            final double err = (dn - (s - bb)) + (-npHi - bb);
            this.nqHi = s;
            this.nqLo = err - npLo;
        }

        /** The mean n p. */
        double mean() {
            return npHi + npLo;
        }

        /** ln P(X = x), 0 &lt;= x &lt;= n, via Loader's saddle-point form. */
        double lnPmf(long x) {
            if (x == 0) {
                return n * Math.log1p(-p);
            }
            if (x == n) {
                return n * Math.log(p);
            }
            final double dx = x;
            final double dn = n;
            final double dy = n - x;
            final double lc = stirlerr(dn) - stirlerr(dx) - stirlerr(dy)
                - bd0(dx, npHi, npLo) - bd0(dy, nqHi, nqLo);
            // ln(2 pi x (n-x) / n)
            final double lf = LN_2PI + Math.log(dx) + Math.log1p(-dx / dn);
            return lc - 0.5 * lf;
        }
    }
}

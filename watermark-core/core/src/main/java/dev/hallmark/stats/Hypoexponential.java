package dev.hallmark.stats;

/**
 * The exact upper tail of a weighted sum of two independent Gamma(n, 1) variables,
 * {@code S = (1 - alpha) G + alpha G'}: the null distribution of vLLM's dual-key Gumbel score, a sum
 * over n tokens of {@code (1 - alpha) E + alpha E'} with E, E' independent Exp(1). S is
 * hypoexponential (2n exponential phases with two rates, each rate n times).
 *
 * <p><b>Why not the textbook closed form.</b> Partial fractions give P(S &gt; s) as a finite sum of
 * 2n regularized incomplete gamma functions whose coefficients alternate in sign and grow like
 * {@code (a / (a - b))^(2n)}; at n = 64, alpha = 0.1 the terms exceed the result by about 50 orders
 * of magnitude, so it cannot be evaluated in floating point (the reference values in the tests are
 * computed from it in arbitrary precision instead).
 *
 * <p><b>Positive series used here.</b> Let {@code b = min(alpha, 1 - alpha)},
 * {@code a = max(alpha, 1 - alpha)}, {@code c = b / a} in (0, 1]. An Exp(1) variable is a sum of a
 * Geometric(c) number of independent Exp(rate 1/c) variables, so {@code G = c * Gamma(n + F, 1)}
 * with F negative binomial (n successes, success probability c); hence
 * {@code S = b * Gamma(2n + F, 1)} and
 * <pre>
 *   P(S &gt;= s) = sum_{f &gt;= 0} NB(f; n, c) Q(2n + f, s / b),   NB(f; n, c) = C(n+f-1, f) c^n (1-c)^f,
 * </pre>
 * Q the regularized upper incomplete gamma function. Every term is positive. For alpha in {0, 1}
 * the sum is Gamma(n, 1) and for alpha = 1/2 it is one term, Q(2n, 2s): exactly the cases where
 * vLLM's own moment-matched Gamma is exact.
 *
 * <p><b>A second positive series.</b> Writing {@code Q(2n + f, y) = P(Poisson(y) < 2n + f)},
 * {@code P(S >= s) = P(Poisson(y) - F < 2n) = Q(2n, y) + sum_{m >= 1} Pois(2n - 1 + m; y) P(F >= m)},
 * {@code y = s / b}. The first series needs about {@code sqrt(n) / c} terms in the bulk (the spread
 * of F), the second about {@code sqrt(y)} (the spread of the Poisson variable), so the second is used
 * when c &lt; 0.05 (alpha below about 0.048 or above 0.952) and makes any alpha feasible: at
 * alpha = 1e-9 the first would need about 10^10 terms.
 *
 * <p><b>Evaluation.</b> In both series the terms are log-concave in the index (negative binomial and
 * Poisson mass functions are log-concave, and so are their distribution functions, among them
 * {@code Q(k, y)} in k), so they rise to one mode and fall after it. The mode is found by bisection
 * on the sign of the exact log-ratio of consecutive terms; the sum starts where the terms are e^-60
 * below the mode (by concavity the terms before that add at most e^-60 times (distance to the mode)
 * / 60 of it) and proceeds upward with exact recurrences ({@code Q(k+1, y) = Q(k, y) + Pois(k; y)},
 * the mass-function ratios, {@code P(F >= m+1) = P(F >= m) - NB(m)}, whose rounding error grows by
 * at most {@code 1/(1-c)} per step, or its complement while that is below 1/2), in a scaled linear
 * representation, recomputing the terms from the direct log-space formulas (Loader's saddle-point
 * mass functions, {@link Tails}) every 1,024 steps (every {@code 1/c} steps at most for the second
 * series); it stops when the geometric bound on the rest, valid after the mode, is below 2^-55 of
 * the sum. The result is returned in log space, so p-values far below 1e-308 are exact too. Cost: a
 * few nanoseconds per term, about {@code 22 min(sqrt(n) / c, sqrt(y))} terms (n = 10^6, alpha = 0.1:
 * about 10^5).
 */
public final class Hypoexponential {
    private static final double LN10 = 2.302585092994045684017991454684364208;
    private static final double SUM_EPS = 0x1p-55;
    private static final int RESYNC = 1024;
    /** The sum starts where the terms are this many nats below the largest one. */
    private static final double START_NATS = 60;
    private static final double BIG = 1e100;
    private static final double SMALL = 1e-100;
    private static final long MAX_INDEX = 1L << 52;
    private static final double LN2 = 0.6931471805599453;
    /** Below this ratio c the Poisson-side series is shorter (see the class documentation). */
    private static final double POISSON_SERIES_BELOW = 0.05;

    private Hypoexponential() {}

    /**
     * {@code log10 P(S >= s)}, {@code S = sum_{i=1..n} ((1 - alpha) E_i + alpha E'_i)}, all E, E'
     * independent Exp(1).
     *
     * @param s the observed sum; {@code s <= 0} gives 0.0, {@code +inf} negative infinity
     * @param n the number of terms, {@code 0 <= n <= 2^50}; n = 0 gives 0.0
     * @param alpha the weight of the second exponential, in [0, 1]
     * @return log10 of the upper tail probability, in {@code [-inf, 0]}
     * @throws IllegalArgumentException if s is NaN, n is out of range or alpha is not in [0, 1]
     */
    public static double log10Upper(double s, long n, double alpha) {
        return lnUpper(s, n, alpha) / LN10;
    }

    /** Natural-log version of {@link #log10Upper}: {@code ln P(S >= s)}. */
    public static double lnUpper(double s, long n, double alpha) {
        if (Double.isNaN(s)) {
            throw new IllegalArgumentException("hypoexponential tail: s is NaN");
        }
        if (n < 0 || n > (1L << 50)) {
            throw new IllegalArgumentException("hypoexponential tail: n must be in [0, 2^50], got " + n);
        }
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("hypoexponential tail: alpha must be in [0, 1], got " + alpha);
        }
        if (n == 0 || s <= 0) {
            return 0.0;
        }
        if (s == Double.POSITIVE_INFINITY) {
            return Double.NEGATIVE_INFINITY;
        }
        // the weights exactly as the detector forms them: (1 - alpha) and alpha
        double w1 = 1 - alpha;
        double a = Math.max(w1, alpha);
        double b = Math.min(w1, alpha);
        if (b == 0) {
            return Tails.lnGammaUpper(s / a, n);
        }
        if (a == b) {
            return Tails.lnGammaUpper(s / b, 2.0 * n);
        }
        double c = b / a;
        double y = s / b;
        if (c >= POISSON_SERIES_BELOW) {
            return Math.min(0.0, new NbSeries(n, c, y).lnSum()) + 0.0;
        }
        double lnHead = Tails.lnGammaUpper(y, 2.0 * n);
        PoissonSeries ps = new PoissonSeries(n, c, y);
        double lnRest = ps.lnSum();
        double hi = Math.max(lnHead, lnRest);
        if (hi == Double.NEGATIVE_INFINITY) {
            return hi;
        }
        return Math.min(0.0, hi + Math.log(Math.exp(lnHead - hi) + Math.exp(lnRest - hi))) + 0.0;
    }

    /** ln NB(f; n, c) = ln(n / (n + f)) + ln Binomial(n + f, c) pmf at n. */
    static double lnNb(long n, double c, long f) {
        if (f == 0) {
            return n * Math.log(c);
        }
        return Math.log((double) n / (n + f)) + new Saddlepoint.Binomial(n + f, c).lnPmf(n);
    }

    /**
     * A positive series with log-concave terms over indices {@code first(), first() + 1, ...}, summed
     * around its mode (see the class documentation).
     */
    private abstract static class LogConcaveSeries {

        abstract long first();

        abstract double lnTerm(long i);

        /** ln(term(i + 1) / term(i)), exact. */
        abstract double lnRatio(long i);

        /** Sets the recurrence state to index i, exactly; terms are reported relative to e^lnMax. */
        abstract void sync(long i, double lnMax);

        /** The current term relative to e^lnMax. */
        abstract double term();

        /** Moves to the next index; returns term(next) / term(current). */
        abstract double advance();

        abstract int syncInterval();

        /** The smallest index with a non-positive log-ratio: the mode. */
        final long mode() {
            long lo = first();
            if (lnRatio(lo) <= 0) {
                return lo;
            }
            long step = 1;
            long hi = lo + step;
            while (lnRatio(hi) > 0) {
                lo = hi;
                step *= 2;
                hi = lo + step;
                if (hi > MAX_INDEX) {
                    throw new ArithmeticException("hypoexponential tail: the terms peak beyond index 2^52");
                }
            }
            while (hi - lo > 1) {
                long mid = lo + (hi - lo) / 2;
                if (lnRatio(mid) > 0) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            return hi;
        }

        /** The smallest index up to the mode whose term is at least e^-START_NATS of the mode's. */
        final long start(long mode, double lnMax) {
            double cut = lnMax - START_NATS;
            long lo = first();
            if (mode == lo || lnTerm(lo) >= cut) {
                return lo;
            }
            long hi = mode;
            while (hi - lo > 1) {
                long mid = lo + (hi - lo) / 2;
                if (lnTerm(mid) >= cut) {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            return hi;
        }

        final double lnSum() {
            long mode = mode();
            double lnMax = lnTerm(mode);
            if (lnMax == Double.NEGATIVE_INFINITY) {
                return lnMax;
            }
            long i = start(mode, lnMax);
            int interval = syncInterval();
            sync(i, lnMax);
            int since = 0;
            double sum = 0;
            double comp = 0;
            while (true) {
                double t = term();
                double s1 = sum + t;
                comp += (sum >= t) ? (sum - s1) + t : (t - s1) + sum;
                sum = s1;
                double r = advance();
                if (i >= mode && r < 1 && t * r <= SUM_EPS * sum * (1 - r)) {
                    break;
                }
                i++;
                if (++since == interval) {
                    sync(i, lnMax);
                    since = 0;
                }
            }
            return lnMax + Math.log(sum + comp);
        }
    }

    /** sum_f NB(f; n, c) Q(2n + f, y), f >= 0, for 0 &lt; c &lt; 1. */
    private static final class NbSeries extends LogConcaveSeries {
        private final long n;
        private final double c;
        private final double y;
        private final double ln1mc;
        private long f;
        // term = wt * q * factor; p = Pois(2n + f; y) on q's scale
        private double wt;
        private double q;
        private double p;
        private double scale;
        private double factor;

        NbSeries(long n, double c, double y) {
            this.n = n;
            this.c = c;
            this.y = y;
            this.ln1mc = Math.log1p(-c);
        }

        @Override
        long first() {
            return 0;
        }

        private double lnQ(long i) {
            return Tails.lnGammaUpper(y, 2.0 * n + i);
        }

        @Override
        double lnTerm(long i) {
            return lnNb(n, c, i) + lnQ(i);
        }

        @Override
        double lnRatio(long i) {
            double lnP = Saddlepoint.lnPoissonDensity(2.0 * n + i, y);
            return Math.log((double) (n + i) / (i + 1)) + ln1mc + Math.log1p(Math.exp(lnP - lnQ(i)));
        }

        @Override
        void sync(long i, double lnMax) {
            f = i;
            double lq = lnQ(i);
            wt = 1;
            q = 1;
            p = Math.exp(Saddlepoint.lnPoissonDensity(2.0 * n + i, y) - lq);
            scale = lnNb(n, c, i) + lq - lnMax;
            factor = Math.exp(scale);
        }

        @Override
        double term() {
            return wt * q * factor;
        }

        @Override
        double advance() {
            double wr = ((double) (n + f) / (f + 1)) * (1 - c);
            double qr = (q + p) / q;
            double k = 2.0 * n + f;
            wt *= wr;
            q += p;
            p *= y / (k + 1);
            f++;
            if (wt > BIG || wt < SMALL) {
                scale += Math.log(wt);
                wt = 1;
                factor = Math.exp(scale);
            }
            if (q > BIG) {
                scale += Math.log(q);
                p /= q;
                q = 1;
                factor = Math.exp(scale);
            }
            return wr * qr;
        }

        @Override
        int syncInterval() {
            return RESYNC;
        }
    }

    /** sum_{m >= 1} Pois(2n - 1 + m; y) P(F >= m), F ~ NB(n, c), for 0 &lt; c &lt; 1. */
    private static final class PoissonSeries extends LogConcaveSeries {
        private final long n;
        private final double c;
        private final double y;
        private long m;
        // term = pv * tail * factor; tail = P(F >= m) = t (tail mode) or 1 - low (low mode, while >= 1/2)
        private boolean lowMode;
        private double low;
        private double t;
        private double w;
        private double pv;
        private double scale;
        private double factor;

        PoissonSeries(long n, double c, double y) {
            this.n = n;
            this.c = c;
            this.y = y;
        }

        @Override
        long first() {
            return 1;
        }

        /** {@code ln P(F >= m) = ln P(Binomial(n + m - 1, c) <= n - 1)}. */
        private double lnTail(long i) {
            return Tails.lnBinomialLower(n - 1, n + i - 1, c);
        }

        private double lnPois(long i) {
            return Saddlepoint.lnPoissonDensity(2.0 * n - 1 + i, y);
        }

        @Override
        double lnTerm(long i) {
            return lnPois(i) + lnTail(i);
        }

        @Override
        double lnRatio(long i) {
            double lnT = lnTail(i);
            double lnW = lnNb(n, c, i);
            double tailRatio = lnT == Double.NEGATIVE_INFINITY ? Double.NEGATIVE_INFINITY
                    : Math.log1p(-Math.min(1.0, Math.exp(lnW - lnT)));
            return Math.log(y / (2.0 * n + i)) + tailRatio;
        }

        @Override
        void sync(long i, double lnMax) {
            m = i;
            double lnT = lnTail(i);
            double lnW = lnNb(n, c, i);
            pv = 1;
            if (lnT > -LN2) {
                lowMode = true;
                low = Math.exp(Tails.lnBinomialUpper(n, n + i - 1, c));
                t = 1;
                w = Math.exp(lnW);
                scale = lnPois(i) - lnMax;
            } else {
                lowMode = false;
                t = 1;
                w = Math.exp(lnW - lnT);
                scale = lnPois(i) + lnT - lnMax;
            }
            factor = Math.exp(scale);
        }

        @Override
        double term() {
            return pv * (lowMode ? 1 - low : t) * factor;
        }

        @Override
        double advance() {
            double before = lowMode ? 1 - low : t;
            double pr = y / (2.0 * n + m);
            if (lowMode) {
                low += w;
                if (low > 0.5) {
                    // switch representations: the tail is now below 1/2, kept relative to its own scale
                    double tail = 1 - low;
                    lowMode = false;
                    t = 1;
                    w = w * ((double) (n + m) / (m + 1)) * (1 - c) / tail;
                    scale += Math.log(tail);
                    factor = Math.exp(scale);
                    pv *= pr;
                    m++;
                    return pr * tail / before;
                }
            } else {
                t -= w;
            }
            w *= ((double) (n + m) / (m + 1)) * (1 - c);
            pv *= pr;
            m++;
            double after = lowMode ? 1 - low : t;
            double ratio = pr * after / before;
            if (!lowMode && (t < SMALL || t > BIG)) {
                scale += Math.log(t);
                w /= t;
                t = 1;
                factor = Math.exp(scale);
            }
            if (pv > BIG || pv < SMALL) {
                scale += Math.log(pv);
                pv = 1;
                factor = Math.exp(scale);
            }
            return ratio;
        }

        @Override
        int syncInterval() {
            // the tail recurrence amplifies rounding by at most 1 / (1 - c) per step
            return (int) Math.max(16, Math.min(RESYNC, Math.floor(1 / c)));
        }
    }
}

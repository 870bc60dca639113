package dev.hallmark.stats;

/**
 * A confidence interval {@code [lower, upper]} for a binomial proportion.
 *
 * @param lower lower end, in [0, 1]
 * @param upper upper end, in [lower, 1]
 */
public record BinomialInterval(double lower, double upper) {

    /** ln of the smallest positive double (4.9e-324), rounded up. */
    private static final double LN_MIN_VALUE = -744.4;

    /** Validates {@code 0 <= lower <= upper <= 1}. */
    public BinomialInterval {
        if (!(lower >= 0 && lower <= upper && upper <= 1)) {
            throw new IllegalArgumentException(
                "interval must satisfy 0 <= lower <= upper <= 1, got [" + lower + ", " + upper + "]");
        }
    }

    /**
     * The pre-stated acceptance limit for a count of false positives: the smallest {@code c} with
     * {@code P(X > c) <= tail} for {@code X ~ Binomial(n, p)}. A procedure whose false-positive rate
     * is at most {@code p} exceeds {@code c} in at most a fraction {@code tail} of experiments, so a
     * count above it is evidence (at level {@code tail}) that the nominal rate does not hold.
     *
     * @param n trials, {@code 0 <= n <= 2^53}
     * @param p nominal rate, in [0, 1]
     * @param tail one-sided level, strictly between 0 and 1 (e.g. 0.005 for a 99% two-sided band)
     * @return the limit, in [0, n]
     */
    public static long upperCountLimit(long n, double p, double tail) {
        if (!(tail > 0 && tail < 1)) {
            throw new IllegalArgumentException("tail must be strictly between 0 and 1, got " + tail);
        }
        double lnTail = Math.log(tail);
        long c = 0;
        // P(X > c) = P(X >= c + 1) decreases in c; a linear scan from the mean is short (O(sqrt(n p)))
        long start = (long) Math.floor(n * p);
        c = Math.max(0, start - 1);
        while (c > 0 && Tails.lnBinomialUpper(c, n, p) <= lnTail) {
            c--;
        }
        while (c < n && Tails.lnBinomialUpper(c + 1, n, p) > lnTail) {
            c++;
        }
        return c;
    }

    /**
     * The lower acceptance limit: the largest {@code c} with {@code P(X < c) <= tail} for
     * {@code X ~ Binomial(n, p)} (0 when even {@code P(X = 0) > tail}).
     */
    public static long lowerCountLimit(long n, double p, double tail) {
        if (!(tail > 0 && tail < 1)) {
            throw new IllegalArgumentException("tail must be strictly between 0 and 1, got " + tail);
        }
        double lnTail = Math.log(tail);
        long c = Math.min(n, (long) Math.ceil(n * p) + 1);
        while (c > 0 && Tails.lnBinomialLower(c - 1, n, p) > lnTail) {
            c--;
        }
        while (c < n && Tails.lnBinomialLower(c, n, p) <= lnTail) {
            c++;
        }
        return c;
    }

    /**
     * The exact (Clopper-Pearson) two-sided interval for k successes in n trials.
     *
     * <p>With {@code alpha = 1 - confidence}, the lower end solves {@code P_p(X >= k) = alpha/2} and
     * the upper end solves {@code P_p(X <= k) = alpha/2}, {@code X ~ Binomial(n, p)}; equivalently
     * they are the {@code alpha/2} quantile of Beta(k, n-k+1) and the {@code 1-alpha/2} quantile of
     * Beta(k+1, n-k). The lower end is 0 when k = 0 and the upper end is 1 when k = n; for k = n the
     * lower end is {@code (alpha/2)^(1/n)} and for k = 0 the upper end is {@code 1-(alpha/2)^(1/n)}
     * (closed forms).
     *
     * <p>Algorithm: each equation is solved in {@code s = ln p} by Newton's method on the log tail
     * from {@link Tails} (exact, log space), safeguarded by bisection inside a bracket. The slopes are
     * exact: {@code d ln P(X >= k) / ds = k f(k) / P(X >= k)} and
     * {@code d ln P(X <= k) / ds = -(n-k) (p/q) f(k) / P(X <= k)}, f the pmf. The result has a relative
     * accuracy of about 1e-13 or better (limited by rounding of {@code p = e^s}), also for n in the
     * billions and for bounds far below 1e-300.
     *
     * <p>Reference: C. J. Clopper, E. S. Pearson, "The use of confidence or fiducial limits illustrated
     * in the case of the binomial", Biometrika 26 (1934) 404-413.
     *
     * @param k successes, {@code 0 <= k <= n}
     * @param n trials, {@code 0 <= n <= 2^53} (n = 0 gives [0, 1])
     * @param confidence the confidence level, strictly between 0 and 1 (e.g. 0.999)
     * @return the interval
     * @throws IllegalArgumentException if the arguments are out of range or NaN
     */
    public static BinomialInterval clopperPearson(long k, long n, double confidence) {
        if (n < 0 || n > (1L << 53)) {
            throw new IllegalArgumentException("trials n must be in [0, 2^53], got " + n);
        }
        if (k < 0 || k > n) {
            throw new IllegalArgumentException("successes k must be in [0, n] = [0, " + n + "], got " + k);
        }
        if (!(confidence > 0 && confidence < 1)) {
            throw new IllegalArgumentException("confidence must be strictly between 0 and 1, got " + confidence);
        }
        final double lnAlphaHalf = Math.log((1 - confidence) / 2);
        final double lower;
        if (k == 0) {
            lower = 0;
        } else if (k == n) {
            lower = Math.exp(lnAlphaHalf / n);
        } else {
            lower = solve(k, n, lnAlphaHalf, true);
        }
        final double upper;
        if (k == n) {
            upper = 1;
        } else if (k == 0) {
            upper = -Math.expm1(lnAlphaHalf / n);
        } else {
            upper = solve(k, n, lnAlphaHalf, false);
        }
        return new BinomialInterval(lower, Math.max(lower, upper));
    }

    /** Whether {@code lower <= p <= upper}. */
    public boolean contains(double p) {
        return lower <= p && p <= upper;
    }

    /**
     * Solves {@code g(s) = target}, s = ln p, for 0 &lt; k &lt; n, where
     * g = ln P(X >= k) (increasing in s) if {@code lowerEnd}, else g = ln P(X &lt;= k) (decreasing).
     */
    private static double solve(long k, long n, double target, boolean lowerEnd) {
        // At p = k/n the median of X is k, so both tails there are >= 1/2 > alpha/2: that end is
        // on the "g > target" side; the root lies below it for the lower end and above for the upper.
        final double sMid = Math.log((double) k / n);
        // a = side with g < target, b = side with g > target
        final double b0 = sMid;
        double a;
        if (lowerEnd) {
            double step = 1;
            while (true) {
                a = Math.max(sMid - step, LN_MIN_VALUE);
                if (g(k, n, a, true) < target) {
                    break;
                }
                if (a == LN_MIN_VALUE) {
                    return 0; // the bound is below the smallest positive double
                }
                step *= 2;
            }
        } else {
            // move p towards 1 by halving 1 - p
            double oneMinus = 1 - (double) k / n;
            while (true) {
                oneMinus *= 0.5;
                if (oneMinus < 0x1p-60) {
                    return Math.nextDown(1.0); // the bound is within one ulp of 1
                }
                a = Math.log1p(-oneMinus);
                if (g(k, n, a, false) < target) {
                    break;
                }
            }
        }
        double b = b0;
        double s = sMid;
        double prevStep = Double.POSITIVE_INFINITY;
        for (int iter = 0; iter < 200; iter++) {
            final double[] gv = gAndSlope(k, n, s, lowerEnd);
            final double diff = gv[0] - target;
            if (diff == 0) {
                return Math.exp(s);
            }
            if (diff < 0) {
                a = s;
            } else {
                b = s;
            }
            final double lo = Math.min(a, b);
            final double hi = Math.max(a, b);
            double next = s - diff / gv[1];
            final boolean newton = next > lo && next < hi;
            if (!newton) {
                next = 0.5 * (a + b);
            }
            final double step = Math.abs(next - s);
            final double tol = Math.max(4 * Math.ulp(s), 0x1p-60);
            if (step <= tol || hi - lo <= tol) {
                return Math.exp(next);
            }
            if (newton) {
                // Newton converges quadratically; once its steps stop shrinking they are rounding
                // noise of g (about 1e-13 relative), and the root is as accurate as g allows
                if (step < 1e-10 * Math.max(1.0, Math.abs(s)) && step >= prevStep) {
                    return Math.exp(next);
                }
                prevStep = step;
            } else {
                prevStep = Double.POSITIVE_INFINITY;
            }
            s = next;
        }
        return Math.exp(s);
    }

    private static double g(long k, long n, double s, boolean lowerEnd) {
        final double p = Math.exp(s);
        return lowerEnd ? Tails.lnBinomialUpper(k, n, p) : Tails.lnBinomialLower(k, n, p);
    }

    /** {g(s), dg/ds}. */
    private static double[] gAndSlope(long k, long n, double s, boolean lowerEnd) {
        final double p = Math.exp(s);
        final double lnPmf = Tails.lnBinomialPmf(k, n, p);
        if (lowerEnd) {
            final double v = Tails.lnBinomialUpper(k, n, p);
            return new double[] {v, k * Math.exp(lnPmf - v)};
        }
        final double v = Tails.lnBinomialLower(k, n, p);
        return new double[] {v, -(n - k) * (p / (1 - p)) * Math.exp(lnPmf - v)};
    }
}
